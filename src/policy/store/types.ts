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
  /** Units to add (1 per rate-limited field occurrence, the estimated cost for a budget). Whole, ≥ 0; see `storeUnits`. */
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
  /**
   * Adds `delta` (may be negative) to a counter, never below 0. A counter that is gone (expired, evicted, a
   * restarted Redis) is created, expiring as `apply` would for a window ending at `windowEnd`: a reconciliation
   * is owed whether or not the charge before it is still there.
   */
  adjust(key: string, delta: number, windowEnd: number): Promise<number>;
  status(): StoreStatus;
  close(): Promise<void>;
}

/** Kept this long past its window's end, so a late budget reconciliation still finds its counter. */
export const KEY_GRACE_MS = 60_000;

/**
 * What a store adds for `units`: whole units, never negative (nothing may subtract through `apply`), and a value
 * that is not a number at all (NaN) counts as too much to fit, so it fails closed. Both stores apply it, so
 * a bad amount behaves the same in memory and in Redis (whose Lua would otherwise read "NaN" its own way).
 */
export function storeUnits(units: number): number {
  if (Number.isNaN(units)) return Number.MAX_SAFE_INTEGER;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.ceil(units)));
}

/** A reconciliation's delta: whole units; one that is not a finite number changes nothing. */
export function storeDelta(delta: number): number {
  if (!Number.isFinite(delta)) return 0;
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.round(delta)));
}

export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
