// Persisted operations over real HTTP, in memory: the APQ round trip exactly as Apollo Client's persisted-query link
// performs it (the real link), mismatched hashes, registrations that fail a policy, ids that try to carry other
// text, hostile ids, `documentId`, per-client modes, audit counting, and the APQ store's bound.
import { createHash } from 'node:crypto';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { http, postJson, startTestGateway } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const API_KEY = 'internal-key-0123456789abcdef';

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let supergraph: string;

beforeAll(async () => {
  graph = await startMiniGraph();
  supergraph = composeMiniGraph(graph.catalog.url, graph.stock.url);
});

afterAll(async () => {
  await graph?.close();
});

interface WireCall {
  method: string;
  url: URL;
  body?: Record<string, unknown>;
  status: number;
  json: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  cacheControl: string | null;
}

/** An Apollo Client with the real persisted-query link (hash-only GETs), and a log of what went over the wire. */
function apolloClient(url: string, wire: WireCall[]) {
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.clone().text();
    wire.push({
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined,
      status: response.status,
      json: JSON.parse(text) as WireCall['json'],
      cacheControl: response.headers.get('cache-control'),
    });
    return response;
  };
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(new HttpLink({ uri: url, fetch: recordingFetch, headers: { 'apollo-require-preflight': 'true' } }));
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

