// The rolling windows' arithmetic: latency buckets and quantiles, sums over a window, and the ring reusing
// a slot a lap later without leaking the old second into the new one.
import { LATENCY_BUCKETS, RollingSeries, SLOT_MS, SLOTS, bucketBoundsMs, latencyBucket, quantileMs } from './window';

describe('latency buckets', () => {
  it('puts each value in the bucket whose bounds hold it', () => {
    for (const ms of [0, 0.05, 0.1, 0.99, 1, 7.3, 42, 250, 1000, 30_000]) {
      const [lower, upper] = bucketBoundsMs(latencyBucket(ms));
      expect(ms).toBeGreaterThanOrEqual(lower);
      expect(ms).toBeLessThan(upper);
    }
    expect(latencyBucket(10 * 60_000)).toBe(LATENCY_BUCKETS - 1);
    expect(latencyBucket(Number.NaN)).toBe(0);
  });

  it('estimates quantiles within a bucket width (25 %)', () => {
    const histogram = new Uint32Array(LATENCY_BUCKETS);
    for (let i = 1; i <= 1000; i++) histogram[latencyBucket(i)] += 1; // 1 … 1000 ms
    const p50 = quantileMs(histogram, 0.5)!;
    const p99 = quantileMs(histogram, 0.99)!;
    expect(p50).toBeGreaterThan(500 / 1.25);
    expect(p50).toBeLessThan(500 * 1.25);
    expect(p99).toBeGreaterThan(990 / 1.25);
    expect(p99).toBeLessThan(990 * 1.25);
    expect(quantileMs(new Uint32Array(LATENCY_BUCKETS), 0.99)).toBeUndefined();
  });
});

describe('RollingSeries', () => {
  const t0 = 1_700_000_000_000;

  it('sums counters and latencies over the seconds in a window', () => {
    const series = new RollingSeries(['requests', 'errors'] as const);
    series.add(t0, 0);
    series.add(t0 + 500, 0);
    series.add(t0 + 2_000, 0, 3);
    series.add(t0 + 2_000, 1);
    series.observe(t0 + 2_000, 12);
    expect(series.totals(t0 + 2_000, 5_000).counts).toEqual({ requests: 5, errors: 1 });
    // A one-second window at t0+2s sees only that second.
    expect(series.totals(t0 + 2_000, 1_000).counts).toEqual({ requests: 3, errors: 1 });
    // 10 s later, a 5 s window is empty.
    expect(series.totals(t0 + 12_000, 5_000).counts).toEqual({ requests: 0, errors: 0 });
    expect(quantileMs(series.totals(t0 + 2_000, 5_000).histogram, 0.5)).toBeCloseTo(12, -1);
  });

  it('clears a slot reused a lap later', () => {
    const series = new RollingSeries(['requests'] as const);
    series.add(t0, 0, 7);
    const lap = t0 + SLOTS * SLOT_MS;
    series.add(lap, 0, 1);
    expect(series.totals(lap, SLOT_MS).counts.requests).toBe(1);
    // The old second is outside any window ending a lap later, and was overwritten anyway.
    expect(series.totals(lap, SLOTS * SLOT_MS).counts.requests).toBe(1);
  });

  it('gives one value per step, oldest first', () => {
    const series = new RollingSeries(['requests'] as const);
    series.add(t0 - 9_000, 0, 2);
    series.add(t0, 0, 5);
    expect(series.series(t0, 10_000, 5_000, 'requests')).toEqual([2, 5]);
    series.observe(t0, 100);
    const [older, newer] = series.series(t0, 10_000, 5_000, { quantile: 0.99 });
    expect(older).toBeNull();
    expect(newer).toBeGreaterThan(80);
  });
});
