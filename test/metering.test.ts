// Usage metering for billing over real HTTP and a real redis-server: exact totals per client and plan after
// concurrent traffic, across a graceful restart and two gateways on one Redis, through a Redis outage, and
// exported by GET /admin/metering and by `tollgate usage` (reading Redis, or asking a gateway).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TollgateConfigInput } from '../src/config/schema';
import type { MeteredRow } from '../src/telemetry/metering/export';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { eventually, http, postJson, startTestGateway, tempDir } from './harness';
import { startRedis, type TestRedis } from './redisServer';

const ADMIN_KEY = 'usage-test-admin-key-0123';
const KEYS = { acme: 'acme-api-key-0123456789', bob: 'bob-api-key-0123456789' };
const CLI = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let supergraph: string;
let redis: TestRedis;

const config = (overrides: TollgateConfigInput = {}): TollgateConfigInput => ({
  publish: { admin: { keys: [{ client: 'billing', key: ADMIN_KEY }] } },
  authentication: {
    apiKeys: {
      keys: [
        { client: 'acme', key: KEYS.acme, plan: 'pro' },
        { client: 'bob', key: KEYS.bob, plan: 'free' },
      ],
    },
  },
  metering: { redis: { url: redis.url }, flushInterval: '1h' },
  // Shared executions make one set of subgraph calls for several requests; off, so calls per request are exact.
  dedupe: { inbound: false },
  ...overrides,
});

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

/** `n` requests at once: each calls catalog and stock (or catalog only, or is refused). */
async function traffic(gateway: Gateway, client: keyof typeof KEYS, n: { joined?: number; catalogOnly?: number; refused?: number }) {
  const headers = { 'x-api-key': KEYS[client] };
  const replies = await Promise.all([
    ...Array.from({ length: n.joined ?? 0 }, () => postJson(gateway.url, { query: '{ products { id name stock } }' }, headers)),
    ...Array.from({ length: n.catalogOnly ?? 0 }, () => postJson(gateway.url, { query: '{ products { id } }' }, headers)),
    ...Array.from({ length: n.refused ?? 0 }, () => postJson(gateway.url, { query: '{ nope }' }, headers)),
  ]);
  expect(replies.filter((r) => r.status === 200)).toHaveLength((n.joined ?? 0) + (n.catalogOnly ?? 0));
}

/** Totals per client over every row (the test may straddle an hour or a day). */
function totals(rows: MeteredRow[]) {
  const out: Record<string, { plan: string; operations: number; errors: number; rejected: number; calls: Record<string, number> }> = {};
  for (const row of rows) {
    const t = (out[row.client] ??= { plan: row.plan, operations: 0, errors: 0, rejected: 0, calls: {} });
    t.operations += row.operations;
    t.errors += row.errors;
    t.rejected += row.rejected;
    for (const [service, n] of Object.entries(row.calls)) t.calls[service] = (t.calls[service] ?? 0) + n;
  }
  return out;
}

