// Every way a REST call can fail, through the real gateway: 404 → null + REST_NOT_FOUND; other statuses, timeouts,
// unreachable services, HTML and JSON that does not fit → coded field errors with the rest of the data intact;
// GET retried with backoff, POST never; and the gateway keeps answering afterwards.
import { postJson } from './harness';
import { dataWithProducts, startRestGraph, type RestGraph } from './fixtures/restGraph';

let graph: RestGraph;

beforeAll(async () => {
  const data = dataWithProducts(3);
  data.prices = data.prices.filter((p) => p.sku !== 'SKU-002');
  graph = await startRestGraph({
    products: 3,
    data,
    editDescription: (sdl) => sdl.replace('timeout: "2s"', 'timeout: "300ms"').replace('backoff: "50ms"', 'backoff: "10ms"'),
  });
});

afterAll(() => graph?.close());

beforeEach(() => {
  graph.legacy.requests.length = 0;
  graph.legacy.clearFault();
});

const query = (q: string) => postJson(graph.gateway.url, { query: q });
const PRICES = '{ products { sku name listPrice { amount } } }';
const NAMES_ONLY = [
  { sku: 'SKU-001', name: 'Product 1', listPrice: null },
  { sku: 'SKU-002', name: 'Product 2', listPrice: null },
  { sku: 'SKU-003', name: 'Product 3', listPrice: null },
];

