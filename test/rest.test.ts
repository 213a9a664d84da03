// REST connectors in the example graph: the legacy pricing REST service (subgraphs/legacy-pricing/) joined with the
// federated subgraphs both ways, through the real gateway over HTTP, with upstream calls counted.
import { join } from 'node:path';
import { composeFromRoverConfig } from '../src/compose/compose';
import { startExampleSubgraphs, type ExampleSubgraphs } from '../subgraphs';
import { postJson, startTestGateway } from './harness';

const root = join(__dirname, '..');

let subgraphs: ExampleSubgraphs;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  subgraphs = await startExampleSubgraphs();
  for (const [name, url] of Object.entries(subgraphs.urls)) process.env[`${name.toUpperCase()}_URL`] = url;
  const composed = await composeFromRoverConfig(join(root, 'rover.yaml'), process.env);
  if (!composed.ok) throw new Error(JSON.stringify(composed.errors, null, 2));
  gateway = await startTestGateway(composed.supergraphSdl, {
    rest: { baseDir: root },
    headers: { subgraphs: { pricing: [{ propagate: { named: 'x-tenant' } }] } },
  });
});

afterAll(async () => {
  await gateway?.close();
  await subgraphs?.close();
});

beforeEach(() => {
  subgraphs.servers.pricing.requests.length = 0;
  subgraphs.servers.pricing.clearFault();
});

