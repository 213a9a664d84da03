// Caller context to REST sources through the real gateway: tollgate.yaml's per-source header rules (insert,
// propagate/rename, claims), authentication.forwardClaims, $config and $context in paths, query values and headers,
// a client header never posing as a claim, CR/LF in a claim refused with a code (no call, no injected header), and
// traffic.timeout / traffic.dedupe applied to the REST subgraph.
import { SignJWT } from 'jose';
import { postJson } from './harness';
import { startRestGraph, type RestGraph } from './fixtures/restGraph';

const SECRET = 'rest-context-test-secret-0123456789abcdef';
let graph: RestGraph;

const PROBE = `
  contextProbe: Supplier
    @rest(
      source: "pricing"
      http: {
        GET: "/{$config.version}/suppliers/{$config.supplier}?channel={$context.headers->get('x-channel')}&scopes={$context.scopes->joinNotNull(' ')}"
        headers: [{ name: "x-caller", value: "{$context.subject}/{$context.claims.tenant}" }]
      }
      selection: "$.data { id name country }"
    )
`;

beforeAll(async () => {
  graph = await startRestGraph({
    products: 1,
    editDescription: (sdl) => sdl.replace('type Query {', `type Query {${PROBE}`).replace('backoff: "50ms"', 'backoff: "1ms"'),
    config: {
      authentication: { jwt: { algorithms: ['HS256'], secret: SECRET, requireExp: false }, forwardClaims: { sub: 'x-user-id' } },
      headers: { subgraphs: { pricing: [{ propagate: { named: 'x-tenant' } }, { propagate: { named: 'x-user-id' } }] } },
      rest: {
        sources: {
          pricing: {
            config: { supplier: 'S2', version: 'v1' },
            headers: [{ insert: { name: 'x-env', value: 'from-yaml' } }, { propagate: { named: 'x-locale', rename: 'accept-language' } }, { claim: { name: 'tenant', header: 'x-tenant-id' } }],
            contextHeaders: ['x-channel'],
          },
        },
      },
      traffic: { subgraphs: { pricing: { timeout: '200ms', dedupe: true } } },
    },
  });
});

afterAll(() => graph?.close());

beforeEach(() => {
  graph.legacy.requests.length = 0;
  graph.legacy.clearFault();
});

const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(SECRET));
const probe = (headers: Record<string, string> = {}) => postJson(graph.gateway.url, { query: '{ contextProbe { id name } }' }, headers);

it('sends $config and $context in the path, query and headers, and the source\'s header rules', async () => {
  const token = await sign({ sub: 'u1', tenant: 't1', scope: 'b a' });
  const reply = await probe({ authorization: `Bearer ${token}`, 'x-channel': 'web', 'x-locale': 'sv', 'x-tenant': 'acme' });
  expect(reply.json).toEqual({ data: { contextProbe: { id: 'S2', name: 'Clearline Glassworks' } } });
  const [sent] = graph.legacy.requests;
  expect(sent.url).toBe('/v1/suppliers/S2?channel=web&scopes=a%20b');
  expect(sent.headers).toMatchObject({ 'x-user-id': 'u1', 'x-tenant-id': 't1', 'x-env': 'from-yaml', 'accept-language': 'sv', 'x-tenant': 'acme', 'x-caller': 'u1/t1' });
});

it('an anonymous caller: no claim headers, even when the client sends them; absent context is left out', async () => {
  const reply = await probe({ 'x-user-id': 'admin', 'x-tenant-id': 'other' });
  expect(reply.json.data.contextProbe.id).toBe('S2');
  const [sent] = graph.legacy.requests;
  expect(sent.headers['x-user-id']).toBeUndefined();
  expect(sent.headers['x-tenant-id']).toBeUndefined();
  expect(sent.headers['x-caller']).toBe('/');
  // A null value leaves its query parameter out; an empty string (no scopes joined) is sent empty.
  expect(sent.url).toBe('/v1/suppliers/S2?scopes=');
});

it('CR/LF in a claim forwarded as a header is REST_MAPPING_ERROR: no call, no injected header, the gateway answers on', async () => {
  for (const claims of [{ sub: 'u1', tenant: 't1\r\nX-Injected: 1' }, { sub: 'u1\nX-Injected: 1' }, { sub: 'u1', tenant: 'nul\u0000byte' }]) {
    const reply = await probe({ authorization: `Bearer ${await sign(claims)}` });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({ contextProbe: null });
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_MAPPING_ERROR', connector: 'Query.contextProbe' });
    expect(reply.json.errors[0].message).toMatch(/CR, LF/);
  }
  expect(graph.legacy.requests).toHaveLength(0);
  expect((await probe()).json.data.contextProbe.id).toBe('S2');
});

it('traffic.timeout caps the description\'s timeout for the REST subgraph', async () => {
  graph.legacy.setFault({ kind: 'slow', delayMs: 1000 }, { pathPrefix: '/v1/suppliers/S1' });
  const reply = await postJson(graph.gateway.url, { query: '{ supplier(id: "S1") { name } }' });
  expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_TIMEOUT', timeoutMs: 200 });
});

it('traffic.dedupe: identical GETs in flight for different client requests are made once', async () => {
  graph.legacy.setFault({ kind: 'slow', delayMs: 80 }, { pathPrefix: '/v1/suppliers/S3' });
  // Different operations (so inbound deduplication does not merge them) needing the same REST call.
  const [a, b] = await Promise.all([
    postJson(graph.gateway.url, { query: '{ supplier(id: "S3") { name } }' }),
    postJson(graph.gateway.url, { query: '{ supplier(id: "S3") { country } }' }),
  ]);
  expect(a.json.data.supplier).toEqual({ name: 'Pixel & Co' });
  expect(b.json.data.supplier).toEqual({ country: 'KR' });
  expect(graph.legacy.requests.filter((r) => r.path === '/v1/suppliers/S3')).toHaveLength(1);
});
