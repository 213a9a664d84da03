// Persisted operations attacked over real HTTP: ways around a safelist (text and id combinations, spellings of
// hashes, batches, whitespace/comment/unicode variants, operationName picking an unlisted operation of a listed
// document, Relay's doc_id), per-client overrides with missing or borrowed identities, APQ registrations by callers
// who are then refused (bad credentials, GET mutations, lone surrogates), concurrent and oversized registrations,
// inbound dedupe across ids, and a manifest reload racing requests.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { eventually, http, postJson, startTestGateway, tempDir } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const pq = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
const getUrl = (base: string, params: Record<string, string>) => `${base}?${new URLSearchParams(params).toString()}`;
const PREFLIGHT = { 'apollo-require-preflight': '1' };
const codeOf = (reply: { json: { errors?: Array<{ extensions?: { code?: string } }> } }) => reply.json.errors?.[0]?.extensions?.code;

const API_KEY = 'internal-key-0123456789abcdef';
const JWT_SECRET = 'persisted-attacks-secret-0123456789abcdef';
const sign = (claims: Record<string, unknown>, expires: string | number = '5m') => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expires).sign(Buffer.from(JWT_SECRET));

const PRODUCTS = 'query Products { products { id name } }';
/** A listed Apollo entry named `Products` whose body also holds a mutation (a hand-merged manifest). */
const TWO_OPS = 'query Products { products { id } }\nmutation Rename { rename(id: "2", name: "pwned") { id name } }';
const PRODUCTS_DATA = { data: { products: [{ id: '1', name: 'Table' }, { id: '2', name: 'Chair' }] } };

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let supergraph: string;

beforeAll(async () => {
  graph = await startMiniGraph();
  supergraph = composeMiniGraph(graph.catalog.url, graph.stock.url);
});

afterAll(async () => {
  await graph?.close();
});

function apolloManifest(entries: Array<[name: string, body: string]>): string {
  return JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: entries.map(([name, body]) => ({ id: sha256(body), name, type: 'query', body })) });
}

