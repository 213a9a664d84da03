import { buildSchema } from 'graphql';
import { parseManifest, sha256Hex } from './manifest';
import { ENTRY_OVERHEAD_BYTES, entryBytes, MemoryApqStore } from './store/memory';
import { findInvalidOperations } from './validate';

const BODY = 'query A { a }';

describe('parseManifest', () => {
  it('reads the three formats into one shape', () => {
    const apollo = parseManifest(JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256Hex(BODY), name: 'A', type: 'query', body: BODY }] }));
    const relay = parseManifest(JSON.stringify({ '0f3c9a': BODY }));
    const codegen = parseManifest(JSON.stringify({ [sha256Hex(BODY)]: BODY }));
    for (const result of [apollo, relay, codegen]) {
      if (!result.ok) throw new Error(result.errors.join());
      const [op] = result.manifest.operations.values();
      expect(op.body).toBe(BODY);
      expect(result.manifest.byBodyHash.get(sha256Hex(BODY))).toBe(op);
    }
    expect(apollo.ok && apollo.manifest.format).toBe('apollo');
    expect(apollo.ok && [...apollo.manifest.operations.values()][0].name).toBe('A');
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /JSON object/],
    ['an unknown format', '{"format":"x","operations":[]}', /unknown manifest format/],
    ['version 2', '{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}', /version 2/],
    ['a body that is not text', '{"a": 1}', /body must be/],
    ['an empty body', '{"a": "  "}', /body must be/],
    ['an id with a NUL', '{"a\\u0000b": "{ a }"}', /id must be/],
    ['an id with a space', '{"a b": "{ a }"}', /id must be/],
    ['a huge id', JSON.stringify({ ['x'.repeat(300)]: '{ a }' }), /id must be/],
    ['an id twice with different bodies', '{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","body":"{ a }"},{"id":"a","body":"{ b }"}]}', /appears twice/],
  ])('refuses %s', (_name, text, message) => {
    const result = parseManifest(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join(' ')).toMatch(message);
  });

  it('lists at most 20 errors, then counts the rest', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`id${i}`, 1]));
    const result = parseManifest(JSON.stringify(many));
    expect(!result.ok && result.errors).toHaveLength(21);
    expect(!result.ok && result.errors[20]).toBe('… and 30 more');
  });
});

describe('findInvalidOperations', () => {
  it('names each operation that does not validate, validating each body once', () => {
    const schema = buildSchema('type Query { a: Int }');
    const parsed = parseManifest(JSON.stringify({ ok: '{ a }', bad: '{ zzz }', bad2: '{ zzz }', syntax: '{ a' }));
    if (!parsed.ok) throw new Error();
    expect(findInvalidOperations(parsed.manifest, schema)).toEqual([
      { id: 'bad', errors: ['Cannot query field "zzz" on type "Query".'] },
      { id: 'bad2', errors: ['Cannot query field "zzz" on type "Query".'] },
      { id: 'syntax', errors: [expect.stringMatching(/Syntax Error/)] },
    ]);
  });
});

describe('MemoryApqStore', () => {
  it('stays within its byte bound under many distinct registrations, evicting least recently used first', async () => {
    const store = new MemoryApqStore(100_000);
    const keep = 'query Keep { a }';
    await store.set(sha256Hex(keep), keep);
    for (let i = 0; i < 5_000; i += 1) {
      const text = `{ a${i}: a ${'#'.repeat(i % 500)}\n }`;
      await store.set(sha256Hex(text), text);
      if (i % 10 === 0) expect(await store.get(sha256Hex(keep))).toBe(keep);
      expect(store.usedBytes).toBeLessThanOrEqual(100_000);
    }
    expect(store.size).toBeLessThan(5_000);
    expect(await store.get(sha256Hex(keep))).toBe(keep);
  });

  it('serves but never keeps a text larger than the whole store', async () => {
    const store = new MemoryApqStore(1_000);
    const huge = `{ a ${'#'.repeat(1_000)}\n}`;
    expect(entryBytes(huge)).toBeGreaterThan(1_000);
    await store.set(sha256Hex(huge), huge);
    expect(store.size).toBe(0);
  });

  it('counts what V8 stores: one byte a character for Latin-1 text, two when any character needs more', () => {
    expect(entryBytes('{ a }')).toBe(5 + ENTRY_OVERHEAD_BYTES);
    expect(entryBytes('{ a(x: "é") }')).toBe(13 + ENTRY_OVERHEAD_BYTES);
    expect(entryBytes('{ a(x: "€") }')).toBe(26 + ENTRY_OVERHEAD_BYTES);
    expect(entryBytes('{ a(x: "😀") }')).toBe(28 + ENTRY_OVERHEAD_BYTES);
  });

  it('counts a re-registration once', async () => {
    const store = new MemoryApqStore(10_000);
    await store.set('h', '{ a }');
    await store.set('h', '{ a }');
    expect(store.usedBytes).toBe(entryBytes('{ a }'));
  });
});
