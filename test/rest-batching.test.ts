// Batching and caching of REST calls, proven by counting the calls the legacy service receives: 50 entities in one
// fetch become ⌈50 / maxSize⌉ batch calls, matched by key; duplicates are fetched once; a TTL keeps answers across
// requests; and a federated subgraph's field on the REST-backed Supplier entity resolves it one GET per supplier.
import { postJson } from './harness';
import { skuOf, startRestGraph, type RestGraph } from './fixtures/restGraph';

let graph: RestGraph;

beforeAll(async () => {
  graph = await startRestGraph({
    products: 50,
    // A short TTL on the supplier connector, to show the cache; the example file has none.
    editDescription: (sdl) => sdl.replace('http: { GET: "/v1/suppliers/{$this.id}" }\n', 'http: { GET: "/v1/suppliers/{$this.id}" }\n    cacheTtl: "1h"\n'),
  });
});

afterAll(() => graph?.close());

beforeEach(() => {
  graph.legacy.requests.length = 0;
});

const query = (q: string) => postJson(graph.gateway.url, { query: q });
const calls = () => graph.legacy.requests.map((r) => `${r.method} ${r.url}`);

it('prices 50 products with ⌈50/20⌉ = 3 batch calls, each result matched to its product by SKU', async () => {
  const reply = await query('{ products { sku name listPrice { amount currency } } }');
  expect(reply.json.errors).toBeUndefined();
  const products = reply.json.data.products as Array<{ sku: string; name: string; listPrice: { amount: number; currency: string } }>;
  expect(products).toHaveLength(50);
  products.forEach((product, i) => expect(product).toEqual({ sku: skuOf(i + 1), name: `Product ${i + 1}`, listPrice: { amount: (i + 1) * 100, currency: 'EUR' } }));

  expect(calls()).toHaveLength(3);
  const batches = graph.legacy.requests.map((r) => r.query.skus.split(','));
  expect(batches.map((b) => b.length)).toEqual([20, 20, 10]);
  expect(batches.flat()).toEqual(products.map((p) => p.sku));
});

it('fetches a key that appears twice in one request once', async () => {
  const reply = await query('{ a: products(first: 3) { listPrice { amount } } b: products(first: 2) { listPrice { amount } } }');
  expect(reply.json.data.b).toEqual([{ listPrice: { amount: 100 } }, { listPrice: { amount: 200 } }]);
  expect(graph.legacy.requests.map((r) => r.query.skus.split(',').length).reduce((a, b) => a + b, 0)).toBe(3);
});

it('resolves the REST-backed Supplier for a federated subgraph field: one GET per distinct supplier, then the TTL cache', async () => {
  const first = await query('{ ratedSuppliers { id rating name country } }');
  expect(first.json).toEqual({
    data: {
      ratedSuppliers: [
        { id: 'S1', rating: 5, name: 'Nordwood Furniture', country: 'SE' },
        { id: 'S2', rating: 3, name: 'Clearline Glassworks', country: 'CZ' },
        { id: 'S3', rating: 4, name: 'Pixel & Co', country: 'KR' },
        { id: 'S1', rating: 5, name: 'Nordwood Furniture', country: 'SE' },
      ],
    },
  });
  expect(calls().sort()).toEqual(['GET /v1/suppliers/S1', 'GET /v1/suppliers/S2', 'GET /v1/suppliers/S3']);

  graph.legacy.requests.length = 0;
  const again = await query('{ ratedSuppliers { name } }');
  expect(again.json.data.ratedSuppliers).toHaveLength(4);
  expect(calls()).toEqual([]);
});

it('joins the other way too: a REST-backed supplier gets its rating from the federated subgraph', async () => {
  const reply = await query('{ supplier(id: "S3") { name rating } }');
  expect(reply.json).toEqual({ data: { supplier: { name: 'Pixel & Co', rating: 4 } } });
});
