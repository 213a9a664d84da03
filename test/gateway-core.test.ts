// The gateway core over real HTTP: one query over two real subgraphs, subgraph failures as partial data
// with coded errors, request edges (bad JSON, limits, CSRF, methods), header propagation, dedup, hot reload.
import { writeFileSync } from 'node:fs';
import { CATALOG_SDL, STOCK_SDL, composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { closedPort, compose, eventually, http, postJson, startTestGateway } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const JOIN_QUERY = '{ products { id name stock } }';

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let catalogProxy: FaultProxy;
let stockProxy: FaultProxy;
let supergraph: string;
let gateway: Gateway;

beforeAll(async () => {
  graph = await startMiniGraph();
  catalogProxy = await startFaultProxy(graph.catalog.url);
  stockProxy = await startFaultProxy(graph.stock.url);
  supergraph = composeMiniGraph(catalogProxy.url, stockProxy.url);
  gateway = await startTestGateway(supergraph, {
    server: { bodyLimit: '4kb' },
    limits: { maxDepth: 5, maxAliases: 3, maxRootFields: 3, maxTokens: 300 },
    traffic: { subgraphs: { stock: { timeout: '300ms' } } },
    headers: {
      all: [{ propagate: { named: 'x-tenant' } }, { insert: { name: 'x-from-gateway', value: 'tollgate' } }],
      subgraphs: { stock: [{ propagate: { named: 'x-user', rename: 'x-user-id' } }, { remove: { named: 'x-tenant' } }] },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([catalogProxy?.close(), stockProxy?.close(), graph?.close()]);
});

beforeEach(() => {
  catalogProxy.mode = { kind: 'pass' };
  stockProxy.mode = { kind: 'pass' };
  catalogProxy.seen.length = 0;
  stockProxy.seen.length = 0;
});

describe('one query over several subgraphs', () => {
  it('joins data from both subgraphs (POST)', async () => {
    const reply = await postJson(gateway.url, { query: JOIN_QUERY });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      data: {
        products: [
          { id: '1', name: 'Table', stock: 10 },
          { id: '2', name: 'Chair', stock: 20 },
        ],
      },
    });
  });

  it('answers GET queries, with variables', async () => {
    const search = new URLSearchParams({ query: 'query Echo($t: String!) { echo(text: $t) }', variables: JSON.stringify({ t: 'hi' }) });
    const reply = await http(`${gateway.url}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: { echo: 'hi' } });
  });

  it('refuses a mutation over GET with 405', async () => {
    const search = new URLSearchParams({ query: 'mutation { rename(id: "1", name: "x") { id } }' });
    const reply = await http(`${gateway.url}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(reply.status).toBe(405);
    expect(reply.json.errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('runs mutations over POST', async () => {
    const reply = await postJson(gateway.url, { query: 'mutation { rename(id: "1", name: "Desk") { id name stock } }' });
    expect(reply.json).toEqual({ data: { rename: { id: '1', name: 'Desk', stock: 10 } } });
  });
});

describe('a failing subgraph gives the rest of the data and a coded error naming it', () => {
  async function expectPartial(code: string) {
    const reply = await postJson(gateway.url, { query: JOIN_QUERY });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({
      products: [
        { id: '1', name: 'Table', stock: null },
        { id: '2', name: 'Chair', stock: null },
      ],
    });
    expect(reply.json.errors).toHaveLength(1);
    const [error] = reply.json.errors;
    expect(error.extensions).toMatchObject({ code, subgraph: 'stock', serviceName: 'stock' });
    expect(error.message).toContain('"stock"');
    expect(error.path).toEqual(['products', '@']);
    return error;
  }

  it('slow → SUBGRAPH_TIMEOUT', async () => {
    stockProxy.mode = { kind: 'slow', delayMs: 5_000 };
    const error = await expectPartial('SUBGRAPH_TIMEOUT');
    expect(error.extensions.timeoutMs).toBe(300);
  });

  it('connection dropped → SUBGRAPH_UNAVAILABLE', async () => {
    stockProxy.mode = { kind: 'hang-up' };
    await expectPartial('SUBGRAPH_UNAVAILABLE');
  });

  it('HTML page → SUBGRAPH_BAD_RESPONSE', async () => {
    stockProxy.mode = { kind: 'html' };
    await expectPartial('SUBGRAPH_BAD_RESPONSE');
  });

  it('HTTP 500 → SUBGRAPH_BAD_RESPONSE with the status', async () => {
    stockProxy.mode = { kind: 'status', status: 500 };
    const error = await expectPartial('SUBGRAPH_BAD_RESPONSE');
    expect(error.extensions.upstreamStatus).toBe(500);
  });

  it('JSON that is not a GraphQL response → SUBGRAPH_BAD_RESPONSE', async () => {
    stockProxy.mode = { kind: 'body', body: '[1,2,3]' };
    await expectPartial('SUBGRAPH_BAD_RESPONSE');
    stockProxy.mode = { kind: 'body', body: '{"data": tru' };
    await expectPartial('SUBGRAPH_BAD_RESPONSE');
  });

  it('a subgraph that is not running at all → SUBGRAPH_UNAVAILABLE', async () => {
    const port = await closedPort();
    const down = composeMiniGraph(catalogProxy.url, `http://127.0.0.1:${port}/graphql`);
    const other = await startTestGateway(down);
    try {
      const reply = await postJson(other.url, { query: JOIN_QUERY });
      expect(reply.json.data.products[0]).toEqual({ id: '1', name: 'Table', stock: null });
      expect(reply.json.errors[0].extensions.code).toBe('SUBGRAPH_UNAVAILABLE');
      expect(reply.json.errors[0].message).toContain('ECONNREFUSED');
    } finally {
      await other.close();
    }
  });
});

describe('request edges', () => {
  async function expectRejected(reply: Awaited<ReturnType<typeof http>>, status: number, code: string) {
    expect(reply.status).toBe(status);
    expect(reply.headers.get('content-type')).toContain('application/json');
    expect(reply.json.errors[0].extensions.code).toBe(code);
    expect(reply.json.data).toBeUndefined();
  }

  it('malformed JSON → 400 BAD_REQUEST', async () => {
    await expectRejected(await postJson(gateway.url, '{"query": "{ products { id } }"'), 400, 'BAD_REQUEST');
  });

  it('no query → 400 BAD_REQUEST', async () => {
    await expectRejected(await postJson(gateway.url, { variables: {} }), 400, 'BAD_REQUEST');
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE, without reading it all', async () => {
    await expectRejected(await postJson(gateway.url, { query: `{ products { id } } # ${'x'.repeat(10_000)}` }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('syntax error → 400 GRAPHQL_PARSE_FAILED with a location', async () => {
    const reply = await postJson(gateway.url, { query: '{ products { id }' });
    await expectRejected(reply, 400, 'GRAPHQL_PARSE_FAILED');
    expect(reply.json.errors[0].locations).toEqual([{ line: 1, column: 18 }]);
  });

  it('unknown field → 400 GRAPHQL_VALIDATION_FAILED', async () => {
    await expectRejected(await postJson(gateway.url, { query: '{ nope }' }), 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('depth bomb → 400 MAX_DEPTH_LIMIT', async () => {
    const reply = await postJson(gateway.url, { query: '{ a { b { c { d { e { f } } } } } }' });
    await expectRejected(reply, 400, 'MAX_DEPTH_LIMIT');
    expect(reply.json.errors[0].extensions).toMatchObject({ actual: 6, max: 5 });
  });

  it('alias bomb → 400 MAX_ALIASES_LIMIT', async () => {
    await expectRejected(await postJson(gateway.url, { query: '{ a: echo(text: "1") b: echo(text: "1") c: echo(text: "1") d: echo(text: "1") }' }), 400, 'MAX_ALIASES_LIMIT');
  });

  it('too many root fields → 400 MAX_ROOT_FIELDS_LIMIT', async () => {
    await expectRejected(await postJson(gateway.url, { query: '{ products { id } warehouseCount __typename echo(text: "x") }' }), 400, 'MAX_ROOT_FIELDS_LIMIT');
  });

  it('token bomb → 400 MAX_TOKENS_LIMIT', async () => {
    await expectRejected(await postJson(gateway.url, { query: `{ ${'a '.repeat(400)} }` }), 400, 'MAX_TOKENS_LIMIT');
  });

  it('a GET a browser could send cross-site → 400 CSRF_PREVENTED', async () => {
    await expectRejected(await http(`${gateway.url}?query=${encodeURIComponent('{ warehouseCount }')}`), 400, 'CSRF_PREVENTED');
  });

  it('text/plain POST → 415, PUT → 405, unknown path → 404', async () => {
    await expectRejected(await http(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json-ish' }, body: '{}' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectRejected(await http(gateway.url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }), 405, 'METHOD_NOT_ALLOWED');
    await expectRejected(await http(gateway.url.replace('/graphql', '/nope')), 404, 'NOT_FOUND');
  });

  it('answers CORS preflights', async () => {
    const reply = await http(gateway.url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(reply.status).toBe(204);
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    expect(reply.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('serves /health and /ready', async () => {
    const base = gateway.url.replace('/graphql', '');
    expect((await http(`${base}/health`)).status).toBe(200);
    const ready = await http(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json.supergraph.loaded).toBe(true);
  });
});

describe('headers to subgraphs', () => {
  it('applies propagate / rename / insert / remove rules per subgraph and passes the request id', async () => {
    const reply = await postJson(gateway.url, { query: JOIN_QUERY }, { 'x-tenant': 'acme', 'x-user': 'u1', 'x-secret': 's', 'x-request-id': 'req-123' });
    expect(reply.headers.get('x-request-id')).toBe('req-123');
    const [toCatalog] = catalogProxy.seen;
    expect(toCatalog.headers).toMatchObject({ 'x-tenant': 'acme', 'x-from-gateway': 'tollgate', 'x-request-id': 'req-123' });
    expect(toCatalog.headers['x-user-id']).toBeUndefined();
    expect(toCatalog.headers['x-secret']).toBeUndefined();
    const [toStock] = stockProxy.seen;
    expect(toStock.headers).toMatchObject({ 'x-user-id': 'u1', 'x-from-gateway': 'tollgate', 'x-request-id': 'req-123' });
    expect(toStock.headers['x-tenant']).toBeUndefined();
  });

  it('generates a request id when the client sends none (or a malformed one)', async () => {
    const reply = await postJson(gateway.url, { query: '{ warehouseCount }' }, { 'x-request-id': 'bad id with spaces' });
    const id = reply.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(stockProxy.seen[0].headers['x-request-id']).toBe(id);
  });
});

describe('deduplication', () => {
  const concurrently = (n: number, send: () => Promise<Awaited<ReturnType<typeof http>>>) => Promise.all(Array.from({ length: n }, send));

  it('executes identical in-flight queries once (inbound)', async () => {
    stockProxy.mode = { kind: 'slow', delayMs: 150 };
    const replies = await concurrently(10, () => postJson(gateway.url, { query: '{ warehouseCount }' }, { 'x-tenant': 't1' }));
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    expect(replies[0].json).toEqual({ data: { warehouseCount: 3 } });
    expect(stockProxy.seen).toHaveLength(1);
  });

  it('does not share answers between different forwarded headers or variables', async () => {
    stockProxy.mode = { kind: 'slow', delayMs: 150 };
    await Promise.all([
      postJson(gateway.url, { query: '{ warehouseCount }' }, { 'x-user': 'a' }),
      postJson(gateway.url, { query: '{ warehouseCount }' }, { 'x-user': 'b' }),
    ]);
    expect(stockProxy.seen.map((s) => s.headers['x-user-id']).sort()).toEqual(['a', 'b']);
  });

  it('never deduplicates mutations', async () => {
    catalogProxy.mode = { kind: 'slow', delayMs: 100 };
    await concurrently(5, () => postJson(gateway.url, { query: 'mutation { rename(id: "2", name: "Chair") { id } }' }));
    expect(catalogProxy.seen).toHaveLength(5);
  });

  it('makes identical subgraph fetches in flight once, and can be switched off', async () => {
    const withSubgraphDedupe = await startTestGateway(supergraph, { dedupe: { inbound: false } });
    const without = await startTestGateway(supergraph, { dedupe: { inbound: false }, traffic: { all: { dedupe: false } } });
    try {
      stockProxy.mode = { kind: 'slow', delayMs: 150 };
      await concurrently(6, () => postJson(withSubgraphDedupe.url, { query: '{ warehouseCount }' }));
      expect(stockProxy.seen).toHaveLength(1);
      stockProxy.seen.length = 0;
      await concurrently(6, () => postJson(without.url, { query: '{ warehouseCount }' }));
      expect(stockProxy.seen).toHaveLength(6);
    } finally {
      await Promise.all([withSubgraphDedupe.close(), without.close()]);
    }
  });
});

describe('hot reload of the supergraph file', () => {
  it('serves a good new supergraph and keeps serving the last good one when a broken one arrives', async () => {
    const other = await startTestGateway(supergraph);
    try {
      const withExtraField = compose([
        { name: 'catalog', url: catalogProxy.url, sdl: CATALOG_SDL.replace('echo(text: String!): String!', 'echo(text: String!): String! hello: String') },
        { name: 'stock', url: stockProxy.url, sdl: STOCK_SDL },
      ]);
      // The catalog subgraph doesn't resolve `hello`, so null proves the gateway planned it (no validation error).
      writeFileSync(other.supergraphFile, withExtraField);
      await eventually(async () => (await postJson(other.url, { query: '{ hello }' })).status === 200);
      const hash = other.supergraph.status.hash;

      writeFileSync(other.supergraphFile, 'this is not a supergraph {');
      await eventually(() => other.supergraph.status.lastError !== undefined);
      expect(other.supergraph.status.hash).toBe(hash);
      const reply = await postJson(other.url, { query: '{ products { name } }' });
      expect(reply.json.data.products).toHaveLength(2);
      const ready = await http(other.url.replace('/graphql', '/ready'));
      expect(ready.status).toBe(200);
      expect(ready.json.supergraph.lastError.message).toBeTruthy();
    } finally {
      await other.close();
    }
  });
});

describe('introspection switch', () => {
  it('refuses introspection when turned off', async () => {
    const closed = await startTestGateway(supergraph, { server: { introspection: false } });
    try {
      const reply = await postJson(closed.url, { query: '{ __schema { queryType { name } } }' });
      expect(reply.status).toBe(400);
      expect(reply.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await postJson(gateway.url, { query: '{ __schema { queryType { name } } }' })).json.data.__schema.queryType.name).toBe('Query');
    } finally {
      await closed.close();
    }
  });
});

describe('fragment fan-out bomb', () => {
  it('is refused from its measured size, without being expanded', async () => {
    const levels = 24; // 2^23 fields expanded, in under 300 tokens
    const fragments = Array.from({ length: levels }, (_, i) =>
      `fragment F${i} on Product { ${i === levels - 1 ? 'id' : `...F${i + 1} ...F${i + 1}`} }`,
    ).join(' ');
    const reply = await postJson(gateway.url, { query: `{ products { ...F0 } } ${fragments}` });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0].extensions.code).toBe('MAX_FIELDS_LIMIT');
  });
});
