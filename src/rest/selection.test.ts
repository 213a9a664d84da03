// The selection language: parsing (and its errors with offsets) and applying it to JSON the way legacy services
// answer (envelopes, snake_case, nested paths, lists).
import { applySelection, MappingError, parseSelection, selectionVariables, SelectionSyntaxError } from './selection';

const apply = (selection: string, json: unknown, variables = {}) => applySelection(parseSelection(selection), json, variables);

describe('applySelection', () => {
  it('picks, renames and follows paths', () => {
    const json = { id: 'S1', onboarded_on: '2019-03-04', address: { city: 'Malmö' }, ignored: true };
    expect(apply('id onboardedAt: onboarded_on city: address.city', json)).toEqual({ id: 'S1', onboardedAt: '2019-03-04', city: 'Malmö' });
  });

  it('unwraps an envelope with a top-level $ path and maps every element of a list', () => {
    const json = { data: [{ sku: 'A', amount_cents: 1 }, { sku: 'B', amount_cents: 2 }], meta: { page: 1 } };
    expect(apply('$.data { sku amount: amount_cents }', json)).toEqual([
      { sku: 'A', amount: 1 },
      { sku: 'B', amount: 2 },
    ]);
  });

  it('reads several paths from the envelope into one object', () => {
    const json = { data: [{ id: 'x' }], meta: { page: 2, per_page: 5, total: 11 } };
    expect(apply('items: $.data { id } page: $.meta.page perPage: $.meta.per_page', json)).toEqual({ items: [{ id: 'x' }], page: 2, perPage: 5 });
  });

  it('builds nested objects from flat fields', () => {
    const json = { amount_cents: 100, currency: 'USD', supplier_id: 'S1' };
    expect(apply('listPrice: { amount: amount_cents currency } supplier: { id: supplier_id }', json)).toEqual({
      listPrice: { amount: 100, currency: 'USD' },
      supplier: { id: 'S1' },
    });
  });

  it('sub-selects an object key without a rename', () => {
    expect(apply('contact { email }', { contact: { email: 'a@b', phone: '1' } })).toEqual({ contact: { email: 'a@b' } });
  });

  it('reads $this and $args, and quoted keys', () => {
    expect(apply('sku: $this.sku page: $args.page weird: "odd-key"', { 'odd-key': 1 }, { $this: { sku: 'A' }, $args: { page: 3 } })).toEqual({
      sku: 'A',
      page: 3,
      weird: 1,
    });
  });

  it('turns missing keys and null parents into null', () => {
    expect(apply('a b: x.y c { d }', {})).toEqual({ a: null, b: null, c: null });
    expect(apply('$.data { id }', { data: null })).toBeNull();
  });

  it('throws MappingError naming where the JSON does not fit', () => {
    expect(() => apply('$.data { id }', { data: ['x'] })).toThrow(new MappingError('data[0]', 'expected an object, got string "x"'));
    expect(() => apply('name: a.b', { a: 5 })).toThrow('a: cannot read "b" of number 5');
  });
});

describe('parseSelection', () => {
  it('ignores commas and comments', () => {
    expect(apply('a, # the a\n b', { a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
  });

  it.each([
    ['a: ', 3, 'expected a key'],
    ['a { b', 5, 'expected "}"'],
    ['$.data id', 7, 'unexpected "id"'],
    ['a $this.x', 2, 'needs a name'],
    ['a: $thing', 3, 'unknown variable "$thing"'],
    ['a a', 2, '"a" is selected twice'],
    ['"odd-key"', 0, 'is not a GraphQL name'],
    ['x: $this', 3, 'must be followed by a property'],
    ['a: "unclosed', 3, 'unclosed string'],
  ])('rejects %j at offset %d', (source, offset, message) => {
    let error: unknown;
    try {
      parseSelection(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SelectionSyntaxError);
    expect((error as SelectionSyntaxError).message).toContain(message);
    expect((error as SelectionSyntaxError).offset).toBe(offset);
  });

  it('lists the $this / $args paths a selection reads', () => {
    expect(selectionVariables(parseSelection('a: $this.id b { c: $args.x.y }')).map((v) => `${v.root}.${v.keys.join('.')}`)).toEqual(['$this.id', '$args.x.y']);
  });
});
