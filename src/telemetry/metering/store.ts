// Where usage counts live: in this process (lost when it stops), or in Redis (durable, shared by every gateway
// on it). Both apply a batch at most once, so a retried write never counts twice.
import { addCounts, countsKey, emptyCounts, HOUR_MS, type MeteredBatch, type MeteredCounts } from './counts';

export interface MeteringStore {
  /** Adds a batch atomically; a batch whose id was already applied changes nothing. */
  add(batch: MeteredBatch): Promise<void>;
  /** Counts of the hours starting in [from, to) (epoch ms), one per (hour, client, plan). */
  read(from: number, to: number): Promise<MeteredCounts[]>;
  close(): Promise<void>;
}

export class MemoryMeteringStore implements MeteringStore {
  private readonly counts = new Map<string, MeteredCounts>();
  private readonly applied = new Set<string>();

  async add(batch: MeteredBatch): Promise<void> {
    if (this.applied.has(batch.id)) return;
    this.applied.add(batch.id);
    for (const c of batch.counts) {
      const key = countsKey(c.hour, c.client, c.plan);
      let into = this.counts.get(key);
      if (!into) {
        into = emptyCounts(c.hour, c.client, c.plan);
        this.counts.set(key, into);
      }
      addCounts(into, c);
    }
  }

  async read(from: number, to: number): Promise<MeteredCounts[]> {
    const out: MeteredCounts[] = [];
    for (const c of this.counts.values()) {
      if (c.hour >= from - (from % HOUR_MS) && c.hour < to) out.push({ ...c, calls: { ...c.calls } });
    }
    return out;
  }

  async close(): Promise<void> {}
}
