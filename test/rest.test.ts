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
