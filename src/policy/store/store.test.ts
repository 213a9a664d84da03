// The counter store's semantics, run unchanged against memory, a real redis-server and a one-node Redis Cluster:
// exact boundaries, uncounted refusals, conditional budget charges, batches, adjustments, expiry, and a dead Redis.
import Redis from 'ioredis';
import pino from 'pino';
import { eventually } from '../../../test/harness';
import { startRedis, type TestRedis } from '../../../test/redisServer';
import { MemoryCounterStore } from './memory';
import { RedisCounterStore } from './redis';
import { KEY_GRACE_MS, StoreUnavailableError, type CounterOp, type CounterStore } from './types';

const logger = pino({ level: 'silent' });
let redis: TestRedis;
let cluster: TestRedis;
const stores: Array<{ name: string; make: () => CounterStore }> = [];

beforeAll(async () => {
  [redis, cluster] = await Promise.all([startRedis(), startRedis({ cluster: true })]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), cluster?.stop()]);
});

stores.push({ name: 'memory', make: () => new MemoryCounterStore() });
stores.push({ name: 'redis', make: () => new RedisCounterStore({ url: redis.url, commandTimeout: 500, connectTimeout: 2000 }, logger) });
stores.push({ name: 'redis cluster', make: () => new RedisCounterStore({ cluster: [cluster.url], commandTimeout: 500, connectTimeout: 2000 }, logger) });

let n = 0;
/** Keys unique per test, sharing one hash tag per test (as one request's keys do). */
const keyFactory = () => {
  const tag = `{t${++n}-${Date.now()}}`;
  return (name: string) => `test:${tag}:${name}`;
};
const future = () => Date.now() + 60_000;
const hit = (key: string, max: number, kind: CounterOp['kind'] = 'hit', amount = 1): CounterOp => ({ key, kind, amount, max, windowEnd: future() });
const opts = { requireAllHits: false, now: 0 };

describe.each(stores)('$name counter store', ({ make }) => {
  let store: CounterStore;
  beforeEach(async () => {
    store = make();
    if (store instanceof RedisCounterStore) expect(await store.ready()).toBe(true);
  });
  afterEach(() => store.close());

  it('admits exactly max hits; every attempt counts', async () => {
    const key = keyFactory()('rl');
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await store.apply([hit(key, 3)], { ...opts, now: Date.now() }))[0]);
    expect(results.map((r) => r.admitted)).toEqual([true, true, true, false, false]);
    expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not count refused hits when asked (uncountRejected)', async () => {
    const key = keyFactory()('rl');
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await store.apply([hit(key, 2, 'hitIfAdmitted')], { ...opts, now: Date.now() }))[0]);
    expect(results).toEqual([
      { count: 1, admitted: true },
      { count: 2, admitted: true },
      { count: 2, admitted: false },
      { count: 2, admitted: false },
    ]);
  });

  it('charges a budget only when it fits', async () => {
    const key = keyFactory()('budget');
    expect(await store.apply([hit(key, 100, 'charge', 60)], { ...opts, now: Date.now() })).toEqual([{ count: 60, admitted: true }]);
    expect(await store.apply([hit(key, 100, 'charge', 41)], { ...opts, now: Date.now() })).toEqual([{ count: 60, admitted: false }]);
    expect(await store.apply([hit(key, 100, 'charge', 40)], { ...opts, now: Date.now() })).toEqual([{ count: 100, admitted: true }]);
    expect(await store.apply([hit(key, 100, 'charge', 0)], { ...opts, now: Date.now() })).toEqual([{ count: 100, admitted: true }]);
  });

  it('counts repeated keys in one batch in order, and skips the charge after a refused hit when required', async () => {
    const key = keyFactory();
    const batch = [hit(key('rl'), 1), hit(key('rl'), 1), hit(key('budget'), 100, 'charge', 10)];
    expect(await store.apply(batch, { requireAllHits: true, now: Date.now() })).toEqual([
      { count: 1, admitted: true },
      { count: 2, admitted: false },
      { count: 0, admitted: false },
    ]);
    // Without requireAllHits (partial mode) the request goes on without the refused field and pays.
    expect((await store.apply(batch, { requireAllHits: false, now: Date.now() }))[2]).toEqual({ count: 10, admitted: true });
  });

  it('adjusts an existing counter, never below zero', async () => {
    const key = keyFactory()('budget');
    await store.apply([hit(key, 100, 'charge', 50)], { ...opts, now: Date.now() });
    expect(await store.adjust(key, -20, future())).toBe(30);
    expect(await store.adjust(key, 15, future())).toBe(45);
    expect(await store.adjust(key, -1000, future())).toBe(0);
  });

  it('reconciles onto a counter that is gone: creates it for its window instead of doing nothing', async () => {
    const key = keyFactory()('budget');
    expect(await store.adjust(key, 247, future())).toBe(247);
    // The next charge sees it: 247 + 800 > 1000.
    expect(await store.apply([hit(key, 1000, 'charge', 800)], { ...opts, now: Date.now() })).toEqual([{ count: 247, admitted: false }]);
    // A refund onto a missing counter leaves 0, not a negative count.
    expect(await store.adjust(keyFactory()('budget'), -30, future())).toBe(0);
    // It expires with its window (plus grace), as a counter made by `apply` does.
    const old = keyFactory()('budget');
    await store.adjust(old, 500, Date.now() - KEY_GRACE_MS - 1000);
    expect(await store.apply([hit(old, 1000, 'charge', 800)], { ...opts, now: Date.now() })).toEqual([{ count: 800, admitted: true }]);
  });

  it('creates the counter on a charge of 0, so the reconciliation after it has one', async () => {
    const key = keyFactory()('budget');
    expect(await store.apply([hit(key, 100, 'charge', 0)], { ...opts, now: Date.now() })).toEqual([{ count: 0, admitted: true }]);
    expect(await store.adjust(key, 60, future())).toBe(60);
    expect(await store.apply([hit(key, 100, 'charge', 41)], { ...opts, now: Date.now() })).toEqual([{ count: 60, admitted: false }]);
  });

  it('never subtracts or skips on a crafted amount: negative adds 0, a fraction rounds up, NaN never fits', async () => {
    const key = keyFactory()('budget');
    await store.apply([hit(key, 100, 'charge', 50)], { ...opts, now: Date.now() });
    expect(await store.apply([hit(key, 100, 'charge', -50)], { ...opts, now: Date.now() })).toEqual([{ count: 50, admitted: true }]);
    expect(await store.apply([hit(key, 100, 'charge', 2.5)], { ...opts, now: Date.now() })).toEqual([{ count: 53, admitted: true }]);
    expect(await store.apply([hit(key, 100, 'charge', Number.NaN)], { ...opts, now: Date.now() })).toEqual([{ count: 53, admitted: false }]);
    expect(await store.apply([hit(key, 100, 'charge', Number.POSITIVE_INFINITY)], { ...opts, now: Date.now() })).toEqual([{ count: 53, admitted: false }]);
    expect(await store.adjust(key, Number.NaN, future())).toBe(53);
    expect(await store.adjust(key, Number.NEGATIVE_INFINITY, future())).toBe(53);
  });

  it('drops counters once their window (and grace) is over', async () => {
    const key = keyFactory()('rl');
    const past = Date.now() - KEY_GRACE_MS - 1000;
    await store.apply([{ key, kind: 'hit', amount: 1, max: 1, windowEnd: past }], { ...opts, now: Date.now() });
    expect(await store.apply([{ key, kind: 'hit', amount: 1, max: 1, windowEnd: future() }], { ...opts, now: Date.now() })).toEqual([{ count: 1, admitted: true }]);
  });
});

