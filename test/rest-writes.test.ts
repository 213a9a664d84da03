// REST writes through the real gateway against the legacy pricing service: POST (JSON, idempotency key), PUT (a
// form), PATCH, DELETE as mutations; which writes are retried and which never are; a REST service answering 500,
// HTML or garbage to a write; traversal through an interpolated id; a body larger than traffic.maxResponseSize.
import { postJson } from './harness';
import { startRestGraph, type RestGraph } from './fixtures/restGraph';

let graph: RestGraph;

beforeAll(async () => {
  graph = await startRestGraph({
    products: 2,
    editDescription: (sdl) => sdl.replace('backoff: "50ms"', 'backoff: "5ms"'),
    config: { traffic: { subgraphs: { pricing: { maxResponseSize: '4kb' } } } },
  });
});

afterAll(() => graph?.close());

beforeEach(() => {
  graph.legacy.requests.length = 0;
  graph.legacy.clearFault();
});

const gql = (query: string, variables?: Record<string, unknown>) => postJson(graph.gateway.url, { query, variables });
const OVERRIDE = 'id sku amount { amount currency } reason validUntil';
const create = (sku: string, amount = 79900) =>
  gql(`mutation($sku: String!, $amount: Int!) { createPriceOverride(sku: $sku, input: { amount: $amount, reason: "spring sale", validUntil: "2026-05-01" }) { ${OVERRIDE} } }`, { sku, amount });

