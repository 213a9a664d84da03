// diffSchemas on tiny schemas: each kind of breaking change, the dangerous ones, and additions.
import { buildSchema } from 'graphql';
import { coordinateOf, diffSchemas, summarizeDiff } from './schemaDiff';

const BASE = `
  type Query { product(upc: String!, first: Int = 5): Product search(text: String): [Result] node: Node }
  type Mutation { rate(input: RateInput!): Int }
  input RateInput { upc: String! stars: Int }
  interface Node { id: ID! }
  type Product implements Node { id: ID! upc: String! name: String weight: Int! color: Color }
  type Review { id: ID! body: String }
  union Result = Product | Review
  enum Color { RED GREEN }
`;

function diff(after: string) {
  return diffSchemas(buildSchema(BASE), buildSchema(after));
}

/** BASE with one textual edit, asserting the edit applies (so a typo in a test can't pass silently). */
function edit(from: string, to: string): string {
  expect(BASE).toContain(from);
  return BASE.replace(from, to);
}

describe('diffSchemas', () => {
  it('finds nothing between equal schemas', () => {
    expect(diff(BASE)).toEqual({ breaking: [], dangerous: [], safe: [] });
    expect(summarizeDiff(diff(BASE))).toBe('no API change');
  });

  it('reports a compatible change (new field, new type) as safe only', () => {
    const result = diff(edit('name: String', 'name: String sku: String').replace('enum Color', 'type Shelf { id: ID! }\n enum Color'));
    expect(result.breaking).toEqual([]);
    expect(result.dangerous).toEqual([]);
    expect(result.safe.map((c) => [c.type, c.coordinate])).toEqual([
      ['FIELD_ADDED', 'Product.sku'],
      ['TYPE_ADDED', 'Shelf'],
    ]);
    expect(summarizeDiff(result)).toBe('2 additions');
  });

  it.each([
    ['field removed', edit(' weight: Int!', ''), 'FIELD_REMOVED', 'Product.weight'],
    ['type removed', edit('type Review { id: ID! body: String }', '').replace('Product | Review', 'Product'), 'TYPE_REMOVED', 'Review'],
    ['output type changed', edit('name: String', 'name: Int'), 'FIELD_CHANGED_KIND', 'Product.name'],
    ['output nullability loosened', edit('weight: Int!', 'weight: Int'), 'FIELD_CHANGED_KIND', 'Product.weight'],
    ['argument nullability tightened', edit('search(text: String)', 'search(text: String!)'), 'ARG_CHANGED_KIND', 'Query.search(text:)'],
    ['argument added as required', edit('node: Node', 'node(id: ID!): Node'), 'REQUIRED_ARG_ADDED', 'Query.node(id:)'],
    ['argument removed', edit('product(upc: String!, first: Int = 5)', 'product(upc: String!)'), 'ARG_REMOVED', 'Query.product(first:)'],
    ['enum value removed', edit('enum Color { RED GREEN }', 'enum Color { RED }'), 'VALUE_REMOVED_FROM_ENUM', 'Color.GREEN'],
    ['union member removed', edit('Product | Review', 'Product'), 'TYPE_REMOVED_FROM_UNION', 'Result'],
    ['interface no longer implemented', edit('Product implements Node', 'Product'), 'IMPLEMENTED_INTERFACE_REMOVED', 'Product'],
    ['required input field added', edit('stars: Int }', 'stars: Int by: String! }'), 'REQUIRED_INPUT_FIELD_ADDED', 'RateInput.by'],
    ['input field nullability tightened', edit('stars: Int }', 'stars: Int! }'), 'FIELD_CHANGED_KIND', 'RateInput.stars'],
    ['type changed kind', edit('type Review { id: ID! body: String }', 'interface Review { id: ID! body: String }').replace('Product | Review', 'Product'), 'TYPE_CHANGED_KIND', 'Review'],
  ])('reports %s as breaking', (_name, after, type, coordinate) => {
    const result = diff(after);
    expect(result.breaking).toContainEqual(expect.objectContaining({ level: 'breaking', type, coordinate }));
  });

  it.each([
    ['enum value added', edit('enum Color { RED GREEN }', 'enum Color { RED GREEN BLUE }'), 'VALUE_ADDED_TO_ENUM', 'Color.BLUE'],
    ['optional argument added', edit('search(text: String)', 'search(text: String, limit: Int)'), 'OPTIONAL_ARG_ADDED', 'Query.search(limit:)'],
    ['default value changed', edit('first: Int = 5', 'first: Int = 10'), 'ARG_DEFAULT_VALUE_CHANGE', 'Query.product(first:)'],
    ['optional input field added', edit('stars: Int }', 'stars: Int note: String }'), 'OPTIONAL_INPUT_FIELD_ADDED', 'RateInput.note'],
    ['union member added', edit('Product | Review', 'Product | Review | Shelf').replace('enum Color', 'type Shelf { id: ID! }\n enum Color'), 'TYPE_ADDED_TO_UNION', 'Result'],
    ['interface implemented', edit('type Review {', 'type Review implements Node {'), 'IMPLEMENTED_INTERFACE_ADDED', 'Review'],
  ])('reports %s as dangerous, not breaking', (_name, after, type, coordinate) => {
    const result = diff(after);
    expect(result.breaking).toEqual([]);
    expect(result.dangerous).toContainEqual(expect.objectContaining({ level: 'dangerous', type, coordinate }));
  });

  it('lists changes clients cannot notice as safe: an output made non-null, an argument made nullable', () => {
    const result = diff(edit('name: String', 'name: String!').replace('product(upc: String!', 'product(upc: String'));
    expect(result.breaking).toEqual([]);
    expect(result.safe.map((c) => [c.type, c.coordinate])).toEqual([
      ['ARG_TYPE_WIDENED', 'Query.product(upc:)'],
      ['FIELD_TYPE_NARROWED', 'Product.name'],
    ]);
    expect(summarizeDiff(result)).toBe('2 safe changes');
  });

  it('does not list a breaking type change as safe too', () => {
    const result = diff(edit('weight: Int!', 'weight: Int'));
    expect(result.breaking).toHaveLength(1);
    expect(result.safe).toEqual([]);
  });

  it('summarises mixed diffs', () => {
    const result = diff(edit(' weight: Int!', ' sku: String').replace('enum Color { RED GREEN }', 'enum Color { RED GREEN BLUE }'));
    expect(summarizeDiff(result)).toBe('1 breaking, 1 dangerous, 1 addition');
  });
});

describe('coordinateOf', () => {
  it('reads directive changes', () => {
    expect(coordinateOf('DIRECTIVE_REMOVED', 'cached was removed.')).toBe('@cached');
    expect(coordinateOf('DIRECTIVE_ARG_REMOVED', 'ttl was removed from cached.')).toBe('@cached(ttl:)');
    expect(coordinateOf('REQUIRED_DIRECTIVE_ARG_ADDED', 'A required arg ttl on directive cached was added.')).toBe('@cached(ttl:)');
  });

  it('leaves unknown wording without a coordinate', () => {
    expect(coordinateOf('SOMETHING_NEW', 'Something happened to the schema.')).toBeUndefined();
  });
});
