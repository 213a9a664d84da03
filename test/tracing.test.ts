// OpenTelemetry traces over real HTTP, captured by an in-memory exporter: the client's traceparent is the
// parent of tollgate.request, which is the parent of @apollo/gateway's spans (request → plan, execute → fetch),
// each fetch has a tollgate.fetch child, and each subgraph receives a traceparent naming that child.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { eventually, postJson, startTestGateway, tempDir } from './harness';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let catalogProxy: FaultProxy;
let stockProxy: FaultProxy;
let supergraph: string;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  graph = await startMiniGraph();
  catalogProxy = await startFaultProxy(graph.catalog.url);
  stockProxy = await startFaultProxy(graph.stock.url);
  supergraph = composeMiniGraph(catalogProxy.url, stockProxy.url);
  gateway = await startTestGateway(supergraph, { tracing: { enabled: true }, dedupe: { inbound: false } }, { spanExporter: exporter });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([catalogProxy?.close(), stockProxy?.close()]);
  await graph?.close();
});

beforeEach(() => {
  exporter.reset();
  catalogProxy.seen.length = 0;
  stockProxy.seen.length = 0;
});

const id = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

async function spansOf(requestId: string): Promise<ReadableSpan[]> {
  let spans: ReadableSpan[] = [];
  await eventually(() => {
    const root = exporter.getFinishedSpans().find((s) => s.name === 'tollgate.request' && s.attributes['tollgate.request_id'] === requestId);
    if (!root) return false;
    spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === root.spanContext().traceId);
    return true;
  });
  return spans;
}

it('continues the client trace: request → Apollo request, plan and fetches → tollgate.fetch per subgraph call', async () => {
  const reply = await postJson(gateway.url, { query: 'query Products { products { id name stock } }' }, { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01`, 'x-request-id': 'trace-1' });
  expect(reply.json.data.products).toHaveLength(2);
  const spans = await spansOf('trace-1');
  const named = (name: string) => spans.filter((s) => s.name === name);

  const [request] = named('tollgate.request');
  expect(request.spanContext().traceId).toBe(TRACE_ID);
  expect(parentOf(request)).toBe(CLIENT_SPAN);
  expect(request.attributes).toMatchObject({
    'graphql.operation.name': 'Products',
    'graphql.operation.type': 'query',
    'tollgate.client': 'anonymous',
    'tollgate.outcome': 'success',
    'http.response.status_code': 200,
  });

  const [apolloRequest] = named('gateway.request');
  expect(parentOf(apolloRequest)).toBe(id(request));
  const [plan] = named('gateway.plan');
  expect(parentOf(plan)).toBe(id(apolloRequest));

  const fetches = named('gateway.fetch');
  expect(fetches.map((f) => f.attributes.service).sort()).toEqual(['catalog', 'stock']);
  const ours = named('tollgate.fetch');
  expect(ours).toHaveLength(2);
  for (const fetch of fetches) {
    const child = ours.find((s) => parentOf(s) === id(fetch));
    expect(child).toBeDefined();
    expect(child!.attributes).toMatchObject({ 'tollgate.service': fetch.attributes.service, 'tollgate.fetch.kind': 'subgraph', 'tollgate.fetch.outcome': 'ok' });
  }

  // Each subgraph got a traceparent naming its own tollgate.fetch span, in the client's trace.
  const stockFetch = ours.find((s) => s.attributes['tollgate.service'] === 'stock')!;
  expect(stockProxy.seen[0].headers.traceparent).toBe(`00-${TRACE_ID}-${id(stockFetch)}-01`);
  const catalogFetch = ours.find((s) => s.attributes['tollgate.service'] === 'catalog')!;
  expect(catalogProxy.seen[0].headers.traceparent).toBe(`00-${TRACE_ID}-${id(catalogFetch)}-01`);
});

it('starts a new trace without a traceparent, and marks failed fetches', async () => {
  stockProxy.mode = { kind: 'hang-up' };
  try {
    await postJson(gateway.url, { query: '{ products { id stock } }' }, { 'x-request-id': 'trace-2' });
  } finally {
    stockProxy.mode = { kind: 'pass' };
  }
  const spans = await spansOf('trace-2');
  const request = spans.find((s) => s.name === 'tollgate.request')!;
  expect(request.parentSpanContext).toBeUndefined();
  expect(request.attributes['tollgate.outcome']).toBe('partial');
  const failed = spans.find((s) => s.name === 'tollgate.fetch' && s.attributes['tollgate.service'] === 'stock')!;
  expect(failed.attributes['tollgate.fetch.outcome']).toBe('subgraph_unavailable');
  expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
});

it('follows an unsampled traceparent: nothing recorded, the trace id still passed on', async () => {
  await postJson(gateway.url, { query: '{ warehouseCount }' }, { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-00`, 'x-request-id': 'trace-3' });
  // A sampled request sent after it: once its spans are exported, the unsampled one's would have been too.
  await postJson(gateway.url, { query: '{ warehouseCount }' }, { 'x-request-id': 'trace-3-marker' });
  await spansOf('trace-3-marker');
  expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === TRACE_ID)).toHaveLength(0);
  expect(stockProxy.seen[0].headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
});

