// Every REST cache key is collision-free by construction: pairs of different inputs built to collide under a
// separator-joined key (values containing "\n", ":", ",", quotes, "[object Object]") never share one.
import { callKey, entityKey } from './cacheKeys';
import type { UpstreamRequest } from './upstream';

const get = (path: string, headers: Record<string, string> = {}, body?: string): UpstreamRequest => ({ method: 'GET', path, headers, body });

// One test per cache key, over the whole table: each fails on a separator-joined key.
describe('callKey (identical-GET dedupe and the cacheTtl cache)', () => {
  it('differs whenever the requests differ, and only then', () => {
    const pairs: Array<[string, UpstreamRequest, UpstreamRequest]> = [
      ['a header value holding the header separator', get('/p', { a: 'x\nb:y' }), get('/p', { a: 'x', b: 'y' })],
      ['a header name holding ":"', get('/p', { 'a:b': 'c' }), get('/p', { a: 'b:c' })],
      ['headers ending where the body starts', get('/p', { a: 'x\n\ny' }), get('/p', { a: 'x' }, 'y')],
      ['a path holding the header block', get('/p\na:x'), get('/p', { a: 'x' })],
      ['no body and an empty body', get('/p'), get('/p', {}, '')],
    ];
    for (const [what, a, b] of pairs) expect([what, callKey('http://h', a, 'x-request-id')]).not.toEqual([what, callKey('http://h', b, 'x-request-id')]);
    // The same request shares its key whatever the header order or the request id.
    const key = callKey('http://h', get('/p', { b: '2', a: '1', 'x-request-id': 'r1' }), 'x-request-id');
    expect(callKey('http://h', get('/p', { a: '1', b: '2', 'x-request-id': 'r2' }), 'x-request-id')).toBe(key);
  });
});

describe('entityKey (entity DataLoaders, matching batch answers)', () => {
  it('differs whenever the key values differ, except a scalar and its text', () => {
    const pairs: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['two objects', { id: { a: 1 } }, { id: { a: 2 } }],
      ['an object and its text', { id: { a: 1 } }, { id: '{"a":1}' }],
      ['an object and "[object Object]"', { id: {} }, { id: '[object Object]' }],
      ['a list and its joined text', { id: ['a', 'b'] }, { id: 'a,b' }],
      ['null and "null"', { id: null }, { id: 'null' }],
      ['values that hold a separator', { id: 'a","b', org: 'c' }, { id: 'a', org: 'b","c' }],
    ];
    for (const [what, a, b] of pairs) {
      const keys = Object.keys({ ...a, ...b });
      expect([what, entityKey(keys, a)]).not.toEqual([what, entityKey(keys, b)]);
    }
    // On purpose: a batch answer may spell the ID 7 as a number where the representation has "7".
    expect(entityKey(['id'], { id: 7 })).toBe(entityKey(['id'], { id: '7' }));
  });
});