/** Runs the CLI without blocking this process (the gateway under test answers from it). */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const range = () => ({ from: new Date(Date.now() - 2 * 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });

async function exportJson(gateway: Gateway): Promise<MeteredRow[]> {
  const search = new URLSearchParams({ ...range(), granularity: 'hour' });
  const reply = await http(`${gateway.baseUrl}/admin/metering?${search}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(reply.status).toBe(200);
  return reply.json.rows;
}

beforeAll(async () => {
  graph = await startMiniGraph();
  supergraph = composeMiniGraph(graph.catalog.url, graph.stock.url);
});

afterAll(async () => {
  await graph?.close();
});

beforeEach(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  await redis?.stop();
});

it('keeps exact totals across concurrent traffic, a graceful restart and two gateways on one Redis', async () => {
  const first = await startTestGateway(supergraph, config());
  await Promise.all([traffic(first, 'acme', { joined: 30, catalogOnly: 10 }), traffic(first, 'bob', { joined: 12, refused: 5 })]);
  // Nothing was flushed yet (flushInterval 1h): a graceful stop writes it all.
  await first.close();

  const second = await startTestGateway(supergraph, config());
  const third = await startTestGateway(supergraph, config());
  try {
    await Promise.all([traffic(second, 'acme', { joined: 7 }), traffic(third, 'acme', { catalogOnly: 4 }), traffic(third, 'bob', { joined: 3, refused: 1 })]);
    await third.close();
    expect(totals(await exportJson(second))).toEqual({
      acme: { plan: 'pro', operations: 51, errors: 0, rejected: 0, calls: { catalog: 51, stock: 37 } },
      bob: { plan: 'free', operations: 21, errors: 6, rejected: 6, calls: { catalog: 15, stock: 15 } },
    });
  } finally {
    await second.close();
  }

  // `tollgate usage` reads the same totals straight from Redis.
  const dir = tempDir();
  const file = join(dir, 'tollgate.yaml');
  writeFileSync(file, stringify({ metering: { redis: { url: redis.url } } }));
  const { from, to } = range();
  const csv = await cli(['usage', '--config', file, '--from', from, '--to', to, '--granularity', 'day', '--format', 'csv']);
  expect(csv.stderr).toBe('');
  expect(csv.status).toBe(0);
  const [header, ...lines] = csv.stdout.trim().split('\n');
  expect(header).toBe('period,client,plan,operations,errors,rejected,estimated_cost,actual_cost,calls_catalog,calls_stock');
  const sum = (client: string, column: number) => lines.filter((l) => l.split(',')[1] === client).reduce((n, l) => n + Number(l.split(',')[column]), 0);
  expect([sum('acme', 3), sum('acme', 8), sum('acme', 9), sum('bob', 3), sum('bob', 5)]).toEqual([51, 51, 37, 21, 6]);
});

it('keeps what it counted while Redis is down, and writes it exactly once when Redis is back', async () => {
  const gateway = await startTestGateway(supergraph, config());
  try {
    await traffic(gateway, 'acme', { joined: 5 });
    expect(await gateway.telemetry.meter!.flush()).toBe(true);
    await redis.kill();
    await traffic(gateway, 'acme', { joined: 4 });
    await traffic(gateway, 'bob', { catalogOnly: 2 });
    expect(await gateway.telemetry.meter!.flush()).toBe(false);
    expect(await gateway.telemetry.meter!.flush()).toBe(false);
    // The outage answer says so rather than hiding it.
    const during = await http(`${gateway.baseUrl}/admin/metering`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(during.status).toBe(503);
    expect(during.json.errors[0].extensions.code).toBe('ADMIN_UNAVAILABLE');
    // redis-server here keeps nothing on disk: what it had before the kill is gone, the counts kept here are not.
    await redis.restart();
    // The client reconnects on its own schedule; until then a flush fails fast and is retried.
    await eventually(async () => (await gateway.telemetry.meter!.flush()) === true);
    expect(totals(await exportJson(gateway))).toEqual({
      acme: { plan: 'pro', operations: 4, errors: 0, rejected: 0, calls: { catalog: 4, stock: 4 } },
      bob: { plan: 'free', operations: 2, errors: 0, rejected: 0, calls: { catalog: 2 } },
    });
  } finally {
    await gateway.close();
  }
});

describe('the export endpoint and command', () => {
  let gateway: Gateway;

  beforeEach(async () => {
    gateway = await startTestGateway(supergraph, config({ metering: {} }));
    await traffic(gateway, 'bob', { joined: 2 });
  });

  afterEach(() => gateway.close());

  it('needs the admin key (Bearer or Basic), and is off without one configured', async () => {
    const refused = await http(`${gateway.baseUrl}/admin/metering`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Basic');
    expect(refused.json.errors[0].extensions.code).toBe('ADMIN_UNAUTHENTICATED');
    expect((await http(`${gateway.baseUrl}/admin/metering`, { headers: { authorization: 'Bearer wrong-key-0123456789' } })).status).toBe(401);
    const basic = `Basic ${Buffer.from(`anyone:${ADMIN_KEY}`).toString('base64')}`;
    expect((await http(`${gateway.baseUrl}/admin/metering`, { headers: { authorization: basic } })).status).toBe(200);
    const closed = await startTestGateway(supergraph, { ...config({ metering: {} }), publish: {} });
    try {
      const off = await http(`${closed.baseUrl}/admin/metering`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(off.status).toBe(404);
      expect(off.json.errors[0].extensions.code).toBe('NOT_FOUND');
    } finally {
      await closed.close();
    }
  });

  it('answers JSON by default and CSV on request, and refuses a bad range', async () => {
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    const json = await http(`${gateway.baseUrl}/admin/metering`, { headers: auth });
    expect(json.json).toMatchObject({ granularity: 'day', rows: [{ client: 'bob', plan: 'free', operations: 2, calls: { catalog: 2, stock: 2 } }] });
    const csv = await http(`${gateway.baseUrl}/admin/metering?format=csv`, { headers: auth });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toMatch(/^period,client,plan,operations,errors,rejected,estimated_cost,actual_cost,calls_catalog,calls_stock\n\d{4}-\d\d-\d\dT00:00:00Z,bob,free,2,0,0,0,0,2,2\n$/);
    const bad = await http(`${gateway.baseUrl}/admin/metering?from=yesterday`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('`tollgate usage --gateway` asks the gateway with the admin key', async () => {
    const ok = await cli(['usage', '--gateway', gateway.baseUrl, '--format', 'json'], { ...process.env, TOLLGATE_ADMIN_KEY: ADMIN_KEY });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).rows).toMatchObject([{ client: 'bob', operations: 2 }]);
    const denied = await cli(['usage', '--gateway', gateway.baseUrl], { ...process.env, TOLLGATE_ADMIN_KEY: 'wrong-key-0123456789' });
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain('401');
  });
});

it('applies a batch to Redis atomically and at most once, so a retried flush never counts twice', async () => {
  const { RedisMeteringStore } = await import('../src/telemetry/metering/redisStore');
  const store = new RedisMeteringStore({ url: redis.url, keyPrefix: '{test}:usage', retentionMs: 86_400_000 });
  try {
    const hour = Date.UTC(2025, 0, 31, 10);
    const counts = { hour, client: 'acme', plan: 'pro', operations: 3, errors: 1, rejected: 0, estimatedCost: 2.5, actualCost: 1.25, calls: { products: 3 } };
    await store.add({ id: 'batch-1', counts: [counts] });
    await store.add({ id: 'batch-1', counts: [counts] });
    await store.add({ id: 'batch-2', counts: [{ ...counts, hour: hour + 3_600_000 }] });
    const read = await store.read(hour, hour + 2 * 3_600_000);
    expect(read.sort((a, b) => a.hour - b.hour)).toEqual([counts, { ...counts, hour: hour + 3_600_000 }]);
  } finally {
    await store.close();
  }
});

it('meters the cost policy units per client: estimated and actual', async () => {
  const gateway = await startTestGateway(supergraph, config({ metering: {}, cost: { all: { max: 100_000 } } }));
  try {
    await traffic(gateway, 'acme', { joined: 3 });
    const [row] = await exportJson(gateway);
    expect(row).toMatchObject({ client: 'acme', operations: 3 });
    // Three requests of one operation: the same estimate each, and an actual cost measured on each answer.
    expect(row.estimatedCost).toBeGreaterThan(0);
    expect(row.estimatedCost % 3).toBe(0);
    expect(row.actualCost).toBeGreaterThan(0);
    expect(row.actualCost).toBeLessThanOrEqual(row.estimatedCost);
    const metrics = await http(`${gateway.baseUrl}/metrics`);
    expect(metrics.text).toMatch(/^tollgate_operation_cost_estimated_count 3$/m);
    expect(metrics.text).toMatch(/^tollgate_operation_cost_actual_count 3$/m);
  } finally {
    await gateway.close();
  }
});