describe('redis counter store expiry', () => {
  it('gives a counter created by a reconciliation the window’s expiry', async () => {
    const store = new RedisCounterStore({ url: redis.url, commandTimeout: 500, connectTimeout: 2000 }, logger);
    const raw = new Redis(redis.url);
    try {
      expect(await store.ready()).toBe(true);
      const key = keyFactory()('budget');
      const windowEnd = Date.now() + 30_000;
      await store.adjust(key, 10, windowEnd);
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(30_000 + KEY_GRACE_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(30_000 + KEY_GRACE_MS);
      // An existing counter keeps its own expiry.
      await store.adjust(key, 5, windowEnd + 600_000);
      expect(await raw.pttl(key)).toBeLessThanOrEqual(30_000 + KEY_GRACE_MS);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});

describe('redis counter store failures', () => {
  it('fails fast while Redis is down and recovers when it returns', async () => {
    const own = await startRedis();
    const store = new RedisCounterStore({ url: own.url, commandTimeout: 200, connectTimeout: 500 }, logger);
    try {
      expect(await store.ready()).toBe(true);
      const key = keyFactory()('rl');
      await store.apply([hit(key, 10)], { ...opts, now: Date.now() });
      await own.kill();
      // Bounded: either the offline check or the command timeout answers; nothing waits for Redis to return.
      await expect(store.apply([hit(key, 10)], { ...opts, now: Date.now() })).rejects.toBeInstanceOf(StoreUnavailableError);
      await eventually(() => !store.status().available);
      expect(store.status().failures).toBeGreaterThan(0);
      await own.restart();
      expect(await store.ready(10_000)).toBe(true);
      // A fresh server (no persistence): counting starts again, and the script is reloaded after NOSCRIPT.
      expect(await store.apply([hit(key, 10)], { ...opts, now: Date.now() })).toEqual([{ count: 1, admitted: true }]);
      expect(store.status().available).toBe(true);
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it('keeps one request’s keys in one Cluster slot (hash tag); keys of two tags would be refused', async () => {
    const store = new RedisCounterStore({ cluster: [cluster.url], commandTimeout: 500, connectTimeout: 2000 }, logger);
    try {
      expect(await store.ready()).toBe(true);
      const a = keyFactory();
      const b = keyFactory();
      await expect(store.apply([hit(a('x'), 5), hit(b('y'), 5)], { ...opts, now: Date.now() })).rejects.toThrow(/CROSSSLOT|slot/i);
    } finally {
      await store.close();
    }
  });
});
