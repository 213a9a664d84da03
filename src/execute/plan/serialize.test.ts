import { buildSchema, operationFromDocument } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { serializeData } from './serialize';
import { compileShape, shapeResponse, type ResponseShape } from './shape';

const schema = buildSchema(`
  scalar JSON
  type Query { items: [Item!]! maybe: [Item] one: Item! shape: Shape grid: [[Int!]] color: Color blob: JSON shapes: [Shape!] n: Float }
  enum Color { RED GREEN }
  interface Shape { id: ID! }
  type Circle implements Shape { id: ID! radius: Int! }
  type Square implements Shape { id: ID! side: Int }
  type Item { id: ID! name: String! note: String }
`);

const shapes = new Map<string, ResponseShape>();
function compiled(query: string): ResponseShape {
  let shape = shapes.get(query);
  if (!shape) shapes.set(query, (shape = compileShape(operationFromDocument(schema, parse(query)))));
  return shape;
}

/** The slow path's text, or undefined when it reports errors (then the fast path must give up). */
function reference(query: string, data: Record<string, unknown>, variables?: Record<string, unknown>): string | undefined {
  let shaped: ReturnType<typeof shapeResponse>;
  try {
    shaped = shapeResponse(compiled(query), data, variables, () => null);
  } catch {
    return undefined;
  }
  return shaped.errors.length > 0 || shaped.data === null ? undefined : JSON.stringify(shaped.data);
}

function text(query: string, data: Record<string, unknown>, variables?: Record<string, unknown>): string | undefined {
  return serializeData(compiled(query), data, variables)?.toString('utf8');
}

function both(query: string, data: Record<string, unknown>, variables?: Record<string, unknown>) {
  return { fast: text(query, data, variables), slow: reference(query, data, variables) };
}