describe('mode apq (memory store)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(supergraph, {
      persistedOperations: { mode: 'apq', apq: { maxBytes: '64kb' } },
      cost: { all: { max: 15 } },
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('serves the APQ round trip as Apollo Client performs it: hash-only GET → not found → POST with text → hash-only GET served', async () => {
    const wire: WireCall[] = [];
    const query = gql`
      query Products {
        products {
          id
          name
        }
      }
    `;
    const first = await apolloClient(gateway.url, wire).query({ query }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(wire)}`);
    });
    expect(first.data).toEqual({ products: [{ __typename: 'Product', id: '1', name: 'Table' }, { __typename: 'Product', id: '2', name: 'Chair' }] });
    expect(wire.map((c) => c.method)).toEqual(['GET', 'POST']);
    const [miss, register] = wire;
    expect(miss.url.searchParams.get('query')).toBeNull();
    const hash = (JSON.parse(miss.url.searchParams.get('extensions')!) as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash;
    expect(miss.json.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect(miss.status).toBe(200);
    expect(miss.cacheControl).toBe('private, no-cache, must-revalidate');
    expect(register.body).toMatchObject({ query: expect.any(String), extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(sha256(register.body!.query as string)).toBe(hash);

    // A second client (fresh cache) now gets the answer from one hash-only GET.
    const again: WireCall[] = [];
    const second = await apolloClient(gateway.url, again).query({ query });
    expect(second.data).toEqual(first.data);
    expect(again.map((c) => [c.method, c.status])).toEqual([['GET', 200]]);
    expect(again[0].url.searchParams.get('query')).toBeNull();
    expect(again[0].json.errors).toBeUndefined();
  });

  it('refuses text that does not hash to its id, and stores nothing', async () => {
    const hash = sha256('{ products { id } }');
    const wrong = await postJson(gateway.url, { query: '{ warehouseCount }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const lookup = await postJson(gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(lookup.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('keeps refusing a registered text that fails a policy, when later sent by hash only', async () => {
    // Two lists of the default size 10 → 20, over cost.all.max = 15.
    const expensive = '{ a: products { id } b: products { id } }';
    const hash = sha256(expensive);
    const registered = await postJson(gateway.url, { query: expensive, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(registered.json.errors[0].extensions.code).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    const byHash = await http(`${gateway.url}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }))}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(byHash.json.errors[0].extensions.code).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    expect(byHash.json.data).toBeUndefined();
  });

  it('refuses a mutation registered by POST and then sent by hash-only GET', async () => {
    const mutation = 'mutation { rename(id: "1", name: "Desk") { id } }';
    const hash = sha256(mutation);
    const posted = await postJson(gateway.url, { query: mutation, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(posted.json).toEqual({ data: { rename: { id: '1' } } });
    const viaGet = await http(`${gateway.url}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }))}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(viaGet.status).toBe(405);
  });

  it('answers hostile ids with a coded error, never a crash or a lookup under a raw string', async () => {
    const cases: unknown[] = [
      { version: 1, sha256Hash: 'a'.repeat(100_000) },
      { version: 1, sha256Hash: 'not-hex' },
      { version: 1, sha256Hash: `${'a'.repeat(63)}\u0000` },
      { version: 1, sha256Hash: 'é'.repeat(64) },
      { version: 1, sha256Hash: '' },
      { version: 1, sha256Hash: 12 },
      { version: 2, sha256Hash: sha256('{ products { id } }') },
      { version: 1 },
      'persisted',
      null,
    ];
    for (const persistedQuery of cases) {
      const reply = await postJson(gateway.url, { extensions: { persistedQuery } });
      expect([400, 200]).toContain(reply.status);
      expect(['BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND']).toContain(reply.json.errors[0].extensions.code);
      expect(reply.text.length).toBeLessThan(2_000);
    }
    const nul = await postJson(gateway.url, { documentId: 'abc\u0000def' });
    expect(nul.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    const both = await postJson(gateway.url, { documentId: 'x', extensions: { persistedQuery: { version: 1, sha256Hash: 'y' } } });
    expect(both.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    const wrongType = await postJson(gateway.url, { documentId: 42 });
    expect(wrongType.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    // An unknown but well-formed non-hex id: not found (nothing to register it under without text).
    const unknown = await postJson(gateway.url, { documentId: 'my-app/Products' });
    expect(unknown.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('serves a registered text by `documentId` (sha256:<hash>), over POST and GET', async () => {
    const query = '{ products { id } }';
    const hash = sha256(query);
    await postJson(gateway.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    const post = await postJson(gateway.url, { documentId: `sha256:${hash}` });
    expect(post.json).toEqual({ data: { products: [{ id: '1' }, { id: '2' }] } });
    const get = await http(`${gateway.url}?documentId=sha256:${hash}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(get.json).toEqual(post.json);
  });

  it('keeps the APQ store within apq.maxBytes under many distinct registrations', async () => {
    for (let i = 0; i < 400; i += 1) {
      const query = `{ echo(text: "${'x'.repeat(200)}${i}") }`;
      const reply = await postJson(gateway.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
      expect(reply.json.data.echo).toMatch(/^x+\d+$/);
    }
    const ready = await http(`${gateway.baseUrl}/ready`);
    const apq = ready.json.persistedOperations.apq;
    expect(apq.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(apq.entries).toBeGreaterThan(10);
    expect(apq.entries).toBeLessThan(400);
    // The newest registration is still there; the oldest was evicted.
    const newest = `{ echo(text: "${'x'.repeat(200)}399") }`;
    const oldest = `{ echo(text: "${'x'.repeat(200)}0") }`;
    expect((await postJson(gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(newest) } } })).json.data).toBeDefined();
    expect((await postJson(gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(oldest) } } })).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('mode off (the default)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(supergraph);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses hash-only requests and ids with PERSISTED_QUERY_NOT_SUPPORTED, and runs text sent with a hash', async () => {
    const hash = sha256('{ products { id } }');
    const hashOnly = await postJson(gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(hashOnly.status).toBe(400);
    expect(hashOnly.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    expect((await postJson(gateway.url, { documentId: hash })).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    const withText = await postJson(gateway.url, { query: '{ warehouseCount }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(withText.json).toEqual({ data: { warehouseCount: 3 } });
  });
});

describe('per-client override', () => {
  let gateway: Gateway;
  let manifestDir: string;
  beforeAll(async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    manifestDir = mkdtempSync(join(tmpdir(), 'tollgate-pq-'));
    writeFileSync(join(manifestDir, 'manifest.json'), JSON.stringify({ 'listed-1': '{ products { id } }' }));
    gateway = await startTestGateway(supergraph, {
      authentication: { apiKeys: { keys: [{ client: 'internal', key: API_KEY, plan: 'staff' }] } },
      persistedOperations: { mode: 'safelist', manifest: { file: join(manifestDir, 'manifest.json') }, overrides: { clients: { internal: 'apq' } } },
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('lets the internal client send any query, while anonymous callers get only the manifest', async () => {
    expect((await postJson(gateway.url, { query: '{ warehouseCount }' }, { 'x-api-key': API_KEY })).json).toEqual({ data: { warehouseCount: 3 } });
    const anonymous = await postJson(gateway.url, { query: '{ warehouseCount }' });
    expect(anonymous.status).toBe(403);
    expect(anonymous.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect((await postJson(gateway.url, { documentId: 'listed-1' })).json).toEqual({ data: { products: [{ id: '1' }, { id: '2' }] } });
  });

  it('never runs text riding on the id of another operation', async () => {
    const ride = await postJson(gateway.url, { documentId: 'listed-1', query: '{ warehouseCount }' });
    expect(ride.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const rideApq = await postJson(gateway.url, { query: '{ warehouseCount }', extensions: { persistedQuery: { version: 1, sha256Hash: 'listed-1' } } });
    expect(rideApq.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    // Its own hash does not help either: safelist mode registers nothing.
    const ownHash = await postJson(gateway.url, { query: '{ warehouseCount }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ warehouseCount }') } } });
    expect(ownHash.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // The internal client may register, but not under another operation's id either.
    const internalRide = await postJson(gateway.url, { documentId: 'listed-1', query: '{ warehouseCount }' }, { 'x-api-key': API_KEY });
    expect(internalRide.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  });

  it('answers a bad API key before resolving anything', async () => {
    const reply = await postJson(gateway.url, { documentId: 'listed-1' }, { 'x-api-key': 'wrong-key-0123456789abcdef' });
    expect(reply.status).toBe(401);
  });
});
