// The selection language: parsing (and its errors with offsets) and applying it to JSON the way legacy services
// answer (envelopes, snake_case, nested paths, lists).
import { applySelection, MappingError, parseLinkHeader, parseSelection, selectionVariables, SelectionSyntaxError } from './selection';

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

// Each method's examples as Apollo's Connectors mapping reference documents them (input JSON → result), plus the
// edges Tollgate defines (null input, wrong types). `$` is the input document.
describe('->methods (Connectors mapping reference examples)', () => {
  const value = (expression: string, json: unknown = {}, variables = {}) => (apply(`v: ${expression}`, json, variables) as { v: unknown }).v;

  it.each([
    // first / last
    ['colors->first', { colors: ['red', 'green', 'blue'] }, 'red'],
    ['colors->last', { colors: ['red', 'green', 'blue'] }, 'blue'],
    ['colors->first', { colors: [] }, null],
    ['$("abc")->first', {}, 'a'],
    // slice (strings and lists)
    ['countryCode->slice(0, 2)', { countryCode: 'USA' }, 'US'],
    ['colors->slice(1, 3)', { colors: ['red', 'green', 'blue', 'grey'] }, ['green', 'blue']],
    ['colors->slice(1)', { colors: ['red', 'green', 'blue'] }, ['green', 'blue']],
    // size
    ['word->size', { word: 'hello' }, 5],
    ['colors->size', { colors: ['red', 'green'] }, 2],
    ['object->size', { object: { a: 1, b: 2, c: 3 } }, 3],
    // entries
    ['object->entries', { object: { a: 1, b: 'x' } }, [{ key: 'a', value: 1 }, { key: 'b', value: 'x' }]],
    // map
    ['colors->map({ name: @ })', { colors: ['red', 'green'] }, [{ name: 'red' }, { name: 'green' }]],
    ['colors->map(@->size)', { colors: ['red', 'green'] }, [3, 5]],
    ['color->map({ name: @ })', { color: 'red' }, [{ name: 'red' }]],
    ['items->map(@.id)', { items: [{ id: 1 }, { id: 2 }] }, [1, 2]],
    // match
    ['status->match(["active", true], ["inactive", false])', { status: 'inactive' }, false],
    ['kind->match(["b", "Book"], ["f", "Film"], [@, "Other"])', { kind: 'x' }, 'Other'],
    ['kind->match(["b", "Book"])', { kind: 'x' }, null],
    ['code->match([1, "one"], [2, "two"])', { code: 2 }, 'two'],
    // echo
    ['$->echo(@.name)', { name: 'Ada' }, 'Ada'],
    ['id->echo({ id: @, kind: "user" })', { id: 7 }, { id: 7, kind: 'user' }],
    ['$(1)->echo([@, @])', {}, [1, 1]],
    // joinNotNull
    ['$(["a", "b", null, "c"])->joinNotNull(",")', {}, 'a,b,c'],
    ['ids->joinNotNull("|")', { ids: [1, null, 3] }, '1|3'],
    // jsonStringify
    ['$->jsonStringify', { a: [1, 'x'] }, '{"a":[1,"x"]}'],
    ['missing->jsonStringify', {}, 'null'],
    // literals
    ['$("fixed")', {}, 'fixed'],
    ['$(42)', {}, 42],
    ['$(true)', {}, true],
    ['$(null)', {}, null],
    ['$({ a: 1, b: [true, "x"] })', {}, { a: 1, b: [true, 'x'] }],
    ['"a,b,c"', { 'a,b,c': 'key, not a literal' }, 'key, not a literal'],
    ['$("a,b,c")->split(",")', {}, ['a', 'b', 'c']],
    // comparisons and the rest
    ['n->eq(3)', { n: 3 }, true],
    ['n->gt(3)', { n: 3 }, false],
    ['next->eq(null)->not', { next: 'c2' }, true],
    ['numbers->filter(@->mod(2)->eq(0))', { numbers: [1, 2, 3, 4] }, [2, 4]],
    ['numbers->find(@->gt(2))', { numbers: [1, 2, 3, 4] }, 3],
    ['page->add(1)', { page: 2 }, 3],
    ['o->get("b")', { o: { a: 1, b: 2 } }, 2],
    ['list->get(-1)', { list: [1, 2, 3] }, 3],
    ['o->has("a")', { o: { a: 1 } }, true],
    ['o->keys', { o: { a: 1, b: 2 } }, ['a', 'b']],
    ['" x "', { ' x ': 1 }, 1],
    ['n->parseInt', { n: '42' }, 42],
    // null input: most methods answer null
    ['missing->first', {}, null],
    ['missing->size', {}, null],
    ['missing->map(@)', {}, null],
  ])('%s', (expression, json, expected) => {
    expect(value(expression, json)).toEqual(expected);
  });

  it('reads $config, $context and nested variables inside methods', () => {
    const variables = { $config: { region: 'eu' }, $context: { claims: { tenant: 't1' } }, $args: { ids: ['a', 'b'] } };
    expect(apply('region: $config.region tenant: $context.claims.tenant ids: $args.ids->joinNotNull(",")', {}, variables)).toEqual({ region: 'eu', tenant: 't1', ids: 'a,b' });
  });

  it('reads own properties only: a key named like an Object.prototype member is the JSON\'s or null', () => {
    expect(apply('a: constructor b: __proto__ c: toString', {})).toEqual({ a: null, b: null, c: null });
    expect(apply('a: constructor', { constructor: 'x' })).toEqual({ a: 'x' });
  });

  it('throws MappingError on types a method cannot take', () => {
    expect(() => value('n->entries', { n: 3 })).toThrow('->entries needs an object, got number 3');
    expect(() => value('list->joinNotNull(",")', { list: [{ a: 1 }] })).toThrow('->joinNotNull joins strings');
  });

  it.each([
    ['v: a->nope', 6, 'unknown method "->nope"'],
    ['v: a->toString(1)', 6, '->toString takes 0 arguments, got 1'],
    ['v: a->slice(1, 2, 3)', 6, '->slice takes 0 to 2 arguments, got 3'],
    ['v: a->match("x")', 6, '->match takes pairs'],
    ['v: a->constructor', 6, 'unknown method "->constructor"'],
    ['v: $(1', 6, 'expected ")"'],
    ['v: a->map(', 10, 'expected ")"'],
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
});

describe('parseLinkHeader', () => {
  it('reads RFC 8288 links by rel, with their query', () => {
    expect(parseLinkHeader('<https://api.example/items?cursor=c2&limit=2>; rel="next", <https://api.example/items?limit=2>; rel="first prev"')).toEqual({
      next: { url: 'https://api.example/items?cursor=c2&limit=2', query: { cursor: 'c2', limit: '2' } },
      first: { url: 'https://api.example/items?limit=2', query: { limit: '2' } },
      prev: { url: 'https://api.example/items?limit=2', query: { limit: '2' } },
    });
    expect(parseLinkHeader('garbage, <>; nothing')).toEqual({});
  });
});

describe('top-level key paths (Connectors KeyPath) and the syntax Tollgate refuses', () => {
  it.each<[string, unknown, unknown]>([
    ['error.message', { error: { message: 'm' } }, 'm'],
    ['items->first', { items: ['a', 'b'] }, 'a'],
    ['data.items { id }', { data: { items: [{ id: 1, x: 2 }] } }, [{ id: 1 }]],
    ['error.message', { error: null }, null],
  ])('%s', (text, json, expected) => {
    expect(applySelection(parseSelection(text), json)).toEqual(expected);
  });

  it.each<[string, number]>([
    ['a: b ?? "x"', 5],
    ['a: b ?! "x"', 5],
    ['... b', 0],
    ['a: b?.c', 4],
  ])('refuses %s at offset %i (v0.3 nullish operators, v0.4 spread and optional steps)', (text, offset) => {
    expect(() => parseSelection(text)).toThrow(expect.objectContaining({ offset }));
  });
});
