// Authentication and field-level authorization over real HTTP: real signed tokens (keys made here, a JWKS
// served on loopback), API keys, every way a credential can fail, filtering of nested / aliased / fragment /
// interface / union fields, a denied mutation, plan-cache isolation between callers, @policy rules.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { sha256Hex } from '../src/identity/apiKeys';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { SHOP_SDL, startShop, type ShopState } from './fixtures/authGraph';
import { compose, postJson, startTestGateway, type HttpReply } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'tollgate-tests';
const API_KEY = 'test-api-key-0123456789abcdef';

let shop: Awaited<ReturnType<typeof startShop>>;
let state: ShopState;
let proxy: FaultProxy;
let jwks: Server;
let jwksUrl: string;
let signingKey: KeyLike;
let otherKey: KeyLike;
let supergraph: string;
let gateway: Gateway;

type TokenOptions = { key?: KeyLike; kid?: string; exp?: string | number | null; iat?: number | null; nbf?: number; iss?: string; aud?: string };

/** A signed token; `exp: null` / `iat: null` leave the claim out. */
async function token(claims: Record<string, unknown>, options: TokenOptions = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE);
  if (options.iat !== null) jwt.setIssuedAt(options.iat);
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? '5m');
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? signingKey);
}

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;

  shop = await startShop();
  state = shop.state;
  proxy = await startFaultProxy(shop.server.url);
  supergraph = compose([{ name: 'shop', url: proxy.url, sdl: SHOP_SDL }]);
  gateway = await startTestGateway(supergraph, {
    authentication: {
      jwt: { jwksUrl, issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], cookie: 'session' },
      apiKeys: { keys: [{ client: 'partner', key: API_KEY, scopes: ['staff'], plan: 'pro' }, { client: 'hashed', sha256: sha256Hex('another-key-0123456789'), scopes: ['admin'] }] },
      forwardClaims: { sub: 'x-user-id' },
    },
    authorization: { policies: join(__dirname, 'fixtures', 'policies.js') },
    headers: { all: [{ propagate: { named: 'x-user-id' } }] },
  });
});

afterAll(async () => {
  await gateway?.close();
  await proxy?.close();
  await shop?.server.close();
  await new Promise<void>((resolve) => (jwks ? jwks.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  proxy.seen.length = 0;
});

function expectUnauthenticated(reply: HttpReply) {
  expect(reply.status).toBe(401);
  expect(reply.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect(reply.headers.get('www-authenticate')).toContain('Bearer');
  expect(proxy.seen).toHaveLength(0);
}

describe('authentication', () => {
  const query = { query: '{ products { id } }' };

  it('lets anonymous callers through to public fields', async () => {
    const reply = await postJson(gateway.url, query);
    expect(reply.json).toEqual({ data: { products: [{ id: 'p1' }, { id: 'p2' }] } });
  });

  it('accepts a valid RS256 token from the JWKS, in the header or a cookie', async () => {
    const valid = await token({ sub: 'u1', scope: 'staff' });
    expect((await postJson(gateway.url, { query: '{ products { costPrice } }' }, bearer(valid))).json.data.products[0].costPrice).toBe(400);
    expect((await postJson(gateway.url, { query: '{ products { costPrice } }' }, { cookie: `theme=dark; session=${valid}` })).json.data.products[0].costPrice).toBe(400);
  });

  it('refuses a token signed by another key', async () => {
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { key: otherKey }))));
  });

  it('refuses an unknown kid (after refetching the JWKS)', async () => {
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { kid: 'nope' }))));
  });

  it('refuses an expired token', async () => {
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { exp: Math.floor(Date.now() / 1000) - 3600 }))));
  });

  it('refuses a token without exp, with iat or nbf in the future, and one far in the future too (issue 10, item 3)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const year = 365 * 24 * 3600;
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1', scope: 'staff' }, { exp: null }))));
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1', scope: 'staff' }, { exp: null, iat: null }))));
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { iat: now + year, exp: now + year + 600 }))));
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { nbf: now + 3600 }))));
    // Within the clock tolerance (30 s) a slightly fast issuer is fine.
    expect((await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { iat: now + 5 })))).status).toBe(200);
    const reply = await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { exp: null })));
    expect(reply.json.errors[0].message).toContain('"exp"');
  });

  it('answers a malformed %-sequence in the token cookie with 401, not 500', async () => {
    expectUnauthenticated(await postJson(gateway.url, query, { cookie: 'session=%E0%A4%A' }));
    expectUnauthenticated(await postJson(gateway.url, query, { cookie: 'session=%' }));
  });

  it('refuses alg: none', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'u1', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    expectUnauthenticated(await postJson(gateway.url, query, bearer(unsigned)));
  });

  it('refuses a wrong issuer or audience', async () => {
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { iss: 'https://evil.test' }))));
    expectUnauthenticated(await postJson(gateway.url, query, bearer(await token({ sub: 'u1' }, { aud: 'someone-else' }))));
  });

  it('refuses malformed headers and garbage tokens', async () => {
    expectUnauthenticated(await postJson(gateway.url, query, { authorization: 'Basic dXNlcjpwYXNz' }));
    expectUnauthenticated(await postJson(gateway.url, query, { authorization: 'Bearer ' }));
    expectUnauthenticated(await postJson(gateway.url, query, bearer('not.a.jwt')));
  });

  it('accepts configured API keys (plain or pre-hashed) and refuses unknown ones', async () => {
    expect((await postJson(gateway.url, { query: '{ products { costPrice } }' }, { 'x-api-key': API_KEY })).json.data.products[0].costPrice).toBe(400);
    expect((await postJson(gateway.url, { query: '{ product(id: "p1") { secretCode } }' }, { 'x-api-key': 'another-key-0123456789' })).json.data.product.secretCode).toBe('T-1');
    proxy.seen.length = 0;
    expectUnauthenticated(await postJson(gateway.url, query, { 'x-api-key': 'wrong-key-0123456789abcdef' }));
  });

  it('forwards configured claims as headers, and never a client-forged one', async () => {
    await postJson(gateway.url, query, bearer(await token({ sub: 'u1' })));
    expect(proxy.seen[0].headers['x-user-id']).toBe('u1');
    proxy.seen.length = 0;
    await postJson(gateway.url, query, { 'x-user-id': 'forged' });
    expect(proxy.seen[0].headers['x-user-id']).toBeUndefined();
  });
});

