// Limits shared across instances: two real gateway processes (and a `--workers 2` cluster) on one real
// redis-server, hammered concurrently, admit exactly `max` calls and spend exactly the budget. Then Redis is
// killed mid-test: `open` serves without limits, `closed` answers 503, /ready shows it, nothing hangs — and both
// enforce again once Redis is back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startGatewayProcess, type GatewayProcess } from './fixtures/gatewayProcess';
import { LIBRARY_SDL, startLibrary } from './fixtures/limitsGraph';
import { compose, eventually, http, postJson, startTestGateway, tempDir, windowClock, type HttpReply } from './harness';
import { startRedis, type TestRedis } from './redisServer';

const PING_MAX = 25;
const BUDGET = 30;

let library: Awaited<ReturnType<typeof startLibrary>>;
let redis: TestRedis;
let supergraph: string;
let dir: string;

/**
 * Waits, when needed, so that `needMs` fit before the current epoch-aligned window of `windowMs` ends. Only for the
 * gateways run as processes (they read the real clock; a clock switch in production code would be a back door);
 * the in-process gateways below are given a `windowClock` instead.
 */
/** A week: epoch-aligned windows end Thursdays 00:00 UTC, so the wait below happens in 30 s of every week at most. */
const PROCESS_WINDOW = '7d';
const PROCESS_WINDOW_MS = 7 * 86_400_000;

async function awayFromWindowEdge(windowMs: number, needMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}

function writeConfig(name: string, keyPrefix: string, extra: Record<string, unknown> = {}): string {
  const supergraphFile = join(dir, 'supergraph.graphql');
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      supergraph: { file: supergraphFile, watch: false },
      logging: { level: 'warn' },
      // A generous timeout: these tests count admissions; on a busy machine a short one would fail open and over-admit.
      store: { kind: 'redis', redis: { url: redis.url, keyPrefix, commandTimeout: '5s' } },
      rateLimits: { fields: { 'Query.ping': { max: PING_MAX, window: PROCESS_WINDOW } } },
      // newestAdditions(limit: 1) { id } costs 1: the budget admits exactly BUDGET of them.
      cost: { all: { budget: { max: BUDGET, window: PROCESS_WINDOW } } },
      ...extra,
    }),
  );
  return file;
}

/** Fires `total` requests at once, spread round-robin over the gateways. */
function burst(urls: string[], total: number, body: unknown): Promise<HttpReply[]> {
  return Promise.all(Array.from({ length: total }, (_, i) => postJson(urls[i % urls.length], body)));
}

beforeAll(async () => {
  [library, redis] = await Promise.all([startLibrary(), startRedis()]);
  supergraph = compose([{ name: 'library', url: library.server.url, sdl: LIBRARY_SDL }]);
  dir = tempDir();
  writeFileSync(join(dir, 'supergraph.graphql'), supergraph);
});

afterAll(async () => {
  await redis?.stop();
  await library?.server.close();
});

