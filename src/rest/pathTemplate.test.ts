// Path templates: parsing (variables, query parameters, errors with offsets) and expansion (encoding, $batch
// joining, null query parameters left out).
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
    ['/v1/{$env.X}', 4, 'unknown variable "{$env.X}"'],
    ['/v1/{$args}', 4, 'must name a property'],
    ['/v1/{$args.a-b}', 4, 'must name a property'],
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
});