describe('serializeData: the text of shapeResponse(...).data, straight from the merged tree', () => {
  it('writes aliases, __typename, fragments by __typename and the operation key order', () => {
    const query = '{ shape { ... on Square { side } id ... on Circle { radius } t: __typename } first: one { n: name id } }';
    const data = { shape: { __typename: 'Circle', id: 'c', radius: 2, side: 9 }, first: { n: 'x', id: '1', __typename: 'Item', extra: true } };
    const { fast, slow } = both(query, data);
    expect(fast).toBe('{"shape":{"id":"c","radius":2,"t":"Circle"},"first":{"n":"x","id":"1"}}');
    expect(fast).toBe(slow);
  });

  it('applies @skip/@include from variables and their defaults', () => {
    const query = 'query ($a: Boolean = true, $b: Boolean!) { one { id @include(if: $a) name @skip(if: $b) note } }';
    const data = { one: { id: '1', name: 'n', note: null } };
    for (const variables of [{ b: true }, { a: false, b: false }, { a: true, b: false }]) {
      const { fast, slow } = both(query, data, variables);
      expect(fast).toBeDefined();
      expect(fast).toBe(slow);
    }
  });

  it('escapes strings and writes custom scalars as JSON.stringify does', () => {
    const data = { one: { id: '"\\\u0000\u2028\ud800', name: 'é😀</script>', note: null }, blob: { a: [1, 'x', { b: null }], c: '\n' }, n: 1.5 };
    const { fast, slow } = both('{ one { id name note } blob n }', data);
    expect(fast).toBe(slow);
    expect(JSON.parse(fast!)).toEqual({ one: { id: '"\\\u0000\u2028\ud800', name: 'é😀</script>', note: null }, blob: data.blob, n: 1.5 });
  });

  it('writes the prefix and suffix around it, and grows past its size hint (a small answer, then a large one)', () => {
    const query = '{ items { id name note } }';
    const small = serializeData(compiled(query), { items: [] }, undefined, '{"data":', '}\n');
    expect(small?.toString()).toBe('{"data":{"items":[]}}\n');
    const items = Array.from({ length: 3000 }, (_, i) => ({ id: String(i), name: i % 7 === 0 ? `n\u00e9\u{1F600}"${i}` : `name ${i}`, note: i % 3 === 0 ? null : '\\x\n' }));
    const large = serializeData(compiled(query), { items }, undefined, '{"data":', '}\n');
    expect(large?.toString()).toBe(JSON.stringify({ data: { items } }) + '\n');
    expect(large!.length).toBe(Buffer.byteLength(JSON.stringify({ data: { items } }) + '\n'));
    // And again, now starting from the large answer's size hint.
    expect(serializeData(compiled(query), { items: items.slice(0, 2) }, undefined)?.toString()).toBe(JSON.stringify({ items: items.slice(0, 2) }));
  });

  it('escapes every character JSON.stringify escapes, at any position of a string', () => {
    const specials = ['"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u0080', '\u00ff', '\u2028', '\ud800', '\udfff', '\ud83d\ude00', 'é'];
    for (const special of specials) {
      const long = "x".repeat(40);
      for (const name of [special, `a${special}`, `${special}b`, `a${special}b${special}`, `${long}${special}`, `${special}${long}`, `${long}${special}${long}`]) {
        const data = { one: { id: name, name, note: null } };
        expect(text('{ one { id name note } }', data)).toBe(JSON.stringify(data));
      }
    }
  });

  it('gives up where shapeResponse reports: a null in a non-null position, an invalid value or __typename', () => {
    expect(text('{ maybe { id name } }', { maybe: [{ id: '1', name: 'a' }, { id: '2', name: null }] })).toBeUndefined();
    expect(text('{ items { id name } }', { items: [{ id: '1' }] })).toBeUndefined();
    expect(text('{ color }', { color: 'BLUE' })).toBeUndefined();
    expect(text('{ grid }', { grid: [[1, 2.5]] })).toBeUndefined();
    expect(text('{ shape { id } }', { shape: { __typename: 'Nope', id: '1' } })).toBeUndefined();
    expect(text('{ shape { id } }', { shape: [] })).toBeUndefined();
    expect(text('{ items { id } }', { items: { id: '1' } })).toBeUndefined();
  });

  it('writes nulls where they are allowed', () => {
    const { fast, slow } = both('{ maybe { id } shape { id } color grid }', { maybe: [null, { id: '1' }], grid: [null, [1]] });
    expect(fast).toBe('{"maybe":[null,{"id":"1"}],"shape":null,"color":null,"grid":[null,[1]]}');
    expect(fast).toBe(slow);
  });

  it('reads own properties only: hostile response names stay data', () => {
    const query = '{ one { __proto__: name constructor: id toString: note hasOwnProperty: __typename } }';
    const data = JSON.parse('{"one":{"__proto__":"p","constructor":"c","toString":null,"hasOwnProperty":"Item"}}') as Record<string, unknown>;
    const { fast, slow } = both(query, data);
    expect(fast).toBe('{"one":{"__proto__":"p","constructor":"c","toString":null,"hasOwnProperty":"Item"}}');
    expect(fast).toBe(slow);
    // Missing own properties are nulls (never Object.prototype's members), and a missing non-null gives up.
    expect(text('{ one { toString: note } }', { one: {} })).toBe('{"one":{"toString":null}}');
    expect(text('{ one { constructor: id } }', { one: {} })).toBeUndefined();
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('leaves a response name written twice into one object to shapeResponse (it merges them)', () => {
    const query = '{ shape { ... on Shape { id } ... on Circle { id radius } } }';
    expect(serializeData(compiled(query), { shape: { __typename: 'Circle', id: 'c', radius: 1 } }, undefined)).toBeUndefined();
  });

  it('matches shapeResponse on generated answers (the same text when it writes one; it gives up on every error)', () => {
    const queries = [
      '{ items { id name note } maybe { id note } one { id } }',
      '{ shape { id __typename ... on Circle { radius } ... on Square { side } } shapes { t: __typename ... on Square { side } } }',
      'query ($s: Boolean!) { grid color n blob one { name @skip(if: $s) note } }',
    ];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)];
    const leaf = () => pick<unknown>([null, undefined, 'a', '"q"', 1, 2.5, -0, true, 'RED', 'BLUE', { x: 1 }, [1, null]]);
    const item = () => (random() < 0.1 ? pick([null, 'x', []]) : { id: pick(['1', 2, null, undefined]), name: pick(['n', null, undefined, 3]), note: leaf(), __typename: pick(['Item', undefined]) });
    const shape = () => (random() < 0.1 ? pick([null, 1]) : { __typename: pick(['Circle', 'Square', 'Shape', 'Item', 'Bogus', '', undefined]), id: pick(['c', null]), radius: pick([1, null, 'x']), side: pick([2, null]) });
    const list = <T>(make: () => T) => (random() < 0.1 ? pick([null, {}]) : Array.from({ length: Math.floor(random() * 4) }, make));
    let fastCount = 0;
    for (let i = 0; i < 3000; i++) {
      const data = {
        items: list(item),
        maybe: list(item),
        one: item(),
        shape: shape(),
        shapes: list(shape),
        grid: list(() => list(leaf)),
        color: leaf(),
        n: leaf(),
        blob: leaf(),
      } as Record<string, unknown>;
      const query = pick(queries);
      const variables = { s: random() < 0.5 };
      const { fast, slow } = both(query, data, variables);
      // Giving up is always allowed (shapeResponse then decides, e.g. an abstract object without __typename is a
      // silent null there); a text, when written, is the slow path's exact text.
      if (fast !== undefined) {
        fastCount += 1;
        expect(fast).toBe(slow);
      }
      if (slow === undefined) expect(fast).toBeUndefined();
    }
    // The generator must reach the fast path often enough for this to prove something.
    expect(fastCount).toBeGreaterThan(100);
  });
});
