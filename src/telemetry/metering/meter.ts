// Usage metering for billing: counts each request and service call per client, plan and UTC hour in memory
// (a map increment on the hot path), and writes them to the store every `metering.flushInterval` and on a graceful
// stop. Crash window: a process killed without a graceful stop loses what it counted since its last flush.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { FetchRecord, RequestRecord, TelemetryConsumer } from '../record';
import { addCounts, countsKey, emptyCounts, HOUR_MS, type MeteredBatch, type MeteredCounts } from './counts';
import type { MeteringStore } from './store';
import { cacheKey } from '../../util/cacheKey';

export interface BillingMeterOptions {
  store: MeteringStore;
  flushIntervalMs: number;
  logger: Logger;
  onFlush?: (ok: boolean) => void;
}

export class BillingMeter implements TelemetryConsumer {
  /** Counts not yet written, by hour, then by client and plan. */
  private pending = new Map<number, Map<string, MeteredCounts>>();
  /** The hour most records fall in, and its map: one comparison instead of a lookup per record. */
  private hour = -1;
  private hourCounts = new Map<string, MeteredCounts>();
  /** Batches a flush could not write, retried first and with their ids, so a retry never counts twice. */
  private unsent: MeteredBatch[] = [];
  private flushing: Promise<boolean> = Promise.resolve(true);
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: BillingMeterOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  request(record: RequestRecord): void {
    const counts = this.countsFor(record.startedAt, record.client, record.plan);
    counts.operations += 1;
    if (record.outcome !== 'success') counts.errors += 1;
    if (record.outcome === 'rejected') counts.rejected += 1;
    const cost = record.cost;
    if (cost?.estimated !== undefined) counts.estimatedCost += cost.estimated;
    if (cost?.actual !== undefined) counts.actualCost += cost.actual;
  }

  fetch(record: FetchRecord): void {
    const calls = this.countsFor(record.startedAt, record.client, record.plan).calls;
    calls[record.service] = (calls[record.service] ?? 0) + 1;
  }

  private countsFor(at: number, client: string, plan = ''): MeteredCounts {
    const hour = at - (at % HOUR_MS);
    if (hour !== this.hour) {
      let counts = this.pending.get(hour);
      if (!counts) {
        counts = new Map();
        this.pending.set(hour, counts);
      }
      this.hour = hour;
      this.hourCounts = counts;
    }
    const key = cacheKey(client, plan);
    let counts = this.hourCounts.get(key);
    if (!counts) {
      counts = emptyCounts(hour, client, plan);
      this.hourCounts.set(key, counts);
    }
    return counts;
  }

  /** Writes everything counted so far; true when the store has it all. Serialised: flushes never overlap. */
  flush(): Promise<boolean> {
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<boolean> {
    if (this.pending.size > 0) {
      this.unsent.push({ id: randomUUID(), counts: [...this.pending.values()].flatMap((byClient) => [...byClient.values()]) });
      this.pending = new Map();
      this.hour = -1;
    }
    while (this.unsent.length > 0) {
      const batch = this.unsent[0];
      try {
        await this.options.store.add(batch);
      } catch (error) {
        this.options.onFlush?.(false);
        this.options.logger.warn({ err: (error as Error).message, batches: this.unsent.length }, 'usage flush failed; keeping the counts to retry');
        return false;
      }
      this.unsent.shift();
      this.options.onFlush?.(true);
    }
    return true;
  }

  /**
   * Counts for the hours in [from, to) from the store, after a flush; when the store can't be written, what is
   * still waiting here is added, so this gateway's numbers are never missing from its own answer.
   */
  async read(from: number, to: number): Promise<MeteredCounts[]> {
    const flushed = await this.flush();
    const counts = await this.options.store.read(from, to);
    if (!flushed) {
      const byKey = new Map(counts.map((c) => [countsKey(c.hour, c.client, c.plan), c]));
      for (const batch of this.unsent) {
        for (const c of batch.counts) {
          if (c.hour < from - (from % HOUR_MS) || c.hour >= to) continue;
          const key = countsKey(c.hour, c.client, c.plan);
          let into = byKey.get(key);
          if (!into) {
            into = emptyCounts(c.hour, c.client, c.plan);
            byKey.set(key, into);
            counts.push(into);
          }
          addCounts(into, c);
        }
      }
    }
    return counts;
  }

  /** Stops the timer and writes what is left; what can't be written is logged with its totals (for reconciling). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const flushed = await this.flush();
    if (!flushed) {
      this.options.logger.error({ unsent: this.unsent.flatMap((b) => b.counts) }, 'usage counts could not be written before stopping');
    }
    await this.options.store.close();
  }
}
