// The example graph end to end: the four example subgraphs composed from rover.yaml, served by Tollgate,
// answer the public gateway benchmark's query with exactly its expected response.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startExampleSubgraphs, type ExampleSubgraphs } from '../subgraphs';
import { SignJWT } from 'jose';
import pino from 'pino';
import { loadConfig } from '../src/config/load';
import { startGateway, type RunningGateway } from '../src/gateway';
import { composeExampleSupergraph } from './fixtures/exampleGateway';
import { postJson, startTestGateway } from './harness';

const fixtures = join(__dirname, '..', 'bench', 'fixtures');

let subgraphs: ExampleSubgraphs;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  subgraphs = await startExampleSubgraphs();
  gateway = await startTestGateway(await composeExampleSupergraph(subgraphs));
});

afterAll(async () => {
  await gateway?.close();
  await subgraphs?.close();
});

describe('the example config (tollgate.example.yaml): public, @authenticated, scoped and policy-guarded fields', () => {
  const secret = 'example-test-secret-0123456789abcdef';
  let example: RunningGateway;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TOLLGATE_JWT_SECRET: secret, TOLLGATE_ADMIN_KEY: 'example-test-admin-key-0123' };
    for (const [name, url] of Object.entries(subgraphs.urls)) env[`${name.toUpperCase()}_URL`] = url;
    Object.assign(process.env, env);
    const config = loadConfig(join(__dirname, '..', 'tollgate.example.yaml'), { env, overrides: { port: 0 } });
    example = await startGateway(config, { logger: pino({ level: 'silent' }) });
  });

  afterAll(() => example?.close());

  const query = { query: '{ me { username email birthday } topProducts(first: 1) { name costPrice } }' };
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('tollgate-dev').setExpirationTime('5m').sign(Buffer.from(secret));

  it('answers anonymous callers with public data and an error per guarded field', async () => {
    const reply = await postJson(example.url, query);
    expect(reply.json.data).toEqual({ me: null, topProducts: [{ name: 'Table', costPrice: null }] });
    expect(reply.json.errors.map((e: { extensions: { coordinate: string } }) => e.extensions.coordinate)).toEqual(['Query.me', 'Product.costPrice']);
  });

  it('keeps the selection order when fields are filtered (GraphQL spec, serialized map ordering)', async () => {
    const reply = await postJson(example.url, { query: '{ me { username } topProducts(first: 1) { name costPrice ...P } } fragment P on Product { price upc }' });
    expect(Object.keys(reply.json.data)).toEqual(['me', 'topProducts']);
    expect(Object.keys(reply.json.data.topProducts[0])).toEqual(['name', 'costPrice', 'price', 'upc']);
    const signedIn = await postJson(
      example.url,
      { query: '{ topProducts(first: 1) { name } me { birthday username email } }' },
      { authorization: `Bearer ${await sign({ sub: '1' })}` },
    );
    expect(Object.keys(signedIn.json.data)).toEqual(['topProducts', 'me']);
    expect(Object.keys(signedIn.json.data.me)).toEqual(['birthday', 'username', 'email']);
    expect(signedIn.json.data.me.birthday).toBeNull();
  });

  it('answers a signed-in staff user with the scope everything', async () => {
    const reply = await postJson(example.url, query, { authorization: `Bearer ${await sign({ sub: '1', role: 'staff', scope: 'users:read_pii' })}` });
    expect(reply.json).toEqual({
      data: { me: { username: 'urigo', email: 'urigo@example.com', birthday: 1234567890 }, topProducts: [{ name: 'Table', costPrice: 539 }] },
    });
  });

  it('applies the scope and the policy separately', async () => {
    const reply = await postJson(example.url, query, { authorization: `Bearer ${await sign({ sub: '2' })}` });
    expect(reply.json.data).toEqual({ me: { username: 'dotansimha', email: 'dotansimha@example.com', birthday: null }, topProducts: [{ name: 'Table', costPrice: null }] });
  });

  it('lets the accounts subgraph refuse other users’ emails (resolver-level graphql-shield rule)', async () => {
    const reply = await postJson(example.url, { query: '{ users { id email } }' }, { authorization: `Bearer ${await sign({ sub: '2' })}` });
    expect(reply.json.data.users.filter((u: { email: string | null }) => u.email !== null)).toEqual([{ id: '2', email: 'dotansimha@example.com' }]);
    expect(reply.json.errors).toHaveLength(5);
  });
});

it('answers the benchmark query with exactly the expected JSON', async () => {
  const request = readFileSync(join(fixtures, 'request.json'), 'utf8');
  const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
  const reply = await postJson(gateway.url, request);
  expect(reply.status).toBe(200);
  expect(reply.json).toEqual(expected);
  // Same keys in the same order as the fixture, not just deep-equal.
  expect(JSON.stringify(reply.json)).toBe(JSON.stringify(expected));
});