describe('two gateway processes, one Redis', () => {
  let a: GatewayProcess;
  let b: GatewayProcess;
  beforeAll(async () => {
    const config = writeConfig('pair', 'pair:');
    [a, b] = await Promise.all([startGatewayProcess(config), startGatewayProcess(config)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });
  beforeEach(() => awayFromWindowEdge(PROCESS_WINDOW_MS, 30_000));

  it('admit exactly max calls of a limited field under concurrent load', async () => {
    const replies = await burst([a.url, b.url], 8 * PING_MAX, { query: '{ ping }' });
    const admitted = replies.filter((r) => r.json?.data?.ping === 'pong');
    const limited = replies.filter((r) => r.json?.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(admitted).toHaveLength(PING_MAX);
    expect(limited).toHaveLength(7 * PING_MAX);
    // Both instances refused some: the limit is shared, not per instance.
    expect(new Set(limited.map((r) => r.headers.get('ratelimit-remaining')))).toEqual(new Set(['0']));
  });

  it('spend exactly the budget under concurrent load', async () => {
    const replies = await burst([a.url, b.url], 4 * BUDGET, { query: '{ newestAdditions(limit: 1) { id } }' });
    expect(replies.filter((r) => r.status === 200)).toHaveLength(BUDGET);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(3 * BUDGET);
    expect(refused[0].json.errors[0].extensions.code).toBe('COST_BUDGET_EXCEEDED');
    expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('tollgate start --workers 2', () => {
  let cluster: GatewayProcess;
  beforeAll(async () => {
    cluster = await startGatewayProcess(writeConfig('workers', 'workers:', { logging: { level: 'info' } }), ['--workers', '2']);
  }, 60_000);
  afterAll(() => cluster?.stop());
  beforeEach(() => awayFromWindowEdge(PROCESS_WINDOW_MS, 30_000));

  it('serves from several workers that share the limits', async () => {
    const replies = await burst([cluster.url], 6 * PING_MAX, { query: '{ ping }' });
    expect(replies.filter((r) => r.json?.data?.ping === 'pong')).toHaveLength(PING_MAX);
    const odd = replies.filter((r) => r.json?.data?.ping !== 'pong' && r.json?.errors?.[0]?.extensions?.code !== 'RATE_LIMITED');
    expect(odd.map((r) => [r.status, r.text.slice(0, 300)])).toEqual([]);
    expect(replies.filter((r) => r.json?.errors?.[0]?.extensions?.code === 'RATE_LIMITED')).toHaveLength(5 * PING_MAX);
    // Each worker logs its own start-up line.
    await eventually(() => (cluster.output().match(/tollgate is serving/g) ?? []).length === 2);
  });
});

describe('Redis killed mid-test', () => {
  let own: TestRedis;
  let open: Awaited<ReturnType<typeof startTestGateway>>;
  let closed: Awaited<ReturnType<typeof startTestGateway>>;
  const ping = { query: '{ ping }' };

  beforeAll(async () => {
    own = await startRedis();
    // Own key prefixes: the two gateways must not share counters here.
    const store = (onUnavailable: 'open' | 'closed') => ({ kind: 'redis' as const, onUnavailable, redis: { url: own.url, keyPrefix: `${onUnavailable}:`, commandTimeout: '200ms', connectTimeout: '500ms' } });
    const rateLimits = { fields: { 'Query.ping': { max: 2, window: '1h' } } };
    const clock = windowClock(3_600_000);
    open = await startTestGateway(supergraph, { store: store('open'), rateLimits, server: { trustedProxies: ['127.0.0.1'] } }, { now: clock.now });
    closed = await startTestGateway(supergraph, { store: store('closed'), rateLimits, server: { trustedProxies: ['127.0.0.1'] } }, { now: clock.now });
  });
  afterAll(async () => {
    await open?.close();
    await closed?.close();
    await own?.stop();
  });

  it('fails open or closed as configured, shows it in /ready, and enforces again after recovery', async () => {
    const client = { 'x-forwarded-for': '203.0.113.50' };
    for (const gateway of [open, closed]) {
      expect((await postJson(gateway.url, ping, client)).json.data.ping).toBe('pong');
      expect((await postJson(gateway.url, ping, client)).json.data.ping).toBe('pong');
      expect((await postJson(gateway.url, ping, client)).json.errors[0].extensions.code).toBe('RATE_LIMITED');
    }

    await own.kill();
    // Open: served, unlimited, without RateLimit headers. Every request answers (a hang would time the test out).
    for (let i = 0; i < 3; i++) {
      const reply = await postJson(open.url, ping, client);
      expect(reply.json).toEqual({ data: { ping: 'pong' } });
      expect(reply.headers.get('ratelimit-limit')).toBeNull();
    }
    // Closed: refused with 503 and Retry-After; a request without a limited field is still served.
    const refused = await postJson(closed.url, ping, client);
    expect(refused.status).toBe(503);
    expect(refused.json.errors[0].extensions.code).toBe('RATE_LIMIT_STORE_UNAVAILABLE');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await postJson(closed.url, { query: '{ bestsellers { id } }' }, client)).status).toBe(200);
    const ready = await http(open.url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(200);
    expect(ready.json.limitsStore).toMatchObject({ kind: 'redis', available: false });
    expect(ready.json.limitsStore.failures).toBeGreaterThan(0);

    await own.restart();
    // Recovery: a fresh Redis (no persistence) counts from zero again, on both.
    for (const gateway of [open, closed]) {
      await eventually(async () => (await postJson(gateway.url, ping, { 'x-forwarded-for': '203.0.113.51' })).status === 200, 15_000);
    }
    const fresh = { 'x-forwarded-for': '203.0.113.52' };
    for (const gateway of [open, closed]) {
      expect((await postJson(gateway.url, ping, fresh)).json.data.ping).toBe('pong');
    }
    expect((await postJson(open.url, ping, fresh)).json.data.ping).toBe('pong');
    expect((await postJson(open.url, ping, fresh)).json.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await http(closed.url.replace('/graphql', '/ready'))).json.limitsStore.available).toBe(true);
  });
});

describe('Redis Cluster store', () => {
  it('enforces limits through a Cluster (one slot per client via hash tags)', async () => {
    const node = await startRedis({ cluster: true });
    const gateway = await startTestGateway(supergraph, {
      store: { kind: 'redis', redis: { cluster: [node.url] } },
      rateLimits: { fields: { 'Query.ping': { max: 2, window: '1h' } } },
      cost: { all: { budget: { max: 100, window: '1h' } } },
    }, { now: windowClock(3_600_000).now });
    try {
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await postJson(gateway.url, { query: '{ ping newestAdditions(limit: 1) { id } }' }));
      expect(replies.map((r) => r.json.data.ping)).toEqual(['pong', 'pong', null]);
      expect(replies[2].json.errors[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await gateway.close();
      await node.stop();
    }
  });
});
