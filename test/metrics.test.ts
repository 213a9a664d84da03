// Prometheus metrics after real traffic: scrape /metrics over HTTP, parse it like Prometheus would, and check
// requests by operation, client and outcome, latency histograms, subgraph fetches and failures by service,
// rejections by code, supergraph reloads, process metrics, and bounded operation-name labels.
import { writeFileSync } from 'node:fs';
import { CATALOG_SDL, composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { parsePrometheus, type Scrape } from './fixtures/promText';
import { compose, eventually, http, postJson, startTestGateway } from './harness';

const ADMIN_KEY = 'metrics-test-admin-key-0123';
const PARTNER_KEY = 'partner-api-key-0123456789';

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let stockProxy: FaultProxy;
let supergraph: string;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

const scrape = async (base = gateway.baseUrl, headers: Record<string, string> = {}): Promise<Scrape> => {
  const reply = await http(`${base}/metrics`, { headers });
  expect(reply.status).toBe(200);
  expect(reply.headers.get('content-type')).toContain('text/plain');
  return parsePrometheus(reply.text);
};

beforeAll(async () => {
  graph = await startMiniGraph();
  stockProxy = await startFaultProxy(graph.stock.url);
  supergraph = composeMiniGraph(graph.catalog.url, stockProxy.url);
  gateway = await startTestGateway(supergraph, {
    publish: { admin: { keys: [{ client: 'ops', key: ADMIN_KEY }] } },
    authentication: { apiKeys: { keys: [{ client: 'partner', key: PARTNER_KEY, plan: 'pro' }] } },
    metrics: { maxOperationNames: 3 },
    traffic: { subgraphs: { stock: { timeout: '300ms' } } },
    dedupe: { inbound: false },
  });
});

afterAll(async () => {
  await gateway?.close();
  await stockProxy?.close();
  await graph?.close();
});

describe('/metrics after real traffic', () => {
  let metrics: Scrape;

  beforeAll(async () => {
    const partner = { 'x-api-key': PARTNER_KEY };
    for (let i = 0; i < 5; i++) expect((await postJson(gateway.url, { query: 'query Products { products { id name stock } }' }, partner)).status).toBe(200);
    for (let i = 0; i < 3; i++) await postJson(gateway.url, { query: 'query Count { warehouseCount }' });
    stockProxy.mode = { kind: 'status', status: 500 };
    const partial = await postJson(gateway.url, { query: 'query Products { products { id name stock } }' }, partner);
    expect(partial.json.errors[0].extensions.code).toBe('SUBGRAPH_BAD_RESPONSE');
    stockProxy.mode = { kind: 'pass' };
    expect((await postJson(gateway.url, { query: '{ nope }' })).status).toBe(400);
    expect((await postJson(gateway.url, { query: '{ products { id }' })).status).toBe(400);
    expect((await postJson(gateway.url, { query: '{ products { id } }' }, { 'x-api-key': 'not-a-valid-key-at-all' })).status).toBe(401);
    metrics = await scrape();
  });

  it('counts requests by operation name, client and outcome', () => {
    expect(metrics.types.get('tollgate_requests_total')).toBe('counter');
    expect(metrics.value('tollgate_requests_total', { operation: 'Products', client: 'partner', outcome: 'success' })).toBe(5);
    expect(metrics.value('tollgate_requests_total', { operation: 'Products', client: 'partner', outcome: 'partial' })).toBe(1);
    expect(metrics.value('tollgate_requests_total', { operation: 'Count', client: 'anonymous', outcome: 'success' })).toBe(3);
    // The validation failure is an anonymous operation; the parse failure never had one.
    expect(metrics.value('tollgate_requests_total', { operation: '__anonymous__', client: 'anonymous', outcome: 'rejected' })).toBe(2);
    expect(metrics.value('tollgate_requests_total', { operation: '__unknown__', client: 'anonymous', outcome: 'rejected' })).toBe(1);
  });

  it('has request latency histograms per operation, consistent with the counts', () => {
    expect(metrics.types.get('tollgate_request_duration_seconds')).toBe('histogram');
    expect(metrics.value('tollgate_request_duration_seconds_count', { operation: 'Products' })).toBe(6);
    expect(metrics.value('tollgate_request_duration_seconds_bucket', { operation: 'Products', le: '+Inf' })).toBe(6);
    expect(metrics.value('tollgate_request_duration_seconds_sum', { operation: 'Products' })).toBeGreaterThan(0);
    const buckets = metrics.find('tollgate_request_duration_seconds_bucket', { operation: 'Count' }).map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });

  it('counts subgraph fetches by service and outcome, with latency per service', () => {
    expect(metrics.value('tollgate_fetches_total', { service: 'catalog', kind: 'subgraph', outcome: 'ok' })).toBe(6);
    expect(metrics.value('tollgate_fetches_total', { service: 'stock', kind: 'subgraph', outcome: 'ok' })).toBe(8);
    expect(metrics.value('tollgate_fetches_total', { service: 'stock', kind: 'subgraph', outcome: 'subgraph_bad_response' })).toBe(1);
    expect(metrics.value('tollgate_fetch_duration_seconds_count', { service: 'stock', kind: 'subgraph' })).toBe(9);
  });

  it('counts errors in answers by service and code, and rejections by code and client', () => {
    expect(metrics.value('tollgate_response_errors_total', { service: 'stock', code: 'SUBGRAPH_BAD_RESPONSE' })).toBe(1);
    expect(metrics.value('tollgate_rejections_total', { code: 'GRAPHQL_VALIDATION_FAILED', client: 'anonymous' })).toBe(1);
    expect(metrics.value('tollgate_rejections_total', { code: 'GRAPHQL_PARSE_FAILED', client: 'anonymous' })).toBe(1);
    expect(metrics.value('tollgate_rejections_total', { code: 'UNAUTHENTICATED', client: 'anonymous' })).toBe(1);
  });

  it('exposes Node process metrics', () => {
    expect(metrics.find('process_cpu_user_seconds_total')).toHaveLength(1);
    expect(metrics.find('nodejs_heap_size_used_bytes')).toHaveLength(1);
    expect(metrics.find('nodejs_eventloop_lag_seconds')).toHaveLength(1);
  });
});

it('collapses operation names past metrics.maxOperationNames into __other__, and says so', async () => {
  // Products and Count took two of the three slots above.
  for (const name of ['A', 'B', 'C', 'D']) await postJson(gateway.url, { query: `query ${name} { warehouseCount }` });
  const metrics = await scrape();
  expect(metrics.value('tollgate_requests_total', { operation: 'A', outcome: 'success' })).toBe(1);
  expect(metrics.find('tollgate_requests_total', { operation: 'B' })).toHaveLength(0);
  expect(metrics.value('tollgate_requests_total', { operation: '__other__', outcome: 'success' })).toBe(3);
  expect(metrics.value('tollgate_metric_label_overflow_total', { label: 'operation' })).toBeGreaterThanOrEqual(3);
});

it('does not let refused requests take operation-name slots', async () => {
  const other = await startTestGateway(supergraph, { metrics: { maxOperationNames: 1 } });
  try {
    for (let i = 0; i < 3; i++) await postJson(other.url, { query: `query Bogus${i} { nope }` });
    await postJson(other.url, { query: 'query Real { warehouseCount }' });
    const metrics = await scrape(other.baseUrl);
    expect(metrics.value('tollgate_requests_total', { operation: 'Real', outcome: 'success' })).toBe(1);
    expect(metrics.value('tollgate_requests_total', { operation: '__other__', outcome: 'rejected' })).toBe(3);
  } finally {
    await other.close();
  }
});

it('counts supergraph reloads by result', async () => {
  const other = await startTestGateway(supergraph);
  try {
    writeFileSync(other.supergraphFile, compose([{ name: 'catalog', url: graph.catalog.url, sdl: CATALOG_SDL }]));
    await eventually(() => other.supergraph.status.reloads === 1);
    writeFileSync(other.supergraphFile, 'not a supergraph {');
    await eventually(() => other.supergraph.status.lastError !== undefined);
    const metrics = await scrape(other.baseUrl);
    expect(metrics.value('tollgate_supergraph_reloads_total', { result: 'success' })).toBe(1);
    expect(metrics.value('tollgate_supergraph_reloads_total', { result: 'failure' })).toBe(1);
  } finally {
    await other.close();
  }
});

it('serves metrics on the configured path, behind the admin key when asked, or not at all', async () => {
  const guarded = await startTestGateway(supergraph, { publish: { admin: { keys: [{ client: 'ops', key: ADMIN_KEY }] } }, metrics: { path: '/internal/metrics', requireAdminKey: true } });
  const off = await startTestGateway(supergraph, { metrics: { enabled: false } });
  try {
    const refused = await http(`${guarded.baseUrl}/internal/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.json.errors[0].extensions.code).toBe('ADMIN_UNAUTHENTICATED');
    const allowed = await http(`${guarded.baseUrl}/internal/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(parsePrometheus(allowed.text).find('tollgate_requests_total')).toBeDefined();
    expect((await http(`${guarded.baseUrl}/metrics`)).status).toBe(404);
    expect((await http(`${off.baseUrl}/metrics`)).status).toBe(404);
  } finally {
    await Promise.all([guarded.close(), off.close()]);
  }
});
