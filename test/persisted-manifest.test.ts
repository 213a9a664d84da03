// Manifests over real HTTP: a safelisted manifest in each format (Apollo, Relay, GraphQL Codegen) swapped into one
// gateway by hot reload, a broken version keeping the last good one, operations that stop validating when the
// supergraph changes (log and /ready), `allowMatchingText`, and audit mode counting what is not listed.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_SDL, composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { parsePrometheus } from './fixtures/promText';
import { compose, eventually, http, postJson, startTestGateway, tempDir } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const PRODUCTS = 'query Products { products { id name } }';
const COUNT = 'query Count { warehouseCount }';
const PRODUCTS_DATA = { data: { products: [{ id: '1', name: 'Table' }, { id: '2', name: 'Chair' }] } };

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let supergraph: string;

beforeAll(async () => {
  graph = await startMiniGraph();
  supergraph = composeMiniGraph(graph.catalog.url, graph.stock.url);
});

afterAll(async () => {
  await graph?.close();
});

/** As @apollo/generate-persisted-query-manifest writes it (ids are the body's SHA-256). */
function apolloManifest(bodies: Array<[string, string]>): string {
  return JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: bodies.map(([name, body]) => ({ id: sha256(body), name, type: 'query', body })) }, null, 2);
}

const pq = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

