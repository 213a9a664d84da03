// The record stage's operation-usage recorder: counts executions per (client, operation name, query text) in a
// bounded in-memory map; with a Redis sink, a timer flushes the counts there. `record` never waits and never throws.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../../identity/principal';
import type { OperationUsage, UsageSource } from './types';
import { cacheKey } from '../../util/cacheKey';
import { MAX_LABEL_LENGTH, truncate } from '../../util/bounded';

/** Receives counts gathered since the last flush (see redisUsageStore.ts). */
export interface UsageSink {
  /** `withQuery` entries carry their text; the others were sent before (keeps each flush small). */
  flush(deltas: ReadonlyArray<{ usage: OperationUsage; withQuery: boolean }>): Promise<void>;
  close(): Promise<void>;
}

export interface UsageRecorderOptions {
  /** Distinct (client, operation, query) entries kept; the least recently seen is dropped beyond it. */
  maxOperations: number;
  /** With a sink: how often counts are flushed to it. */
  flushIntervalMs?: number;
  sink?: UsageSink;
  logger?: Logger;
  now?: () => number;
}

interface Entry {
  usage: OperationUsage;
  /** Counted since the last flush. */
  pending: number;
  /** The sink has this entry's query text already. */
  sent: boolean;
}

/** One query text and everyone who sent it: the text is kept (and hashed) once, however many clients send it. */
interface QueryGroup {
  hash: string;
  /** By cacheKey(client, operationName). */
  callers: Map<string, Entry>;
}

/**
 * Longer query texts are not recorded: a handful of huge documents must not crowd out the rest, and bound the
 * memory to about maxOperations × this.
 */
export const MAX_RECORDED_QUERY_LENGTH = 64 * 1024;

/** Who to attribute an operation to: the client application, else the subject, else `anonymous`. */
export function clientOf(principal: Principal): string {
  const client = principal.client ?? principal.subject;
  return client === undefined ? 'anonymous' : truncate(client, MAX_LABEL_LENGTH);
}

export function queryHashOf(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

export class UsageRecorder implements UsageSource {
  /** Map order is least recently used query first: a hit re-inserts its group, eviction drops from the front. */
  private readonly queries = new Map<string, QueryGroup>();
  private entryCount = 0;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private failing = false;
  /** Entries evicted (with their unflushed counts) because the recorder was full. */
  dropped = 0;

  constructor(private readonly options: UsageRecorderOptions) {
    this.now = options.now ?? Date.now;
    if (options.sink && (options.flushIntervalMs ?? 0) > 0) {
      this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Counts one execution: two map lookups; the query is hashed only the first time it is seen. */
  record(query: string, name: string | undefined, client: string): void {
    if (query.length > MAX_RECORDED_QUERY_LENGTH) return;
    const lastSeen = this.now();
    let group = this.queries.get(query);
    if (group) {
      this.queries.delete(query);
    } else {
      group = { hash: queryHashOf(query), callers: new Map() };
    }
    this.queries.set(query, group);
    const callerKey = cacheKey(client, name);
    const entry = group.callers.get(callerKey);
    if (entry) {
      entry.usage.count += 1;
      entry.usage.lastSeen = lastSeen;
      entry.pending += 1;
      return;
    }
    const usage: OperationUsage = { ...(name !== undefined ? { name } : {}), queryHash: group.hash, query, client, count: 1, lastSeen };
    group.callers.set(callerKey, { usage, pending: 1, sent: false });
    this.entryCount += 1;
    this.evictBeyondLimit(group);
  }

  /** Drops the least recently used queries (all their callers) until the entry count fits; never `current`. */
  private evictBeyondLimit(current: QueryGroup): void {
    while (this.entryCount > this.options.maxOperations) {
      const oldest = this.queries.entries().next();
      if (oldest.done || oldest.value[1] === current) return;
      this.queries.delete(oldest.value[0]);
      this.entryCount -= oldest.value[1].callers.size;
      this.dropped += oldest.value[1].callers.size;
    }
  }

  private *entries(): Generator<Entry> {
    for (const group of this.queries.values()) yield* group.callers.values();
  }

  /** What this instance has seen, newest first (the memory store: read by the admin endpoint without Redis). */
  snapshot(since = 0): OperationUsage[] {
    const out: OperationUsage[] = [];
    for (const { usage } of this.entries()) if (usage.lastSeen >= since) out.push({ ...usage });
    return out.sort((a, b) => b.lastSeen - a.lastSeen);
  }

  async recentOperations(since: number): Promise<OperationUsage[]> {
    return this.snapshot(since);
  }

  /** Sends pending counts to the sink; serialised; a failed flush keeps its counts for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const sink = this.options.sink;
    if (!sink) return;
    const batch = [...this.entries()].filter((e) => e.pending > 0);
    if (batch.length === 0) return;
    const deltas = batch.map((e) => ({ usage: { ...e.usage, count: e.pending }, withQuery: !e.sent }));
    const counts = batch.map((e) => e.pending);
    batch.forEach((e) => (e.pending = 0));
    try {
      await sink.flush(deltas);
      batch.forEach((e) => (e.sent = true));
      if (this.failing) this.options.logger?.info('usage flush recovered');
      this.failing = false;
    } catch (error) {
      batch.forEach((e, i) => (e.pending += counts[i]));
      // Once per failure streak: a Redis outage must not flood the log every few seconds.
      if (!this.failing) this.options.logger?.warn({ err: (error as Error).message }, 'usage flush failed; counts kept for the next flush');
      this.failing = true;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.options.sink?.close();
  }
}
