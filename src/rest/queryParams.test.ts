// appendQueryParams: lists repeat, nulls vanish, hostile names and values stay data, non-scalars are refused.
import { appendQueryParams } from './queryParams';
import { UnsafeValueError } from './encode';

describe('appendQueryParams', () => {
  it.each<[string, string, unknown, string]>([
    ['scalars', '/items', { limit: 10, q: 'a b', open: true }, '/items?limit=10&q=a%20b&open=true'],
    ['a list repeats the parameter', '/pets', { tag: ['a', 'b'] }, '/pets?tag=a&tag=b'],
    ['null and missing values are left out', '/pets', { tag: null, page: undefined, ids: [null, 'x'] }, '/pets?ids=x'],
    ['after an existing query', '/pets?sort=name', { tag: 'a' }, '/pets?sort=name&tag=a'],
    ['after a trailing ?', '/pets?', { tag: 'a' }, '/pets?tag=a'],
    ['nothing to add', '/pets', {}, '/pets'],
    ['null selection', '/pets', null, '/pets'],
    ['structure characters are data', '/p', { 'a&b=c': '../x?y#z&tag=1' }, '/p?a%26b%3Dc=..%2Fx%3Fy%23z%26tag%3D1'],
  ])('%s', (_what, path, params, expected) => {
    expect(appendQueryParams(path, params)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['an object value', { filter: { a: 1 } }],
    ['a list of objects', { tag: [{ a: 1 }] }],
    ['a non-object selection', 'tag=a'],
    ['a CR LF in a value', { q: 'a\r\nX-Injected: 1' }],
    ['a NUL in a name', { 'a\u0000': 'x' }],
    ['an empty name', { '': 'x' }],
  ])('refuses %s', (_what, params) => {
    expect(() => appendQueryParams('/p', params)).toThrow(UnsafeValueError);
  });
});
