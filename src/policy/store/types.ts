// The counter store behind rate limits and cost budgets: fixed-window counters that are checked and charged in
// one atomic step per request. Implemented in memory (one instance) and on Redis (one Lua script, any number of
// instances); both follow exactly the semantics written here, and tests run the same cases against both.

/**
 * How an op charges its counter:
 * - `hit`: a rate-limit hit; every attempt counts, admitted while the count stays within max.
 * - `hitIfAdmitted`: a rate-limit hit that counts only when admitted (@rateLimit `uncountRejected`).
 * - `charge`: a budget charge, made only when it fits — and, with `requireAllHits`, only when no hit before it in
 *   the same batch was refused (the request will then be rejected, so it must not spend budget).
 */
export type CounterOpKind = 'hit' | 'hitIfAdmitted' | 'charge';

export interface CounterOp {
  /** The full key, prefix and window index included. All keys of one batch share one Redis Cluster hash tag. */
  key: string;
  kind: CounterOpKind;
  /** Units to add (1 per rate-limited field occurrence, the estimated cost for a budget). Whole, ≥ 0. */
  amount: number;
  /** The most the counter may hold for the op to be admitted. */
  max: number;
  /** When the counter's window ends (ms since the epoch); the key may be dropped some time after. */
  windowEnd: number;
}

export interface CounterResult {
  /** The counter after this op (counting ops before it in the batch). */
  count: number;
  admitted: boolean;
}

export interface StoreStatus {
  kind: 'memory' | 'redis';
  available: boolean;
  /** Calls that failed (unreachable, timed out) since start. */
  failures: number;
  lastError?: string;
  lastErrorAt?: string;
}

export interface CounterStore {
  /** Applies a batch in order, atomically: no other batch on any instance interleaves with it. */
  apply(ops: readonly CounterOp[], options: { requireAllHits: boolean; now: number }): Promise<CounterResult[]>;
  /** Adds `delta` (may be negative) to an existing counter, never below 0; undefined when the key is gone. */
  adjust(key: string, delta: number): Promise<number | undefined>;
  status(): StoreStatus;
  close(): Promise<void>;
}

/** Kept this long past its window's end, so a late budget reconciliation still finds its counter. */
export const KEY_GRACE_MS = 60_000;

export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
