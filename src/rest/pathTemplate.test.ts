// Path templates: parsing (variables, query parameters, errors with offsets) and expansion (encoding, $batch
// joining, null query parameters left out, hostile values that must not change the URL's structure).
import { UnsafeValueError } from './encode';
import { expandPathTemplate, parsePathTemplate, TemplateError } from './pathTemplate';

describe('parsePathTemplate', () => {
  it('finds variables in the path and the query', () => {
    const template = parsePathTemplate('/v1/prices/{$this.sku}/history?page={$args.page}&per_page={$args.perPage}');
    expect(template.variables.map((v) => [v.namespace, v.path.join('.')])).toEqual([
      ['$this', 'sku'],
      ['$args', 'page'],
      ['$args', 'perPage'],
    ]);
    expect(template.query.map((q) => q.name)).toEqual(['page', 'per_page']);
  });

  it.each([
    ['v1/x', 0, 'must start with "/"'],
    ['/v1/{$args.id', 4, 'unclosed "{"'],
    ['/v1/}', 4, 'unmatched "}"'],
    ['/v1/{$env.X}', 5, 'unknown variable "$env"'],
    ['/v1/{$args}', 5, '$args must be followed by a property'],
    ['/v1/{$args.a-b}', 12, 'unexpected "-"'],
    ['/v1/{$response.x}', 4, 'a template can use $args, $this, $batch, $config, $context'],
    ['/v1/{$args.id->nope}', 15, 'unknown method "->nope"'],
    ['/v1/{$args.id', 4, 'unclosed "{"'],
    ['/v1?{$args.a}=1', 4, 'query parameter names must be literal'],
  ])('rejects %s at offset %d', (source, offset, message) => {
    let error: unknown;
    try {
      parsePathTemplate(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).message).toContain(message);
    expect((error as TemplateError).offset).toBe(offset);
  });
});

describe('expandPathTemplate', () => {
  it('encodes each value as one segment', () => {
    const template = parsePathTemplate('/v1/suppliers/{$args.id}/products');
    expect(expandPathTemplate(template, { $args: { id: 'a/b c' } })).toBe('/v1/suppliers/a%2Fb%20c/products');
  });

  it('reads nested properties of $args and $this', () => {
    const template = parsePathTemplate('/v1/{$args.input.kind}/{$this.id}');
    expect(expandPathTemplate(template, { $args: { input: { kind: 'x' } }, $this: { id: 7 } })).toBe('/v1/x/7');
  });

  it('joins $batch values with commas, each encoded, skipping nulls', () => {
    const template = parsePathTemplate('/v1/prices?skus={$batch.sku}');
    expect(expandPathTemplate(template, { $batch: [{ sku: 'A,1' }, { sku: null }, { sku: 'B' }] })).toBe('/v1/prices?skus=A%2C1,B');
  });

  it('leaves out a query parameter whose only variable is null, keeps literal ones', () => {
    const template = parsePathTemplate('/v1/suppliers?page={$args.page}&per_page={$args.perPage}&format=json&flag');
    expect(expandPathTemplate(template, { $args: { page: 2, perPage: null } })).toBe('/v1/suppliers?page=2&format=json&flag');
  });

  it('refuses a null path variable', () => {
    expect(() => expandPathTemplate(parsePathTemplate('/v1/suppliers/{$args.id}'), { $args: {} })).toThrow('$args.id is null');
  });

  it('encodes the sub-delimiters encodeURIComponent keeps', () => {
    expect(expandPathTemplate(parsePathTemplate('/v1/x/{$args.id}'), { $args: { id: "it's(*)!" } })).toBe('/v1/x/it%27s%28%2A%29%21');
  });
});

describe('hostile values keep the template\'s structure', () => {
  const template = parsePathTemplate('/v1/suppliers/{$args.id}/products?q={$args.q}&format=json');
  const HOSTILE = ['/', '..%2F', '%2e', '%2E%2E', '.%2e', '%2F', '?', '#', '\\', '..\\..', '...', '.a', 'a/../b', '&q=2', '=', ' ', '+', 'Malmö', '😀', 'http://evil.example/', "'", '(*)!'];

  // One test over the whole table, so it fails if any value (e.g. "'", which encodeURIComponent keeps) breaks the rule.
  it('every one stays one path segment and one query value', () => {
    for (const value of HOSTILE) {
      const url = expandPathTemplate(template, { $args: { id: value, q: value } });
      expect(url.split('#')).toHaveLength(1);
      const [path, query, ...more] = url.split('?');
      expect(more).toEqual([]);
      const segments = path.split('/');
      expect(segments.slice(0, 3)).toEqual(['', 'v1', 'suppliers']);
      expect(segments).toHaveLength(5);
      expect(segments[4]).toBe('products');
      // Only RFC 3986 unreserved characters and %XX: nothing a router or proxy could read as a delimiter.
      expect(segments[3]).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+$/);
      expect(decodeURIComponent(segments[3])).toBe(value);
      expect(query.split('&')).toHaveLength(2);
      expect(new URLSearchParams(query).get('q')).toBe(value);
      // What a WHATWG-parsing server sees: the same path, nothing resolved.
      expect(new URL(url, 'http://h').pathname).toBe(path);
    }
  });

  it.each([
    ['', 'is empty'],
    ['.', 'dot segment'],
    ['..', 'dot segment'],
    ['\n', 'control character'],
    ['a\r\nb', 'control character'],
    ['\u0000', 'control character'],
    ['\uD800', 'not well-formed Unicode'],
  ])('refuses %j in the path', (value, why) => {
    expect(() => expandPathTemplate(template, { $args: { id: value } })).toThrow(UnsafeValueError);
    expect(() => expandPathTemplate(template, { $args: { id: value } })).toThrow(why);
  });

  it('refuses a segment that variables and text together make a dot segment', () => {
    const joined = parsePathTemplate('/v1/{$args.a}{$args.b}/x');
    expect(() => expandPathTemplate(joined, { $args: { a: '.', b: '.' } })).toThrow('$args.a, $args.b would make the path segment ".."');
    expect(() => expandPathTemplate(parsePathTemplate('/v1/.{$args.a}/x'), { $args: { a: '.' } })).toThrow('dot segment');
    expect(expandPathTemplate(parsePathTemplate('/v1/{$args.a}.json'), { $args: { a: '.' } })).toBe('/v1/..json');
  });

  it('refuses a dot or empty value inside a $batch path segment, not in a $batch query', () => {
    const inPath = parsePathTemplate('/v1/prices/{$batch.sku}');
    expect(() => expandPathTemplate(inPath, { $batch: [{ sku: '..' }] })).toThrow('dot segment');
    expect(() => expandPathTemplate(inPath, { $batch: [{ sku: 'A' }, { sku: '' }] })).toThrow('$batch.sku is empty');
    expect(expandPathTemplate(parsePathTemplate('/v1/prices?skus={$batch.sku}'), { $batch: [{ sku: '..' }, { sku: '' }, { sku: 'a&b' }] })).toBe('/v1/prices?skus=..,,a%26b');
  });

  it('refuses control characters in query values; an empty one is sent', () => {
    expect(() => expandPathTemplate(template, { $args: { id: 'x', q: 'a\nb' } })).toThrow('$args.q contains a control character (U+000A)');
    expect(expandPathTemplate(template, { $args: { id: 'x', q: '' } })).toBe('/v1/suppliers/x/products?q=&format=json');
  });
});
