import { parseManifest, sha256Hex, type Manifest } from './manifest';
import { resolvePersisted, type PersistedRequest, type ResolveContext } from './resolve';
import type { PersistedMode } from './config';

const LISTED = 'query Listed { a }';
const OTHER = 'query Other { b }';

function manifest(entries: Record<string, string>): Manifest {
  const parsed = parseManifest(JSON.stringify(entries));
  if (!parsed.ok) throw new Error(parsed.errors.join());
  return parsed.manifest;
}

const pq = (sha256Hash: unknown) => ({ persistedQuery: { version: 1, sha256Hash } });

function context(mode: PersistedMode, stored: Record<string, string> = {}, allowMatchingText = false): ResolveContext {
  return { mode, manifest: manifest({ listed: LISTED, [sha256Hex(LISTED)]: LISTED }), allowMatchingText, apqGet: async (hash) => stored[hash] };
}

describe('resolvePersisted', () => {
  it('strips the APQ extension and keeps the others', async () => {
    const result = await resolvePersisted({ query: OTHER, extensions: { ...pq(sha256Hex(OTHER)), cost: true } }, context('apq'));
    expect(result).toEqual({ ok: true, query: OTHER, extensions: { cost: true }, id: sha256Hex(OTHER), source: 'registered', register: { hash: sha256Hex(OTHER), text: OTHER } });
  });

  it('never registers text under a hash that is not its own', async () => {
    const result = await resolvePersisted({ query: OTHER, extensions: pq(sha256Hex(LISTED).replace(/^./, '0')) }, context('apq'));
    expect(result).toMatchObject({ ok: false, code: 'PERSISTED_QUERY_HASH_MISMATCH' });
  });

  it('treats an empty query beside an id as no text', async () => {
    const result = await resolvePersisted({ query: '', extensions: pq(sha256Hex(OTHER)) }, context('apq', { [sha256Hex(OTHER)]: OTHER }));
    expect(result).toMatchObject({ ok: true, query: OTHER, source: 'apq' });
  });

  it('accepts an upper-case APQ hash as the same hash', async () => {
    const result = await resolvePersisted({ extensions: pq(sha256Hex(OTHER).toUpperCase()) }, context('apq', { [sha256Hex(OTHER)]: OTHER }));
    expect(result).toMatchObject({ ok: true, query: OTHER });
  });

  // Generated requests: whatever combination of text and id is sent, what runs is either the manifest text of the
  // id, text whose SHA-256 is the id, or (in apq/audit, without an id) the sent text — never text riding on an id.
  it('runs only what each mode allows, for generated combinations of text and ids', async () => {
    const texts = [undefined, '', LISTED, OTHER, `${LISTED} `, '{ a }\u0000', 'x'.repeat(1000)];
    const ids: Array<PersistedRequest['extensions'] | { documentId: unknown }> = [];
    for (const id of [undefined, 'listed', sha256Hex(LISTED), sha256Hex(OTHER), `sha256:${sha256Hex(LISTED)}`, 'nope', 'a\u0000', 'é', 'z'.repeat(300), 7]) {
      ids.push(id === undefined ? undefined : pq(id));
      if (typeof id === 'string') ids.push({ documentId: id });
    }
    const stored = { [sha256Hex(OTHER)]: OTHER };
    let cases = 0;
    for (const mode of ['off', 'apq', 'safelist', 'audit'] as const) {
      for (const allow of [false, true]) {
        for (const query of texts) {
          for (const id of ids) {
            const request: PersistedRequest = { ...(query !== undefined ? { query } : {}) };
            if (id && 'documentId' in id) request.documentId = id.documentId as string;
            else if (id) request.extensions = id;
            if (query === undefined && request.documentId === undefined && !request.extensions) continue;
            const result = await resolvePersisted(request, context(mode, stored, allow));
            cases += 1;
            if (!result.ok) {
              expect(result.message.length).toBeLessThan(300);
              continue;
            }
            expect(result.extensions?.persistedQuery).toBeUndefined();
            const hasId = request.documentId !== undefined || request.extensions !== undefined;
            if (mode === 'off') expect(result.query).toBe(query);
            else if (mode === 'safelist') expect(result.query).toBe(LISTED);
            else if (hasId) expect(result.id === 'listed' || result.id === sha256Hex(result.query)).toBe(true);
            if (result.register) expect(sha256Hex(result.register.text)).toBe(result.register.hash);
            if (mode !== 'off' && hasId && query) expect(result.query).toBe(query);
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(500);
  });
});

describe('resolvePersisted: attempts around the safelist', () => {
  const TWO = 'query Listed { a } mutation Drop { drop }';
  const apollo = (() => {
    const parsed = parseManifest(JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256Hex(TWO), name: 'Listed', type: 'query', body: TWO }] }));
    if (!parsed.ok) throw new Error(parsed.errors.join());
    return parsed.manifest;
  })();
  const safelist = (extra: Partial<ResolveContext> = {}): ResolveContext => ({ mode: 'safelist', manifest: apollo, allowMatchingText: false, apqGet: async () => undefined, ...extra });

  it('refuses an operationName that picks another operation of a listed document than the one the entry names', async () => {
    for (const request of [{ documentId: sha256Hex(TWO) }, { extensions: pq(sha256Hex(TWO)) }, { documentId: `sha256:${sha256Hex(TWO).toUpperCase()}` }]) {
      expect(await resolvePersisted({ ...request, operationName: 'Drop' }, safelist())).toMatchObject({ ok: false, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
      expect(await resolvePersisted({ ...request, operationName: 'Listed' }, safelist())).toMatchObject({ ok: true, query: TWO, id: sha256Hex(TWO) });
      // No name: the engine refuses a two-operation document without one; the listed name is not assumed.
      expect(await resolvePersisted(request, safelist())).toMatchObject({ ok: true, query: TWO });
    }
    // Matching text does not widen it either.
    expect(await resolvePersisted({ query: TWO, operationName: 'Drop' }, safelist({ allowMatchingText: true }))).toMatchObject({ ok: false, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
    // audit runs it but counts it as unlisted.
    expect(await resolvePersisted({ documentId: sha256Hex(TWO), operationName: 'Drop' }, safelist({ mode: 'audit' }))).toMatchObject({ ok: true, unlisted: true });
  });

  it('with requireId refuses every text without an id, even a manifest body with allowMatchingText', async () => {
    for (const query of [TWO, '{ a }', ' ']) {
      expect(await resolvePersisted({ query }, safelist({ requireId: true }))).toMatchObject({ ok: false, code: 'PERSISTED_QUERY_ID_REQUIRED' });
    }
    // Text beside an unknown id (its own hash) is not matched against the manifest either.
    expect(await resolvePersisted({ query: TWO, documentId: 'unknown' }, safelist({ requireId: true, allowMatchingText: true }))).toMatchObject({ ok: false, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
    expect(await resolvePersisted({ documentId: sha256Hex(TWO) }, safelist({ requireId: true }))).toMatchObject({ ok: true, query: TWO });
    // Only safelist callers: an apq caller (an override) still sends text.
    expect(await resolvePersisted({ query: '{ a }' }, safelist({ requireId: true, mode: 'apq' }))).toMatchObject({ ok: true, query: '{ a }' });
  });

  it('accepts documentId and the APQ extension together only when they name the same operation', async () => {
    const hash = sha256Hex(TWO);
    expect(await resolvePersisted({ documentId: `sha256:${hash}`, extensions: pq(hash.toUpperCase()) }, safelist())).toMatchObject({ ok: true, query: TWO });
    for (const [documentId, sha] of [[hash, sha256Hex(OTHER)], ['listed', hash], [`sha256:${hash}`, `sha256:${sha256Hex(OTHER)}`], ['SHA256:' + hash, hash]]) {
      expect(await resolvePersisted({ documentId, extensions: pq(sha) }, safelist())).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    }
  });
});