/** One coded error on the prices, every product still named. */
async function expectPriceError(code: string): Promise<Record<string, unknown>> {
  const reply = await query(PRICES);
  expect(reply.status).toBe(200);
  expect(reply.json.data).toEqual({ products: NAMES_ONLY });
  expect(reply.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([code, code, code]);
  const [error] = reply.json.errors;
  expect(error.extensions).toMatchObject({ code, source: 'pricing', connector: 'Product', serviceName: 'pricing' });
  // The entity fetch failed, so the error sits on the entity the gateway could not complete.
  expect(error.path).toEqual(['products', 0]);
  return error.extensions;
}

describe('404', () => {
  it('a root field is null with REST_NOT_FOUND; the rest of the query answers', async () => {
    const reply = await query('{ supplier(id: "S9") { name } products(first: 1) { name } }');
    expect(reply.json.data).toEqual({ supplier: null, products: [{ name: 'Product 1' }] });
    expect(reply.json.errors).toHaveLength(1);
    expect(reply.json.errors[0]).toMatchObject({ path: ['supplier'], extensions: { code: 'REST_NOT_FOUND', upstreamStatus: 404, source: 'pricing', connector: 'Query.supplier' } });
    expect(graph.legacy.requests).toHaveLength(1);
  });

  it('an entity the batch answer leaves out is null with REST_NOT_FOUND; the others are priced', async () => {
    const reply = await query(PRICES);
    expect(reply.json.data.products).toEqual([
      { sku: 'SKU-001', name: 'Product 1', listPrice: { amount: 100 } },
      { sku: 'SKU-002', name: 'Product 2', listPrice: null },
      { sku: 'SKU-003', name: 'Product 3', listPrice: { amount: 300 } },
    ]);
    expect(reply.json.errors).toHaveLength(1);
    expect(reply.json.errors[0]).toMatchObject({ path: ['products', 1], extensions: { code: 'REST_NOT_FOUND', connector: 'Product' } });
    expect(reply.json.errors[0].message).toContain('sku "SKU-002"');
  });
});

describe('upstream failures', () => {
  it('HTTP 500 on every try → REST_UPSTREAM_ERROR with the status, after 2 retries', async () => {
    graph.legacy.setFault({ kind: 'status', status: 500 });
    expect(await expectPriceError('REST_UPSTREAM_ERROR')).toMatchObject({ upstreamStatus: 500, attempts: 3 });
    expect(graph.legacy.requests).toHaveLength(3);
  });

  it('a GET that fails once is retried and answers', async () => {
    graph.legacy.setFault({ kind: 'status', status: 503 }, { times: 1 });
    const reply = await query('{ products(first: 1) { listPrice { amount } } }');
    expect(reply.json).toEqual({ data: { products: [{ listPrice: { amount: 100 } }] } });
    expect(graph.legacy.requests).toHaveLength(2);
  });

  it('a 4xx is not retried', async () => {
    graph.legacy.setFault({ kind: 'status', status: 401, body: '{"error":{"code":"unauthorized"}}' });
    expect(await expectPriceError('REST_UPSTREAM_ERROR')).toMatchObject({ upstreamStatus: 401 });
    expect(graph.legacy.requests).toHaveLength(1);
  });

  it('a POST is never retried', async () => {
    graph.legacy.setFault({ kind: 'status', status: 503 });
    const reply = await query('mutation { requestQuote(sku: "SKU-001", quantity: 1) { sku } }');
    expect(reply.json.data).toEqual({ requestQuote: null });
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_UPSTREAM_ERROR', upstreamStatus: 503, connector: 'Mutation.requestQuote' });
    expect(graph.legacy.requests).toHaveLength(1);
  });

  it('too slow → REST_TIMEOUT with the timeout', async () => {
    graph.legacy.setFault({ kind: 'slow', delayMs: 3_000 });
    expect(await expectPriceError('REST_TIMEOUT')).toMatchObject({ timeoutMs: 300, attempts: 3 });
  });

  it('connection dropped → REST_UNAVAILABLE', async () => {
    graph.legacy.setFault({ kind: 'hang-up' });
    await expectPriceError('REST_UNAVAILABLE');
  });

  it('an HTML error page → REST_UPSTREAM_ERROR (status 502); an HTML 200 → REST_BAD_RESPONSE with its content type', async () => {
    graph.legacy.setFault({ kind: 'html', status: 502 });
    expect(await expectPriceError('REST_UPSTREAM_ERROR')).toMatchObject({ upstreamStatus: 502 });
    graph.legacy.setFault({ kind: 'html', status: 200 });
    expect(await expectPriceError('REST_BAD_RESPONSE')).toMatchObject({ upstreamStatus: 200, contentType: 'text/html' });
  });

  it('a 200 whose body is not JSON → REST_BAD_RESPONSE', async () => {
    graph.legacy.setFault({ kind: 'body', body: '{"data": [tru' });
    await expectPriceError('REST_BAD_RESPONSE');
  });
});

describe('JSON that does not fit the mapping → REST_MAPPING_ERROR', () => {
  it('a value of the wrong type names where it is', async () => {
    graph.legacy.setFault({ kind: 'body', body: JSON.stringify({ data: [{ sku: 'SKU-001', amount_cents: '12.50', currency: 'EUR' }] }) });
    const error = await expectPriceError('REST_MAPPING_ERROR');
    expect(error.detail).toBe('[0].listPrice.amount: expected Int, got string "12.50"');
  });

  it('an envelope of the wrong shape', async () => {
    graph.legacy.setFault({ kind: 'body', body: JSON.stringify({ data: 'maintenance' }) });
    expect((await expectPriceError('REST_MAPPING_ERROR')).detail).toBe('data: expected an object, got string "maintenance"');
  });

  it('a non-null field the JSON lacks', async () => {
    graph.legacy.setFault({ kind: 'body', body: JSON.stringify({ data: { id: 'S1' } }) });
    const reply = await query('{ supplier(id: "S1") { id name } }');
    expect(reply.json.data).toEqual({ supplier: null });
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_MAPPING_ERROR', detail: 'name: is null, but String! is non-null' });
  });
});

it('keeps serving after all of that', async () => {
  const reply = await query('{ supplier(id: "S1") { name } }');
  expect(reply.json).toEqual({ data: { supplier: { name: 'Nordwood Furniture' } } });
});
