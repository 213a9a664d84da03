// The encoding rule for values in REST requests (encode.ts) over a table of hostile values: what each becomes in a
// path segment and a query value, which are refused, and which segments a URL parser would resolve as dots.
import { encodePathValue, encodeQueryValue, isDotSegment, UnsafeValueError, unsendableHeader } from './encode';

/** Only RFC 3986 unreserved characters and %XX may appear in an encoded value. */
const ENCODED = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;

const SENT: Array<[string, string]> = [
  ['S1', 'S1'],
  ['a.b', 'a.b'],
  ['...', '...'],
  ['/', '%2F'],
  ['../admin', '..%2Fadmin'],
  ['%2e', '%252e'],
  ['%2E%2E', '%252E%252E'],
  ['%2F', '%252F'],
  ['?x=1', '%3Fx%3D1'],
  ['#top', '%23top'],
  ['a\\..\\b', 'a%5C..%5Cb'],
  ['a b+c', 'a%20b%2Bc'],
  ['&page=9', '%26page%3D9'],
  ["!'()*", '%21%27%28%29%2A'],
  [';,:@$', '%3B%2C%3A%40%24'],
  ['Malmö', 'Malm%C3%B6'],
  ['日本', '%E6%97%A5%E6%9C%AC'],
  ['😀', '%F0%9F%98%80'],
  ['\u2028', '%E2%80%A8'],
];

describe('encodePathValue / encodeQueryValue', () => {
  it.each(SENT)('%j → %s in a path and in a query', (value, encoded) => {
    expect(encodePathValue(value, '$args.id')).toBe(encoded);
    expect(encodeQueryValue(value, '$args.q')).toBe(encoded);
    expect(encoded).toMatch(ENCODED);
    expect(decodeURIComponent(encoded)).toBe(value);
  });

  it.each([
    ['\u0000', 'U+0000'],
    ['a\nb', 'U+000A'],
    ['a\r\nb', 'U+000D'],
    ['\t', 'U+0009'],
    ['\u007f', 'U+007F'],
    ['\u0085', 'U+0085'],
  ])('refuses the control character in %j everywhere', (value, named) => {
    expect(() => encodePathValue(value, '$args.id')).toThrow(UnsafeValueError);
    expect(() => encodeQueryValue(value, '$args.q')).toThrow(`$args.q contains a control character (${named})`);
  });

  it.each(['\uD800', 'a\uDC00', '\uDBFF\uDBFF'])('refuses the lone surrogate in %j (not encodable as UTF-8)', (value) => {
    expect(() => encodePathValue(value, '$args.id')).toThrow('not well-formed Unicode');
    expect(() => encodeQueryValue(value, '$args.q')).toThrow('not well-formed Unicode');
  });

  it('refuses an empty path value, keeps an empty query value', () => {
    expect(() => encodePathValue('', '$args.id')).toThrow('$args.id is empty');
    expect(encodeQueryValue('', '$args.q')).toBe('');
  });
});

describe('isDotSegment', () => {
  it.each(['.', '..', '%2e', '%2E', '.%2e', '%2E.', '%2e%2E'])('%s is one (RFC 3986 and WHATWG both resolve it)', (segment) => {
    expect(isDotSegment(segment)).toBe(true);
    // The reason it is refused rather than encoded: a WHATWG parser climbs on the encoded spelling too.
    expect(new URL(`/a/b/${segment}/c`, 'http://h').pathname).not.toBe(`/a/b/${segment}/c`);
  });

  it.each(['...', '.a', 'a.', '%252e', '%2e%2e%2e', ''])('%j is not', (segment) => {
    expect(isDotSegment(segment)).toBe(false);
  });
});

describe('unsendableHeader', () => {
  it('names a header whose value has CR, LF, NUL or a character above U+00FF', () => {
    expect(unsendableHeader({ a: 'fine, with\ttab and Latin-1 é' })).toBeUndefined();
    expect(unsendableHeader({ a: 'ok', b: 'x\r\nInjected: 1' })).toBe('b');
    expect(unsendableHeader({ c: 'x\ny' })).toBe('c');
    expect(unsendableHeader({ d: 'x\u0000' })).toBe('d');
    expect(unsendableHeader({ e: '日本' })).toBe('e');
  });
});
