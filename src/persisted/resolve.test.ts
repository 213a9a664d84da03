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