const query = (q: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => postJson(gateway.url, { query: q, variables }, headers);
const calls = () => subgraphs.servers.pricing.requests.map((r) => `${r.method} ${r.url}`);

describe('REST-backed fields on a federated entity', () => {
  it('adds list prices to products, in one batch call', async () => {
    const reply = await query('{ topProducts(first: 3) { upc name price listPrice { amount currency } priceUpdatedAt } }');
    expect(reply.json).toEqual({
      data: {
        topProducts: [
          { upc: '1', name: 'Table', price: 899, listPrice: { amount: 94900, currency: 'USD' }, priceUpdatedAt: '2026-10-01' },
          { upc: '2', name: 'Couch', price: 1299, listPrice: { amount: 139900, currency: 'USD' }, priceUpdatedAt: '2026-09-15' },
          { upc: '3', name: 'Glass', price: 15, listPrice: { amount: 1500, currency: 'USD' }, priceUpdatedAt: '2026-08-20' },
        ],
      },
    });
    expect(calls()).toEqual(['GET /v1/prices?skus=FURN-TABLE-01,FURN-COUCH-01,KITCH-GLASS-01']);
  });
});

describe('REST-backed entities joined with federated data', () => {
  it('a REST root field returns a REST entity whose products come from the federated subgraphs', async () => {
    const reply = await query('{ supplier(id: "S2") { id name country onboardedAt contact { email phone } products { upc name inStock listPrice { amount } } } }');
    expect(reply.json).toEqual({
      data: {
        supplier: {
          id: 'S2',
          name: 'Clearline Glassworks',
          country: 'CZ',
          onboardedAt: '2021-06-21',
          contact: { email: 'sales@clearline.example', phone: null },
          products: [{ upc: '3', name: 'Glass', inStock: false, listPrice: { amount: 1500 } }],
        },
      },
    });
    expect(calls()).toEqual(['GET /v1/suppliers/S2', 'GET /v1/suppliers/S2/products', 'GET /v1/prices?skus=KITCH-GLASS-01']);
  });

  it('a product found by SKU in the REST service gets its federated fields (name, reviews) from the subgraphs', async () => {
    const reply = await query('{ productBySku(sku: "FURN-COUCH-01") { sku name listPrice { amount currency } reviews { id } supplier { name } } }');
    expect(reply.json).toEqual({
      data: {
        productBySku: {
          sku: 'FURN-COUCH-01',
          name: 'Couch',
          listPrice: { amount: 139900, currency: 'USD' },
          reviews: [{ id: '5' }, { id: '6' }, { id: '7' }, { id: '8' }],
          supplier: { name: 'Nordwood Furniture' },
        },
      },
    });
    expect(calls()).toEqual(['GET /v1/prices/FURN-COUCH-01', 'GET /v1/suppliers/S1']);
  });

  it('passes arguments as query parameters and unwraps the pagination envelope', async () => {
    const reply = await query('{ product(upc: "1") { priceHistory(page: 1, perPage: 2) { page total entries { amount effectiveFrom } } } }');
    expect(reply.json).toEqual({
      data: { product: { priceHistory: { page: 1, total: 3, entries: [{ amount: 94900, effectiveFrom: '2026-10-01' }, { amount: 89900, effectiveFrom: '2026-04-01' }] } } },
    });
    expect(calls()).toEqual(['GET /v1/prices/FURN-TABLE-01/history?page=1&per_page=2']);
  });

  it('fills fields a list selection left out through the entity connector, one call per distinct supplier', async () => {
    const reply = await query('{ suppliers(perPage: 2) { total items { id contact { email } } } }');
    expect(reply.json).toEqual({
      data: { suppliers: { total: 3, items: [{ id: 'S1', contact: { email: 'orders@nordwood.example' } }, { id: 'S2', contact: { email: 'sales@clearline.example' } }] } },
    });
    expect(calls()).toEqual(['GET /v1/suppliers?page=1&per_page=2', 'GET /v1/suppliers/S1', 'GET /v1/suppliers/S2']);
  });

  it('sends a mutation as a POST with a mapped JSON body', async () => {
    const reply = await query('mutation { requestQuote(sku: "FURN-CHAIR-01", quantity: 10) { sku quantity unitPrice { amount } total { amount currency } validUntil } }');
    expect(reply.json).toEqual({
      data: { requestQuote: { sku: 'FURN-CHAIR-01', quantity: 10, unitPrice: { amount: 50255 }, total: { amount: 502550, currency: 'USD' }, validUntil: '2026-12-31' } },
    });
    const [post] = subgraphs.servers.pricing.requests;
    expect(post.method).toBe('POST');
    expect(post.headers['content-type']).toBe('application/json');
  });
});

describe('batching and deduplication within one request', () => {
  it('makes identical GETs once and looks suppliers up once each, however often they appear', async () => {
    const reply = await query('{ a: supplier(id: "S1") { name } b: supplier(id: "S1") { name } topProducts { supplier { id name } } }');
    expect(reply.json.data.a).toEqual({ name: 'Nordwood Furniture' });
    expect(reply.json.data.b).toEqual({ name: 'Nordwood Furniture' });
    expect(reply.json.data.topProducts.map((p: { supplier: { id: string } }) => p.supplier.id)).toEqual(['S1', 'S1', 'S2', 'S1', 'S3']);
    expect(calls().sort()).toEqual(['GET /v1/prices?skus=FURN-TABLE-01,FURN-COUCH-01,KITCH-GLASS-01,FURN-CHAIR-01,ELEC-TV-01', 'GET /v1/suppliers/S1', 'GET /v1/suppliers/S2', 'GET /v1/suppliers/S3']);
  });

  it('does not share calls between requests', async () => {
    await query('{ supplier(id: "S3") { name } }');
    await query('{ supplier(id: "S3") { name } }');
    expect(calls()).toEqual(['GET /v1/suppliers/S3', 'GET /v1/suppliers/S3']);
  });
});

describe('headers', () => {
  it('sends the API key from the description, the request id, and client headers that tollgate.yaml rules forward', async () => {
    await query('{ supplier(id: "S1") { name } }', undefined, { 'x-tenant': 'acme', 'x-request-id': 'req-42', 'x-secret': 'no' });
    const [call] = subgraphs.servers.pricing.requests;
    expect(call.headers).toMatchObject({ 'x-api-key': 'pricing-dev-key', 'x-tenant': 'acme', 'x-request-id': 'req-42', accept: 'application/json' });
    expect(call.headers['x-secret']).toBeUndefined();
  });
});
