import { cacheKey, parseCacheKey } from './cacheKey';

describe('cacheKey', () => {
  it('keeps apart the inputs a separator-joined key confused (issue 10: NUL in a comment)', () => {
    // The old analysis key: `${operationName}\0${query}`, or just `query` without a name.
    const primed = cacheKey('{ topProducts(first: 2) { name costPrice } } #', '{ __typename }');
    const attack = cacheKey(undefined, '{ topProducts(first: 2) { name costPrice } } #\u0000{ __typename }');
    expect(primed).not.toBe(attack);
    expect(cacheKey('', 'x')).not.toBe(cacheKey(undefined, 'x'));
    expect(cacheKey('a', 'bc')).not.toBe(cacheKey('ab', 'c'));
    expect(cacheKey('1:a')).not.toBe(cacheKey('1', 'a'));
    expect(cacheKey('~')).not.toBe(cacheKey(undefined));
  });

  it('is reversible for generated hostile parts, so no two part lists share a key', () => {
    const alphabet = ['', '~', ':', '0', '1:', '\u0000', '\n', 'a', '12:', 'é', '\u{1F600}', '\\', '"'];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    const seen = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const parts: Array<string | undefined> = [];
      const count = next() % 4;
      for (let p = 0; p < count; p++) {
        if (next() % 7 === 0) {
          parts.push(undefined);
          continue;
        }
        let text = '';
        const length = next() % 5;
        for (let c = 0; c < length; c++) text += alphabet[next() % alphabet.length];
        parts.push(text);
      }
      const key = cacheKey(...parts);
      expect(parseCacheKey(key)).toEqual(parts);
      const identity = JSON.stringify(parts.map((part) => (part === undefined ? null : [part])));
      const before = seen.get(key);
      if (before !== undefined) expect(before).toBe(identity);
      seen.set(key, identity);
    }
  });
});
