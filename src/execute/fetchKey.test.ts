import { subgraphFetchKey } from './fetchKey';

const none = () => false;
const URL = 'http://127.0.0.1:4001/graphql';
const BODY = '{"query":"{ a }"}';

describe('subgraphFetchKey', () => {
  it('keeps apart header sets that a separator-joined key would merge', () => {
    // The key this replaces joined `\n${name}:${value}` and then `\n\n${body}`: these pairs were one key.
    const pairs: Array<[Record<string, string>, Record<string, string>]> = [
      [{ 'x-user-id': 'victim\nx-tenant:acme' }, { 'x-user-id': 'victim', 'x-tenant': 'acme' }],
      [{ a: 'b:c' }, { 'a:b': 'c' }],
      [{ a: '1\u0000b:2' }, { a: '1', b: '2' }],
      [{ a: '' }, { a: '', '': '' }],
    ];
    for (const [one, other] of pairs) expect(subgraphFetchKey(URL, one, BODY, none)).not.toBe(subgraphFetchKey(URL, other, BODY, none));
    expect(subgraphFetchKey(URL, { a: `x\n\n${BODY}` }, '', none)).not.toBe(subgraphFetchKey(URL, { a: 'x' }, BODY, none));
    expect(subgraphFetchKey('http://a/b', {}, 'c', none)).not.toBe(subgraphFetchKey('http://a/', {}, 'bc', none));
  });

  it('leaves out the headers `skip` names', () => {
    const skip = (name: string) => name === 'x-request-id';
    expect(subgraphFetchKey(URL, { a: '1', 'x-request-id': 'r1' }, BODY, skip)).toBe(subgraphFetchKey(URL, { a: '1', 'x-request-id': 'r2' }, BODY, skip));
  });

  it('never gives two different generated requests one key', () => {
    // Parts drawn from an alphabet of the characters a key could be split on, so near-collisions are frequent.
    const alphabet = ['a', ':', '\n', '\u0000', '1', '0', '{', '"', 'é', '\ud83d\ude00'];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const text = () => Array.from({ length: random(5) }, () => alphabet[random(alphabet.length)]).join('');
    const seen = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const headers: Record<string, string> = {};
      for (let h = random(3); h > 0; h--) headers[text()] = text();
      const body = text();
      const request = JSON.stringify([Object.entries(headers), body]);
      const key = subgraphFetchKey(URL, headers, body, none);
      const previous = seen.get(key);
      if (previous !== undefined) expect(previous).toBe(request);
      seen.set(key, request);
    }
    expect(seen.size).toBeGreaterThan(1000);
  });
});