describe('writes', () => {
  it('POST sends the body mapped from the input as JSON, with a fresh idempotency key', async () => {
    const reply = await create('FURN-TABLE-01');
    expect(reply.json).toEqual({
      data: { createPriceOverride: { id: expect.stringMatching(/^OV-\d+$/), sku: 'FURN-TABLE-01', amount: { amount: 79900, currency: 'USD' }, reason: 'spring sale', validUntil: '2026-05-01' } },
    });
    const [sent] = graph.legacy.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/prices/FURN-TABLE-01/overrides' });
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual({ amount_cents: 79900, reason: 'spring sale', valid_until: '2026-05-01' });
    expect(sent.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    await create('FURN-TABLE-01');
    expect(graph.legacy.requests[1].headers['idempotency-key']).not.toBe(sent.headers['idempotency-key']);
  });

  it('PUT sends a form, PATCH only what it has, DELETE removes; reads see each write', async () => {
    const id = (await create('ELEC-TV-01')).json.data.createPriceOverride.id as string;
    const replaced = await gql(`mutation($id: ID!) { replacePriceOverride(id: $id, input: { amount: 100, reason: "a&b=c d" }) { ${OVERRIDE} } }`, { id });
    expect(replaced.json.data.replacePriceOverride).toEqual({ id, sku: 'ELEC-TV-01', amount: { amount: 100, currency: 'USD' }, reason: 'a&b=c d', validUntil: null });
    const put = graph.legacy.requests.find((r) => r.method === 'PUT');
    expect(put?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(put?.body).toBe('amount_cents=100&reason=a%26b%3Dc+d');

    const changed = await gql(`mutation($id: ID!) { changePriceOverride(id: $id, amount: 250) { amount { amount } reason } }`, { id });
    expect(changed.json.data.changePriceOverride).toEqual({ amount: { amount: 250 }, reason: 'a&b=c d' });
    expect(JSON.parse(graph.legacy.requests.find((r) => r.method === 'PATCH')?.body ?? '')).toEqual({ amount_cents: 250, reason: null });

    const deleted = await gql(`mutation($id: ID!) { deletePriceOverride(id: $id) { id deleted } }`, { id });
    expect(deleted.json).toEqual({ data: { deletePriceOverride: { id, deleted: true } } });
    expect(graph.legacy.requests.filter((r) => r.method === 'DELETE').map((r) => r.body)).toEqual(['']);
    const again = await gql(`mutation($id: ID!) { deletePriceOverride(id: $id) { id } }`, { id });
    expect(again.json.errors[0].extensions).toMatchObject({ code: 'REST_NOT_FOUND', connector: 'Mutation.deletePriceOverride' });
  });

  it('a write that the service refuses (422) is REST_UPSTREAM_ERROR with its status and the body\'s message and code', async () => {
    const reply = await create('FURN-TABLE-01', -5);
    expect(reply.json.data).toEqual({ createPriceOverride: null });
    expect(reply.json.errors[0].message).toBe(
      'REST source "pricing" answered HTTP 422: amount_cents must be a whole number of cents, 0 or more (Mutation.createPriceOverride)',
    );
    expect(reply.json.errors[0].extensions).toMatchObject({
      code: 'REST_UPSTREAM_ERROR',
      upstreamStatus: 422,
      upstreamCode: 'invalid_amount',
      upstreamMessage: 'amount_cents must be a whole number of cents, 0 or more',
    });
    expect(graph.legacy.requests).toHaveLength(1);
  });

  it('an error body that does not fit the rules (HTML, another shape) keeps the plain error', async () => {
    graph.legacy.setFault({ kind: 'status', status: 409, body: '{"error": "just a string"}' }, { pathPrefix: '/v1/overrides' });
    const shape = await gql('mutation { changePriceOverride(id: "OV-1", amount: 1) { id } }');
    expect(shape.json.errors[0].extensions).toMatchObject({ code: 'REST_UPSTREAM_ERROR', upstreamStatus: 409 });
    expect(shape.json.errors[0].extensions.upstreamMessage).toBeUndefined();
    graph.legacy.setFault({ kind: 'status', status: 400, body: JSON.stringify({ error: { message: 'x'.repeat(3000), code: { nested: true } } }) }, { pathPrefix: '/v1/overrides' });
    const huge = await gql('mutation { changePriceOverride(id: "OV-1", amount: 1) { id } }');
    expect(huge.json.errors[0].extensions.upstreamMessage).toHaveLength(501);
    expect(huge.json.errors[0].extensions.upstreamCode).toBe('{"nested":true}');
  });
});

describe('retries of writes', () => {
  it('a POST without an idempotency key is never retried: 500, HTML and a dropped connection are each one call', async () => {
    const quote = () => gql('mutation { requestQuote(sku: "ELEC-TV-01", quantity: 1) { total { amount } } }');
    for (const [fault, code] of [
      [{ kind: 'status', status: 500 }, 'REST_UPSTREAM_ERROR'],
      [{ kind: 'html', status: 503 }, 'REST_UPSTREAM_ERROR'],
      [{ kind: 'hang-up' }, 'REST_UNAVAILABLE'],
    ] as const) {
      graph.legacy.requests.length = 0;
      graph.legacy.setFault(fault, { pathPrefix: '/v1/quotes' });
      const reply = await quote();
      expect(reply.json.data).toEqual({ requestQuote: null });
      expect(reply.json.errors[0].extensions.code).toBe(code);
      expect(graph.legacy.requests).toHaveLength(1);
    }
  });

  it('a 2xx answer to a write that is HTML or garbage is REST_BAD_RESPONSE, never a crash', async () => {
    for (const fault of [{ kind: 'html', status: 200 }, { kind: 'body', body: '{"data": {"id": ' }, { kind: 'body', body: '\u0000\u00ff garbage', contentType: 'application/octet-stream' }] as const) {
      graph.legacy.setFault(fault, { pathPrefix: '/v1/overrides' });
      const reply = await gql('mutation { changePriceOverride(id: "OV-1", amount: 1) { id } }');
      expect(reply.status).toBe(200);
      expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_BAD_RESPONSE', upstreamStatus: 200 });
    }
    // And the gateway still answers.
    graph.legacy.clearFault();
    expect((await gql('{ supplier(id: "S1") { name } }')).json.data.supplier.name).toBe('Nordwood Furniture');
  });

  it('a POST with an idempotency key is retried with the same key, and the service writes once', async () => {
    const before = graph.legacy.data.overrides?.length ?? 0;
    // The first attempt is written but its answer lost (the connection drops after the write): the retry must not write again.
    graph.legacy.setFault({ kind: 'hang-up-after-write' }, { pathPrefix: '/v1/prices/KITCH-GLASS-01/overrides', times: 1 });
    const reply = await create('KITCH-GLASS-01', 1200);
    expect(reply.json.data.createPriceOverride).toMatchObject({ sku: 'KITCH-GLASS-01', amount: { amount: 1200 } });
    const posts = graph.legacy.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1].headers['idempotency-key']).toBe(posts[0].headers['idempotency-key']);
    expect(graph.legacy.data.overrides).toHaveLength(before + 1);
  });

  it('PUT and DELETE are idempotent and retried; PATCH is not', async () => {
    const id = (await create('FURN-COUCH-01')).json.data.createPriceOverride.id as string;
    graph.legacy.requests.length = 0;
    graph.legacy.setFault({ kind: 'status', status: 503 }, { pathPrefix: '/v1/overrides', times: 1 });
    const put = await gql(`mutation($id: ID!) { replacePriceOverride(id: $id, input: { amount: 5, reason: "r" }) { amount { amount } } }`, { id });
    expect(put.json.data.replacePriceOverride).toEqual({ amount: { amount: 5 } });
    expect(graph.legacy.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);

    graph.legacy.requests.length = 0;
    graph.legacy.setFault({ kind: 'status', status: 503 }, { pathPrefix: '/v1/overrides', times: 1 });
    const patch = await gql(`mutation($id: ID!) { changePriceOverride(id: $id, amount: 6) { amount { amount } } }`, { id });
    expect(patch.json.errors[0].extensions).toMatchObject({ code: 'REST_UPSTREAM_ERROR', upstreamStatus: 503 });
    expect(patch.json.errors[0].extensions.attempts).toBeUndefined();
    expect(graph.legacy.requests.map((r) => r.method)).toEqual(['PATCH']);
  });
});

