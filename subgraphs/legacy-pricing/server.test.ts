// The legacy pricing REST API on its own: envelopes, pagination, the batch endpoint's limits and order, the API
// key, 404s, the POST endpoint, and the fault switch tests use.
import { DEFAULT_API_KEY, MAX_SKUS_PER_CALL, startLegacyPricing, type LegacyPricingServer } from './server';

let server: LegacyPricingServer;

beforeAll(async () => {
  server = await startLegacyPricing();
});

afterAll(() => server.close());

afterEach(() => server.clearFault());

async function get(path: string, key: string | null = DEFAULT_API_KEY) {
  const response = await fetch(`${server.url}${path}`, { headers: key ? { 'x-api-key': key } : {} });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

it('answers a single item in an envelope, and 404 for an unknown id', async () => {
  const found = await get('/v1/suppliers/S2');
  expect(JSON.parse(found.text)).toEqual({
    data: { id: 'S2', name: 'Clearline Glassworks', country: 'CZ', onboarded_on: '2021-06-21', contact_email: 'sales@clearline.example', contact_phone: null },
  });
  expect((await get('/v1/suppliers/S9')).status).toBe(404);
});

it('answers the batch endpoint in its own order, leaving unknown SKUs out, and refuses too many', async () => {
  const reply = JSON.parse((await get('/v1/prices?skus=ELEC-TV-01,NOPE,FURN-TABLE-01')).text);
  expect(reply.data.map((p: { sku: string }) => p.sku)).toEqual(['FURN-TABLE-01', 'ELEC-TV-01']);
  expect(reply.meta).toEqual({ count: 2, missing: ['NOPE'] });
  const tooMany = Array.from({ length: MAX_SKUS_PER_CALL + 1 }, (_, i) => `S${i}`).join(',');
  expect((await get(`/v1/prices?skus=${tooMany}`)).status).toBe(400);
});

it('paginates with page/per_page', async () => {
  expect(JSON.parse((await get('/v1/suppliers?page=2&per_page=2')).text)).toMatchObject({ data: [{ id: 'S3' }], meta: { page: 2, per_page: 2, total: 3, total_pages: 2 } });
});

it('requires the API key', async () => {
  expect((await get('/v1/suppliers/S1', null)).status).toBe(401);
  expect((await get('/v1/suppliers/S1', 'wrong')).status).toBe(401);
});

it('quotes over POST', async () => {
  const response = await fetch(`${server.url}/v1/quotes`, { method: 'POST', headers: { 'x-api-key': DEFAULT_API_KEY }, body: JSON.stringify({ sku: 'KITCH-GLASS-01', quantity: 2 }) });
  expect(response.status).toBe(201);
  expect(await response.json()).toEqual({ data: { sku: 'KITCH-GLASS-01', quantity: 2, unit_price_cents: 1500, total_cents: 3000, currency: 'USD', valid_until: '2026-12-31' } });
});

it('misbehaves on request, for a path prefix and a number of times, and logs every request', async () => {
  server.requests.length = 0;
  server.setFault({ kind: 'html', status: 503 }, { pathPrefix: '/v1/prices', times: 1 });
  expect(await get('/v1/suppliers/S1')).toMatchObject({ status: 200 });
  expect(await get('/v1/prices/ELEC-TV-01')).toMatchObject({ status: 503, type: 'text/html' });
  expect(await get('/v1/prices/ELEC-TV-01')).toMatchObject({ status: 200 });
  expect(server.requests.map((r) => r.url)).toEqual(['/v1/suppliers/S1', '/v1/prices/ELEC-TV-01', '/v1/prices/ELEC-TV-01']);
});

it('writes price overrides: POST (JSON, idempotency key), PUT (a form), PATCH, DELETE', async () => {
  const send = async (method: string, path: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, { method, headers: { 'x-api-key': DEFAULT_API_KEY, ...headers }, body });
    return { status: response.status, json: (await response.json()) as { data?: Record<string, unknown>; error?: { code: string } } };
  };
  const created = await send('POST', '/v1/prices/ELEC-TV-01/overrides', JSON.stringify({ amount_cents: 99900, reason: 'promo' }), { 'idempotency-key': 'k1' });
  expect(created).toEqual({ status: 201, json: { data: { id: expect.any(String), sku: 'ELEC-TV-01', amount_cents: 99900, currency: 'USD', reason: 'promo', valid_until: null } } });
  const id = created.json.data?.id as string;
  // The same key again: the first answer, nothing written.
  expect((await send('POST', '/v1/prices/ELEC-TV-01/overrides', JSON.stringify({ amount_cents: 1, reason: 'other' }), { 'idempotency-key': 'k1' })).json.data?.id).toBe(id);
  expect(server.data.overrides?.filter((o) => o.sku === 'ELEC-TV-01')).toHaveLength(1);
  const put = await send('PUT', `/v1/overrides/${id}`, 'amount_cents=5&reason=form+sent', { 'content-type': 'application/x-www-form-urlencoded' });
  expect(put.json.data).toMatchObject({ amount_cents: 5, reason: 'form sent' });
  expect((await send('PATCH', `/v1/overrides/${id}`, JSON.stringify({ reason: 'patched', amount_cents: null }))).json.data).toMatchObject({ amount_cents: 5, reason: 'patched' });
  expect((await send('PATCH', `/v1/overrides/${id}`, JSON.stringify({ amount_cents: -1 }))).json.error?.code).toBe('invalid_amount');
  expect((await send('DELETE', `/v1/overrides/${id}`, '')).json).toEqual({ data: { id, deleted: true } });
  expect((await send('DELETE', `/v1/overrides/${id}`, '')).status).toBe(404);
});