it('still shares identical subgraph fetches in flight (the trace context is not part of the key)', async () => {
  stockProxy.mode = { kind: 'slow', delayMs: 150 };
  try {
    await Promise.all(Array.from({ length: 5 }, () => postJson(gateway.url, { query: '{ warehouseCount }' })));
  } finally {
    stockProxy.mode = { kind: 'pass' };
  }
  expect(stockProxy.seen).toHaveLength(1);
});

/** Runs a script with Node in a child process (real module loading: jest's sandbox can't do the exporter's dynamic import). */
function runNode(script: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: join(__dirname, '..') });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

/** A script that starts a gateway from dist with this config, sends one query, and stops it. */
function gatewayScript(config: Record<string, unknown>, after = ''): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'supergraph.graphql'), supergraph);
  const dist = join(__dirname, '..', 'dist', 'src');
  return `
    const { buildConfig } = require(${JSON.stringify(join(dist, 'config', 'load'))});
    const { startGateway } = require(${JSON.stringify(join(dist, 'gateway'))});
    const pino = require('pino');
    (async () => {
      const config = buildConfig({ server: { port: 0 }, supergraph: { file: 'supergraph.graphql' }, ...${JSON.stringify(config)} }, { baseDir: ${JSON.stringify(dir)} });
      const gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
      await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'otlp-1' }, body: '{"query":"{ warehouseCount }"}' });
      ${after}
      await gateway.close();
    })();`;
}

it('exports spans over OTLP/HTTP to tracing.endpoint (flushed on close)', async () => {
  const received: Array<{ path: string; headers: Record<string, unknown>; body: string }> = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  try {
    await runNode(gatewayScript({ tracing: { enabled: true, endpoint, headers: { 'x-collector-key': 'k' } } }));
  } finally {
    collector.close();
  }
  const exported = received.find((r) => r.body.includes('otlp-1'));
  expect(exported).toBeDefined();
  expect(exported!.path).toBe('/v1/traces');
  expect(exported!.headers['x-collector-key']).toBe('k');
  const payload = JSON.parse(exported!.body);
  const names = payload.resourceSpans.flatMap((r: { scopeSpans: Array<{ spans: Array<{ name: string }> }> }) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)));
  expect(names).toEqual(expect.arrayContaining(['tollgate.request', 'gateway.request', 'gateway.plan', 'gateway.fetch', 'tollgate.fetch']));
});

it('loads no OpenTelemetry SDK when tracing is off (the default)', async () => {
  const report = `console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /@opentelemetry[\\\\/](sdk-trace|context-async-hooks|exporter-trace)/.test(f))));`;
  const output = await runNode(gatewayScript({}, report));
  expect(JSON.parse(output.trim())).toEqual([]);
});