describe('hostile input to writes', () => {
  it('an id that would traverse is refused (dot segment) or stays one encoded segment', async () => {
    for (const id of ['..', '.']) {
      const reply = await gql('mutation($id: ID!) { deletePriceOverride(id: $id) { id } }', { id });
      expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_MAPPING_ERROR' });
    }
    expect(graph.legacy.requests).toHaveLength(0);
    const reply = await gql('mutation($id: ID!) { deletePriceOverride(id: $id) { id } }', { id: '../prices/FURN-TABLE-01' });
    expect(reply.json.errors[0].extensions.code).toBe('REST_NOT_FOUND');
    // "%2e%2E" is text, not an escape: it is sent encoded again, as data.
    await gql('mutation($id: ID!) { deletePriceOverride(id: $id) { id } }', { id: '%2e%2E' });
    expect(graph.legacy.requests.map((r) => r.url)).toEqual(['/v1/overrides/..%2Fprices%2FFURN-TABLE-01', '/v1/overrides/%252e%252E']);
  });

  it('a control character in an interpolated path value is refused without a call; in a JSON body it is just data', async () => {
    const reply = await gql('mutation($sku: String!) { createPriceOverride(sku: $sku, input: { amount: 1, reason: "x" }) { id } }', { sku: 'A\r\nX-Injected: 1' });
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_MAPPING_ERROR' });
    expect(graph.legacy.requests).toHaveLength(0);
    const body = await gql('mutation($reason: String!) { createPriceOverride(sku: "ELEC-TV-01", input: { amount: 1, reason: $reason }) { reason } }', { reason: 'line\r\nX-Injected: 1"}' });
    expect(body.json.data.createPriceOverride.reason).toBe('line\r\nX-Injected: 1"}');
    expect(graph.legacy.requests[0].headers['x-injected']).toBeUndefined();
  });

  it('an answer larger than traffic.maxResponseSize is REST_BAD_RESPONSE, read no further', async () => {
    graph.legacy.setFault({ kind: 'body', body: JSON.stringify({ data: { id: 'x'.repeat(64 * 1024) } }) }, { pathPrefix: '/v1/overrides' });
    const reply = await gql('mutation { changePriceOverride(id: "OV-1", amount: 1) { id } }');
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_BAD_RESPONSE', maxResponseSize: 4096 });
  });
});