describe('safelist: ways around it', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), apolloManifest([['Products', PRODUCTS], ['Products', TWO_OPS]]));
    gateway = await startTestGateway(supergraph, {
      authentication: { apiKeys: { keys: [{ client: 'internal', key: API_KEY }] }, jwt: { secret: JWT_SECRET, algorithms: ['HS256'] } },
      persistedOperations: { mode: 'safelist', allowMatchingText: true, manifest: { file: join(dir, 'manifest.json') }, overrides: { clients: { internal: 'apq' } } },
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses batched (array) bodies, whatever they carry', async () => {
    for (const body of [[pq(sha256(PRODUCTS))], [{ query: PRODUCTS }, { query: '{ warehouseCount }' }], []]) {
      const reply = await postJson(gateway.url, body);
      expect(reply.status).toBe(400);
      expect(codeOf(reply)).toBe('BAD_REQUEST');
    }
  });

  it('runs listed text byte for byte only: whitespace, comment, case and unicode variants are not listed', async () => {
    expect((await postJson(gateway.url, { query: PRODUCTS })).json).toEqual(PRODUCTS_DATA);
    const variants = [
      `${PRODUCTS} `,
      ` ${PRODUCTS}`,
      PRODUCTS.replace(' { products', '{ products'),
      `# listed\n${PRODUCTS}`,
      `${PRODUCTS}\n# trailing`,
      PRODUCTS.replace('query Products', 'query products'),
      PRODUCTS.replace('\u0020', '\u00a0'), // no-break space
      PRODUCTS.replace('o', '\u043e'), // Cyrillic o
      `\ufeff${PRODUCTS}`, // byte order mark (an ignored token)
      PRODUCTS.replace('name', 'name\u200b'), // zero-width space
      `${PRODUCTS}\ud800`, // a lone surrogate: UTF-8 encodes it as U+FFFD, so hashes must not be the only check
      `${PRODUCTS}\ufffd`,
      `${PRODUCTS} { warehouseCount }`,
    ];
    for (const query of variants) {
      const reply = await postJson(gateway.url, { query });
      expect([query, reply.status, codeOf(reply)]).toEqual([query, 403, 'PERSISTED_QUERY_NOT_IN_LIST']);
    }
    // The same variants beside the listed id: refused as not that id's text.
    for (const query of variants) expect(codeOf(await postJson(gateway.url, { query, ...pq(sha256(PRODUCTS)) }))).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  });

  it('serves the listed hash in any spelling of the same id, and nothing else under a look-alike', async () => {
    const hash = sha256(PRODUCTS);
    for (const body of [pq(hash.toUpperCase()), { documentId: `sha256:${hash}` }, { documentId: `sha256:${hash.toUpperCase()}` }, { doc_id: hash }, { documentId: hash, ...pq(hash.toUpperCase()) }]) {
      expect((await postJson(gateway.url, body)).json).toEqual(PRODUCTS_DATA);
    }
    for (const documentId of [`SHA256:${hash}`, `sha256:${hash}0`, `sha256:${hash.slice(1)}`, `sha1:${hash}`, `sha256: ${hash}`, `${hash}\n`]) {
      const reply = await postJson(gateway.url, { documentId });
      expect([documentId, codeOf(reply)]).toEqual([documentId, expect.stringMatching(/^(PERSISTED_QUERY_NOT_FOUND|BAD_REQUEST)$/)]);
    }
    // Two different ids in one request: refused, whichever is listed.
    expect(codeOf(await postJson(gateway.url, { documentId: hash, ...pq(sha256('{ warehouseCount }')) }))).toBe('BAD_REQUEST');
    expect(codeOf(await postJson(gateway.url, { documentId: 'x', doc_id: hash }))).toBe('BAD_REQUEST');
  });

  it('serves by id over GET too (doc_id, documentId, the APQ extension), and never a listed mutation over GET', async () => {
    const hash = sha256(PRODUCTS);
    const forms: Array<Record<string, string>> = [{ doc_id: hash }, { documentId: `sha256:${hash}` }, { extensions: JSON.stringify(pq(hash).extensions) }];
    for (const params of forms) {
      expect((await http(getUrl(gateway.url, params), { headers: PREFLIGHT })).json).toEqual(PRODUCTS_DATA);
    }
    const viaGet = await http(getUrl(gateway.url, { documentId: sha256(TWO_OPS), operationName: 'Rename' }), { headers: PREFLIGHT });
    expect(codeOf(viaGet)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it("refuses an operationName that picks an operation of a listed document other than the entry's", async () => {
    for (const body of [{ documentId: sha256(TWO_OPS) }, pq(sha256(TWO_OPS)), { query: TWO_OPS }]) {
      const reply = await postJson(gateway.url, { ...body, operationName: 'Rename' });
      expect(codeOf(reply)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      expect((await postJson(gateway.url, { ...body, operationName: 'Products' })).json).toEqual({ data: { products: [{ id: '1' }, { id: '2' }] } });
    }
    // The mutation never ran.
    expect((await postJson(gateway.url, { query: PRODUCTS })).json).toEqual(PRODUCTS_DATA);
  });

  it("gives the override's mode only to the credential that declares the client", async () => {
    const anyQuery = { query: '{ warehouseCount }' };
    expect((await postJson(gateway.url, anyQuery, { 'x-api-key': API_KEY })).json).toEqual({ data: { warehouseCount: 3 } });
    expect((await postJson(gateway.url, anyQuery, { authorization: `Bearer ${await sign({ sub: 'u1', azp: 'internal' })}` })).json).toEqual({ data: { warehouseCount: 3 } });
    // A user whose subject is the client's name, without the client claim, is not that client.
    expect(codeOf(await postJson(gateway.url, anyQuery, { authorization: `Bearer ${await sign({ sub: 'internal' })}` }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // Missing, bad, expired or unsigned credentials: refused or safelisted, never the override.
    expect(codeOf(await postJson(gateway.url, anyQuery))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(codeOf(await postJson(gateway.url, anyQuery, { 'x-api-key': `${API_KEY}x` }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await postJson(gateway.url, anyQuery, { 'x-api-key': API_KEY.toUpperCase() }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await postJson(gateway.url, anyQuery, { authorization: `Bearer ${await sign({ azp: 'internal' }, Math.floor(Date.now() / 1000) - 60)}` }))).toBe('UNAUTHENTICATED');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"azp":"internal"}').toString('base64url')}.`;
    expect(codeOf(await postJson(gateway.url, anyQuery, { authorization: `Bearer ${unsigned}` }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await postJson(gateway.url, anyQuery, { 'apollographql-client-name': 'internal', 'x-client': 'internal' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('safelist with requireId', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'relay.json'), JSON.stringify({ '3be4abb81fa595e25eb725b2c6a87508': PRODUCTS }));
    gateway = await startTestGateway(supergraph, { persistedOperations: { mode: 'safelist', requireId: true, manifest: { file: join(dir, 'relay.json') } } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("refuses text without an id, even listed text, and serves Relay's doc_id", async () => {
    for (const query of [PRODUCTS, '{ warehouseCount }']) {
      const reply = await postJson(gateway.url, { query });
      expect(reply.status).toBe(400);
      expect(codeOf(reply)).toBe('PERSISTED_QUERY_ID_REQUIRED');
      expect(codeOf(await http(getUrl(gateway.url, { query }), { headers: PREFLIGHT }))).toBe('PERSISTED_QUERY_ID_REQUIRED');
    }
    // As Relay's network layer sends it.
    expect((await postJson(gateway.url, { doc_id: '3be4abb81fa595e25eb725b2c6a87508', variables: {} })).json).toEqual(PRODUCTS_DATA);
    expect(codeOf(await postJson(gateway.url, { query: '{ warehouseCount }', ...pq(sha256('{ warehouseCount }')) }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('apq: registrations by callers who are then refused', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(supergraph, {
      authentication: { apiKeys: { keys: [{ client: 'app', key: API_KEY }] } },
      persistedOperations: { mode: 'apq', apq: { maxBytes: '64kb' } },
      server: { bodyLimit: '200kb' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });
  const entries = async () => (await http(`${gateway.baseUrl}/ready`)).json.persistedOperations.apq.entries as number;

  it('stores nothing for a caller with bad credentials', async () => {
    const query = '{ products { name } }';
    expect(codeOf(await postJson(gateway.url, { query, ...pq(sha256(query)) }, { 'x-api-key': 'not-a-key-0123456789abcdef' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await postJson(gateway.url, pq(sha256(query))))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('stores nothing for a mutation sent by GET (405), so a later hash-only POST cannot run it', async () => {
    const mutation = 'mutation { rename(id: "1", name: "via-get") { id } }';
    const viaGet = await http(getUrl(gateway.url, { query: mutation, extensions: JSON.stringify(pq(sha256(mutation)).extensions) }), { headers: PREFLIGHT });
    expect(viaGet.status).toBe(405);
    expect(codeOf(await postJson(gateway.url, pq(sha256(mutation))))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('never registers a text with a lone surrogate under the hash of its U+FFFD twin', async () => {
    const twin = '{ echo(text: "\ufffd") }';
    const lone = '{ echo(text: "\ud800") }';
    expect(sha256(lone)).toBe(sha256(twin)); // UTF-8 encoding makes them collide
    const reply = await postJson(gateway.url, { query: lone, ...pq(sha256(lone)) });
    expect(reply.status).toBe(400);
    expect(codeOf(await postJson(gateway.url, pq(sha256(twin))))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await postJson(gateway.url, { query: twin, ...pq(sha256(twin)) })).json).toEqual({ data: { echo: '\ufffd' } });
  });

  it('keeps one entry for many concurrent registrations of the same hash', async () => {
    const query = `{ echo(text: "concurrent") }`;
    const before = await entries();
    const replies = await Promise.all(Array.from({ length: 30 }, () => postJson(gateway.url, { query, ...pq(sha256(query)) })));
    for (const reply of replies) expect(reply.json).toEqual({ data: { echo: 'concurrent' } });
    expect(await entries()).toBe(before + 1);
  });

  it('serves a text larger than the store without keeping it, and refuses one over server.bodyLimit', async () => {
    const big = `{ echo(text: "${'b'.repeat(70_000)}") }`; // over the store's 64 KB
    expect((await postJson(gateway.url, { query: big, ...pq(sha256(big)) })).json.data.echo).toHaveLength(70_000);
    expect(codeOf(await postJson(gateway.url, pq(sha256(big))))).toBe('PERSISTED_QUERY_NOT_FOUND');
    const huge = `{ echo(text: "${'h'.repeat(210_000)}") }`;
    const tooLarge = await postJson(gateway.url, { query: huge, ...pq(sha256(huge)) });
    expect(tooLarge.status).toBe(413);
    expect(codeOf(await postJson(gateway.url, pq(sha256(huge))))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('never shares an inbound-deduplicated answer between ids that resolve to different texts', async () => {
    const texts = Array.from({ length: 6 }, (_, i) => `{ echo(text: "dedupe-${i}") }`);
    for (const query of texts) await postJson(gateway.url, { query, ...pq(sha256(query)) });
    const requests = Array.from({ length: 60 }, (_, n) => {
      const i = n % texts.length;
      const body = n % 3 === 0 ? { query: texts[i] } : n % 3 === 1 ? pq(sha256(texts[i])) : { documentId: `sha256:${sha256(texts[i])}` };
      return postJson(gateway.url, body).then((reply) => [i, reply.json] as const);
    });
    for (const [i, json] of await Promise.all(requests)) expect(json).toEqual({ data: { echo: `dedupe-${i}` } });
  });
});

describe('a manifest reload racing requests', () => {
  let gateway: Gateway;
  let file: string;
  const A = 'query A { warehouseCount }';
  const B = 'query B { products { id } }';
  beforeAll(async () => {
    file = join(tempDir(), 'manifest.json');
    writeFileSync(file, apolloManifest([['A', A]]));
    gateway = await startTestGateway(supergraph, { persistedOperations: { mode: 'safelist', manifest: { file } } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers every request with its own operation or a persisted-query code, while versions swap', async () => {
    const versions = [apolloManifest([['B', B]]), apolloManifest([['A', A], ['B', B]]), apolloManifest([['A', A]])];
    const seen = new Set<string>();
    let swapping = true;
    const load = (async () => {
      const answers: Array<[string, { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }, number]> = [];
      while (swapping) {
        const batch = await Promise.all(
          [A, B].map(async (text) => {
            const reply = await postJson(gateway.url, { documentId: sha256(text) });
            return [text, reply.json, reply.status] as (typeof answers)[number];
          }),
        );
        answers.push(...batch);
      }
      return answers;
    })();
    for (const version of versions) {
      writeFileSync(file, version);
      const hash = sha256(version);
      await eventually(async () => (await http(`${gateway.baseUrl}/ready`)).json.persistedOperations.manifest.hash === hash);
      seen.add(hash);
    }
    swapping = false;
    const answers = await load;
    expect(seen.size).toBe(3);
    expect(answers.length).toBeGreaterThan(0);
    for (const [text, json, status] of answers) {
      if (json.data !== undefined) expect(json).toEqual(text === A ? { data: { warehouseCount: 3 } } : { data: { products: [{ id: '1' }, { id: '2' }] } });
      else {
        expect(codeOf({ json })).toBe('PERSISTED_QUERY_NOT_FOUND');
        expect(status).toBe(200);
      }
    }
  });
});