describe('safelist from a manifest file, hot-reloaded', () => {
  let gateway: Gateway;
  let manifestFile: string;
  const logs: string[] = [];
  beforeAll(async () => {
    const dir = tempDir();
    manifestFile = join(dir, 'manifest.json');
    writeFileSync(manifestFile, apolloManifest([['Products', PRODUCTS]]));
    gateway = await startTestGateway(supergraph, { persistedOperations: { mode: 'safelist', manifest: { file: manifestFile } } }, { logTo: { write: (line) => void logs.push(line) } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const served = async (body: unknown) => (await postJson(gateway.url, body)).json;

  it('serves an Apollo manifest by id (persistedQuery extension) and refuses anything else', async () => {
    expect(await served(pq(sha256(PRODUCTS)))).toEqual(PRODUCTS_DATA);
    expect((await served({ query: PRODUCTS })).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect((await served({ query: COUNT })).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // Apollo Client's retry after a miss (text + hash) is refused in safelist mode, and nothing is registered.
    expect((await served(pq(sha256(COUNT)))).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await served({ query: COUNT, ...pq(sha256(COUNT)) })).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // The listed id with its own text is fine (Apollo Client may send both).
    expect(await served({ query: PRODUCTS, ...pq(sha256(PRODUCTS)) })).toEqual(PRODUCTS_DATA);
  });

  it('names the operation by its id in the access log', async () => {
    await served(pq(sha256(PRODUCTS)));
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).reverse().find((l) => l.log === 'access');
    expect(line).toMatchObject({ operationId: sha256(PRODUCTS), persisted: 'manifest', operationName: 'Products', status: 200 });
  });

  it('reloads a Relay manifest ({ id: text }) and serves it by documentId', async () => {
    const id = md5(COUNT);
    writeFileSync(manifestFile, JSON.stringify({ [id]: COUNT }));
    await eventually(async () => (await served({ documentId: id })).data?.warehouseCount === 3);
    // The previous manifest is gone: its id is no longer listed.
    expect((await served(pq(sha256(PRODUCTS)))).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('reloads a GraphQL Codegen persisted-documents.json ({ hash: text }), by bare and sha256:-prefixed documentId', async () => {
    const hash = sha256(PRODUCTS);
    writeFileSync(manifestFile, JSON.stringify({ [hash]: PRODUCTS }));
    await eventually(async () => (await served({ documentId: hash })).data !== undefined);
    expect(await served({ documentId: `sha256:${hash}` })).toEqual(PRODUCTS_DATA);
    const get = await http(`${gateway.url}?documentId=${hash}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(get.json).toEqual(PRODUCTS_DATA);
  });

  it('keeps the last good manifest when a broken one is written, and says so in /ready', async () => {
    writeFileSync(manifestFile, '{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id": "x" }] }');
    await eventually(async () => (await http(`${gateway.baseUrl}/ready`)).json.persistedOperations.manifest.lastError !== undefined);
    const ready = await http(`${gateway.baseUrl}/ready`);
    expect(ready.json.persistedOperations.manifest.lastError.message).toMatch(/body must be a non-empty GraphQL document/);
    expect(await served({ documentId: sha256(PRODUCTS) })).toEqual(PRODUCTS_DATA);
  });

  it('reports operations that no longer validate when the supergraph changes', async () => {
    writeFileSync(manifestFile, JSON.stringify({ products: PRODUCTS, count: COUNT }));
    await eventually(async () => (await served({ documentId: 'count' })).data?.warehouseCount === 3);
    expect((await http(`${gateway.baseUrl}/ready`)).json.persistedOperations.manifest.invalid.count).toBe(0);
    // The stock subgraph leaves the graph: Count no longer validates.
    writeFileSync(gateway.supergraphFile, compose([{ name: 'catalog', url: graph.catalog.url, sdl: CATALOG_SDL }]));
    await eventually(async () => (await http(`${gateway.baseUrl}/ready`)).json.persistedOperations.manifest.invalid.count === 1);
    const ready = (await http(`${gateway.baseUrl}/ready`)).json;
    expect(ready.status).toBe('pass');
    expect(ready.persistedOperations.manifest.invalid.operations).toEqual([{ id: 'count', errors: ['Cannot query field "warehouseCount" on type "Query".'] }]);
    expect(logs.some((l) => l.includes('persisted operations that do not validate against the supergraph') && l.includes('"count"'))).toBe(true);
    // Asked for, it is answered with the validation error, not silently with data from nowhere.
    expect((await served({ documentId: 'count' })).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    writeFileSync(gateway.supergraphFile, supergraph);
    await eventually(async () => (await http(`${gateway.baseUrl}/ready`)).json.persistedOperations.manifest.invalid.count === 0);
  });
});

describe('safelist with allowMatchingText', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relay.json'), JSON.stringify({ q1: PRODUCTS }));
    gateway = await startTestGateway(supergraph, { persistedOperations: { mode: 'safelist', allowMatchingText: true, manifest: { file: join(dir, 'relay.json') } } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('runs sent text that is exactly a manifest body, and nothing else', async () => {
    expect((await postJson(gateway.url, { query: PRODUCTS })).json).toEqual(PRODUCTS_DATA);
    expect((await postJson(gateway.url, { query: `${PRODUCTS} ` })).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect((await postJson(gateway.url, { query: PRODUCTS.replace('name', 'name id') })).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('audit mode', () => {
  let gateway: Gateway;
  const logs: string[] = [];
  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), apolloManifest([['Products', PRODUCTS]]));
    gateway = await startTestGateway(supergraph, { persistedOperations: { mode: 'audit', manifest: { file: join(dir, 'manifest.json') } } }, { logTo: { write: (line) => void logs.push(line) } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('runs everything, and logs once and counts each request of an operation not in the manifest', async () => {
    for (let i = 0; i < 3; i += 1) expect((await postJson(gateway.url, { query: COUNT })).json).toEqual({ data: { warehouseCount: 3 } });
    expect((await postJson(gateway.url, { query: PRODUCTS })).json).toEqual(PRODUCTS_DATA);
    expect((await postJson(gateway.url, pq(sha256(PRODUCTS)))).json).toEqual(PRODUCTS_DATA);
    const metrics = parsePrometheus((await http(`${gateway.baseUrl}/metrics`)).text);
    const unlisted = metrics.samples.filter((s) => s.name === 'tollgate_persisted_unlisted_total');
    expect(unlisted.reduce((sum, s) => sum + s.value, 0)).toBe(3);
    const auditLines = logs.filter((l) => l.includes('not in the persisted-operation manifest'));
    expect(auditLines).toHaveLength(1);
    expect(JSON.parse(auditLines[0])).toMatchObject({ operationHash: sha256(COUNT), operationName: 'Count' });
  });
});