describe('field-level authorization (filter mode)', () => {
  it('nulls an unauthorized field in a list, with one error at its path, and keeps the rest', async () => {
    const reply = await postJson(gateway.url, { query: '{ products { id name costPrice } }' });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({
      products: [
        { id: 'p1', name: 'Table', costPrice: null },
        { id: 'p2', name: 'Chair', costPrice: null },
      ],
    });
    expect(reply.json.errors).toEqual([
      { message: 'Unauthorized field or type: Product.costPrice', path: ['products', '@', 'costPrice'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Product.costPrice' } },
    ]);
    // The subgraph was never asked for the field.
    expect(proxy.seen[0].body).not.toContain('costPrice');
  });

  it('reports aliased fields under their alias', async () => {
    const reply = await postJson(gateway.url, { query: '{ products { id cost: costPrice } }' });
    expect(reply.json.data.products[0]).toEqual({ id: 'p1', cost: null });
    expect(reply.json.errors[0].path).toEqual(['products', '@', 'cost']);
  });

  it('filters inside named fragments and nested objects', async () => {
    const reply = await postJson(gateway.url, { query: 'query { products { ...P } } fragment P on Product { name supplier { name } }' });
    expect(reply.json.data.products).toEqual([
      { name: 'Table', supplier: null },
      { name: 'Chair', supplier: null },
    ]);
    expect(reply.json.errors[0].extensions.coordinate).toBe('Product.supplier');
  });

  it('follows non-null propagation: a removed non-null field nulls its parent', async () => {
    const reply = await postJson(gateway.url, { query: '{ product(id: "p1") { id secretCode } }' }, bearer(await token({ sub: 'u1', scope: 'staff' })));
    expect(reply.json.data).toEqual({ product: null });
    expect(reply.json.errors[0].path).toEqual(['product', 'secretCode']);
  });

  it('filters per possible type in unions and interfaces', async () => {
    const reply = await postJson(gateway.url, { query: '{ search { __typename ... on Product { name } ... on User { name ssn } } nodes { id ... on User { ssn } } }' });
    expect(reply.json.data).toEqual({
      search: [
        { __typename: 'Product', name: 'Table' },
        { __typename: 'User', name: 'Ada', ssn: null },
      ],
      nodes: [{ id: 'p2' }, { id: 'u1', ssn: null }],
    });
    expect(reply.json.errors.map((e: { path: unknown }) => e.path)).toEqual([
      ['search', '@', 'ssn'],
      ['nodes', '@', 'ssn'],
    ]);
  });

  it('honours @skip/@include with variables', async () => {
    const query = 'query Q($withCost: Boolean!) { products { id costPrice @include(if: $withCost) } }';
    const without = await postJson(gateway.url, { query, variables: { withCost: false } });
    expect(without.json).toEqual({ data: { products: [{ id: 'p1' }, { id: 'p2' }] } });
    const withCost = await postJson(gateway.url, { query, variables: { withCost: true } });
    expect(withCost.json.errors[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(withCost.json.data.products[0]).toEqual({ id: 'p1', costPrice: null });
  });

  it('removes a denied mutation field: the subgraph never runs it', async () => {
    const reply = await postJson(gateway.url, { query: 'mutation { deleteProduct(id: "p1") ping }' }, bearer(await token({ sub: 'u1', scope: 'staff' })));
    expect(reply.json.data).toEqual({ deleteProduct: null, ping: 'pong' });
    expect(reply.json.errors[0].extensions.coordinate).toBe('Mutation.deleteProduct');
    expect(state.deleted).toEqual([]);
    const admin = await postJson(gateway.url, { query: 'mutation { deleteProduct(id: "p1") }' }, bearer(await token({ sub: 'u1', scope: 'admin' })));
    expect(admin.json).toEqual({ data: { deleteProduct: true } });
    expect(state.deleted).toEqual(['p1']);
  });

  it('never serves one caller’s filtered plan or answer to another (both ways, and concurrently)', async () => {
    const query = { query: '{ products { id costPrice } }' };
    const staff = bearer(await token({ sub: 'u1', scope: 'staff' }));
    const costs = (reply: HttpReply) => reply.json.data.products.map((p: { costPrice: number | null }) => p.costPrice);
    expect(costs(await postJson(gateway.url, query, staff))).toEqual([400, 90]);
    expect(costs(await postJson(gateway.url, query))).toEqual([null, null]);
    expect(costs(await postJson(gateway.url, query, staff))).toEqual([400, 90]);
    expect(costs(await postJson(gateway.url, query))).toEqual([null, null]);
    proxy.mode = { kind: 'slow', delayMs: 100 };
    try {
      const replies = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => postJson(gateway.url, query, i % 2 ? staff : {})));
      replies.forEach((reply, i) => expect(costs(reply)).toEqual(i % 2 ? [400, 90] : [null, null]));
    } finally {
      proxy.mode = { kind: 'pass' };
    }
  });

  it('evaluates @policy rules with the principal and the field’s arguments', async () => {
    const query = (userId: string) => ({ query: `{ orders(userId: "${userId}") { id } }` });
    const u1 = bearer(await token({ sub: 'u1' }));
    expect((await postJson(gateway.url, query('u1'), u1)).json).toEqual({ data: { orders: [{ id: 'o-u1' }] } });
    const other = await postJson(gateway.url, query('u2'), u1);
    expect(other.json.data).toEqual({ orders: null });
    expect(other.json.errors[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const support = bearer(await token({ sub: 'agent', role: 'support' }));
    expect((await postJson(gateway.url, query('u2'), support)).json).toEqual({ data: { orders: [{ id: 'o-u2' }] } });
    expect((await postJson(gateway.url, query('u1'))).json.data).toEqual({ orders: null });
  });

  it('evaluates @policy rules with this request’s variables, not those of the request that cached the operation', async () => {
    const query = 'query Orders($u: ID!) { orders(userId: $u) { id } }';
    const u1 = bearer(await token({ sub: 'u1' }));
    expect((await postJson(gateway.url, { query, variables: { u: 'u1' } }, u1)).json).toEqual({ data: { orders: [{ id: 'o-u1' }] } });
    const other = await postJson(gateway.url, { query, variables: { u: 'u2' } }, u1);
    expect(other.json.data).toEqual({ orders: null });
    expect(other.json.errors[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('leaves introspection alone', async () => {
    const reply = await postJson(gateway.url, { query: '{ __type(name: "Product") { fields { name } } }' });
    expect(reply.json.errors).toBeUndefined();
    expect(reply.json.data.__type.fields.map((f: { name: string }) => f.name)).toContain('costPrice');
  });
});

describe('reject mode', () => {
  it('fails the whole request with 403 and calls no subgraph', async () => {
    const strict = await startTestGateway(supergraph, {
      authentication: { jwt: { jwksUrl, issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] } },
      authorization: { mode: 'reject', policies: join(__dirname, 'fixtures', 'policies.js') },
    });
    try {
      const reply = await postJson(strict.url, { query: '{ products { id costPrice } }' });
      expect(reply.status).toBe(403);
      expect(reply.json.data).toBeUndefined();
      expect(reply.json.errors[0]).toMatchObject({ path: ['products', '@', 'costPrice'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
      expect(proxy.seen).toHaveLength(0);
      expect((await postJson(strict.url, { query: '{ products { id } }' })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
