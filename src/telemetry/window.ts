// Rolling per-second windows over the last 15 minutes: counters and a log-scale latency histogram per second,
// for the dashboard and the alert rules. Pure bookkeeping: every call takes `now`, nothing reads a clock.
import { MAX_ALERT_WINDOW_MS } from './alerts/config';

export const SLOT_MS = 1000;
export const SLOTS = MAX_ALERT_WINDOW_MS / SLOT_MS;

/** Latency buckets: [0, 0.1 ms), then each 25 % wider than the last, up to ~2 minutes (the last one is open). */
export const LATENCY_BUCKETS = 64;
const FIRST_BOUND_MS = 0.1;
const GROWTH = 1.25;
const LOG_GROWTH = Math.log(GROWTH);

export function latencyBucket(ms: number): number {
  if (!(ms >= FIRST_BOUND_MS)) return 0;
  return Math.min(LATENCY_BUCKETS - 1, Math.floor(Math.log(ms / FIRST_BOUND_MS) / LOG_GROWTH) + 1);
}

/** [lower, upper) bounds of a bucket in milliseconds. */
export function bucketBoundsMs(bucket: number): [number, number] {
  if (bucket === 0) return [0, FIRST_BOUND_MS];
  return [FIRST_BOUND_MS * GROWTH ** (bucket - 1), FIRST_BOUND_MS * GROWTH ** bucket];
}

/** The q-quantile (0–1) of a histogram, interpolated inside its bucket (so within 25 %); undefined when empty. */
export function quantileMs(histogram: ArrayLike<number>, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i];
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i];
    if (count === 0) continue;
    if (seen + count >= rank) {
      const [lower, upper] = bucketBoundsMs(i);
      return lower + ((upper - lower) * (rank - seen)) / count;
    }
    seen += count;
  }
  return undefined;
}

export interface WindowTotals<C extends string> {
  counts: Record<C, number>;
  histogram: Uint32Array;
}

/** Named counters plus a latency histogram per one-second slot, in a ring of SLOTS slots. */
export class RollingSeries<C extends string> {
  private readonly stamps = new Float64Array(SLOTS).fill(-1);
  private readonly counts: Float64Array;
  private readonly histograms = new Uint32Array(SLOTS * LATENCY_BUCKETS);

  constructor(private readonly names: readonly C[]) {
    this.counts = new Float64Array(SLOTS * names.length);
  }

  /** The slot for `now`, cleared first when it still holds a second from the previous lap. */
  private slot(now: number): number {
    const second = Math.floor(now / SLOT_MS);
    const position = second % SLOTS;
    if (this.stamps[position] !== second) {
      this.stamps[position] = second;
      this.counts.fill(0, position * this.names.length, (position + 1) * this.names.length);
      this.histograms.fill(0, position * LATENCY_BUCKETS, (position + 1) * LATENCY_BUCKETS);
    }
    return position;
  }

  /** Adds `amount` to counter number `counter` (its index in `names`). */
  add(now: number, counter: number, amount = 1): void {
    this.counts[this.slot(now) * this.names.length + counter] += amount;
  }

  observe(now: number, ms: number): void {
    this.histograms[this.slot(now) * LATENCY_BUCKETS + latencyBucket(ms)] += 1;
  }

  /** Sums over the seconds in (now − windowMs, now]. */
  totals(now: number, windowMs: number): WindowTotals<C> {
    const counts = Object.fromEntries(this.names.map((n) => [n, 0])) as Record<C, number>;
    const histogram = new Uint32Array(LATENCY_BUCKETS);
    this.forEachSecond(now, windowMs, (position) => {
      for (let c = 0; c < this.names.length; c++) counts[this.names[c]] += this.counts[position * this.names.length + c];
      const base = position * LATENCY_BUCKETS;
      for (let b = 0; b < LATENCY_BUCKETS; b++) histogram[b] += this.histograms[base + b];
    });
    return { counts, histogram };
  }

  /** One value per step of `stepMs` over the window, oldest first: counter sums, or a latency quantile. */
  series(now: number, windowMs: number, stepMs: number, pick: C | { quantile: number }): Array<number | null> {
    const steps = Math.max(1, Math.round(windowMs / stepMs));
    const out: Array<number | null> = [];
    for (let i = steps - 1; i >= 0; i--) {
      const end = now - i * stepMs;
      if (typeof pick === 'string') out.push(this.totals(end, stepMs).counts[pick]);
      else out.push(quantileMs(this.totals(end, stepMs).histogram, pick.quantile) ?? null);
    }
    return out;
  }

  private forEachSecond(now: number, windowMs: number, visit: (position: number) => void): void {
    const last = Math.floor(now / SLOT_MS);
    const seconds = Math.min(SLOTS, Math.max(1, Math.round(windowMs / SLOT_MS)));
    for (let second = last - seconds + 1; second <= last; second++) {
      const position = ((second % SLOTS) + SLOTS) % SLOTS;
      if (this.stamps[position] === second) visit(position);
    }
  }
}
