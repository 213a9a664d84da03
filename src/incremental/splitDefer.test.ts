// The split of operations with @defer, the accept negotiation and the incremental items, as pure functions.
import { buildSchema, parse, print, validate, type OperationDefinitionNode } from 'graphql';
import { acceptsDefer, DeferPlanner, MAX_DEFERRED_PARTS } from './defer';
import { acceptsMultipart } from './multipart';
import { incrementalItems, objectPaths } from './payloads';
import { splitDefer, stripDefer, selectsPath } from './splitDefer';

const schema = buildSchema(`
  directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT
  type Query { products: [Product!]! product(id: ID!): Product node: Node }
  interface Node { id: ID! }
  type Product implements Node { id: ID! name: String! stock(at: String): Int reviews: [Review!]! }
  type Review { body: String! author: String }
`);

function split(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return { result: splitDefer(document, operation, variables), document, operation };
}

const norm = (text: string) => print(parse(text));

describe('splitDefer', () => {
  it('returns nothing to split without an active @defer', () => {
    expect(split('{ products { id } }').result).toBeUndefined();
    expect(split('{ products { id ... @defer(if: false) { name } } }').result).toBeUndefined();
    expect(split('query Q($d: Boolean! = false) { products { id ... @defer(if: $d) { name } } }').result).toBeUndefined();
    expect(split('query Q($d: Boolean!) { products { id ... @defer(if: $d) { name } } }', { d: false }).result).toBeUndefined();
  });

  it('splits the primary and a part per deferred fragment; each validates against the schema', () => {
    const { result } = split(`query Q($at: String, $unused: Int) { products { id ... @defer(label: "s") { stock(at: $at) } } product(id: "1") { name ...R @defer } }
      fragment R on Product { reviews { body } }`);
    expect(result).toBeDefined();
    expect(norm(result!.primary)).toBe(norm('query Q { products { id } product(id: "1") { name } }'));
    expect(result!.parts.map((p) => [p.path, p.label, norm(p.query)])).toEqual([
      [['products'], 's', norm('query Q($at: String) { products { ... { stock(at: $at) } } }')],
      [['product'], undefined, norm('query Q { product(id: "1") { ... on Product { reviews { body } } } }')],
    ]);
    for (const text of [result!.primary, ...result!.parts.map((p) => p.query)]) expect(validate(schema, parse(text))).toEqual([]);
    expect(new Set(result!.parts.map((p) => p.id)).size).toBe(2);
  });

  it('keeps an object whose every field is deferred, as {} (a never-included __typename)', () => {
    const { result } = split('{ product(id: "1") { ... @defer { name } } }');
    expect(norm(result!.primary)).toBe(norm('{ product(id: "1") { __typename @skip(if: true) } }'));
    expect(validate(schema, parse(result!.primary))).toEqual([]);
  });

  it('keeps type conditions and aliases on the way down, and delivers nested @defer with its parent', () => {
    const { result } = split('{ n: node { ... on Product { x: reviews { body ... @defer { author ... @defer { body } } } } } }');
    expect(result!.parts).toHaveLength(1);
    expect(result!.parts[0].path).toEqual(['n', 'x']);
    expect(norm(result!.parts[0].query)).toBe(norm('{ n: node { ... on Product { x: reviews { ... { author ... { body } } } } } }'));
  });

  it('refuses fragment cycles and explosive fragment fan-out instead of looping or exhausting memory', () => {
    expect(() => split('{ products { ...A @defer } } fragment A on Product { ...B } fragment B on Product { ...A }')).toThrow(/spreads itself/);
    // 2^15 copies if inlined naively: stopped by the budget.
    let fragments = 'fragment F0 on Product { id }';
    for (let i = 1; i <= 15; i++) fragments += ` fragment F${i} on Product { ...F${i - 1} ...F${i - 1} }`;
    expect(() => split(`{ products { ...F15 @defer } } ${fragments}`)).toThrow(/too large/);
  });

  it('strips @defer for a whole answer, keeping everything else', () => {
    const { document, operation } = split('query Q($d: Boolean!) { products { id ... @defer(if: $d, label: "x") { name } ...N @defer } } fragment N on Product { stock }');
    expect(norm(stripDefer(document, operation))).toBe(norm('query Q { products { id ... { name } ... on Product { stock } } }'));
  });

  it('ids stay distinct for hostile labels that would collide if joined naively', () => {
    const { result } = split('{ product(id: "1") { ... @defer(label: "a|b") { id } ... @defer(label: "a") { name } } products { ... @defer(label: "b") { id } } }');
    expect(new Set(result!.parts.map((p) => p.id)).size).toBe(3);
  });
});

describe('selectsPath', () => {
  it('follows response names through inline fragments', () => {
    const { result } = split('{ a: product(id: "1") { ... on Product { reviews { body } } ... @defer { name } } }');
    expect(selectsPath(result!.primarySelectionSet, ['a', 'reviews', 'body'])).toBe(true);
    expect(selectsPath(result!.primarySelectionSet, ['a', 'name'])).toBe(false);
    expect(selectsPath(result!.parts[0].selectionSet, ['a', 'name'])).toBe(true);
    expect(selectsPath(result!.parts[0].selectionSet, ['product', 'name'])).toBe(false);
  });
});

describe('incremental items', () => {
  it('places a part at every object the initial payload has, fanned out over lists', () => {
    const initial = { products: [{ id: '1' }, null, { id: '3' }] };
    expect(objectPaths(initial, ['products'])).toEqual([['products', 0], ['products', 2]]);
    const part = { products: [{ stock: 1 }, null, { stock: 3 }] };
    expect(incrementalItems(initial, { path: ['products'], label: 'l' }, part, undefined)).toEqual([
      { data: { stock: 1 }, path: ['products', 0], label: 'l' },
      { data: { stock: 3 }, path: ['products', 2], label: 'l' },
    ]);
  });

  it('gives data: null where the part failed, errors on the first item, and skips unmet type conditions', () => {
    const errors = [{ message: 'boom' }];
    expect(incrementalItems({ p: { id: '1' } }, { path: ['p'] }, { p: null }, errors)).toEqual([{ data: null, path: ['p'], errors }]);
    expect(incrementalItems({ p: [{ id: '1' }, { id: '2' }] }, { path: ['p'], typeCondition: 'Book' }, { p: [{}, { title: 't' }] }, undefined)).toEqual([{ data: { title: 't' }, path: ['p', 1] }]);
    // Nothing to place (the initial payload has no object there): the errors still reach the client.
    expect(incrementalItems({ p: null }, { path: ['p'] }, { p: null }, errors)).toEqual([{ data: null, path: ['p'], errors }]);
  });

  it('never reads inherited properties of hostile response names', () => {
    expect(objectPaths({}, ['__proto__'])).toEqual([]);
    expect(incrementalItems({ constructor: { a: 1 } }, { path: ['constructor'] }, {}, undefined)).toEqual([{ data: null, path: ['constructor'] }]);
  });
});

describe('accept negotiation', () => {
  it('accepts what Apollo Client sends, and nothing looser', () => {
    expect(acceptsDefer('multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9')).toBe(true);
    expect(acceptsDefer('multipart/mixed; deferSpec="20220824"')).toBe(true);
    expect(acceptsDefer('application/json')).toBe(false);
    expect(acceptsDefer('multipart/mixed')).toBe(false);
    expect(acceptsDefer('multipart/mixed;deferSpec=2022')).toBe(false);
    expect(acceptsDefer(undefined)).toBe(false);
    expect(acceptsDefer(`multipart/mixed;deferSpec=20220824${';x=y'.repeat(2000)}`)).toBe(false);
    expect(acceptsMultipart('multipart/mixed;boundary=graphql;subscriptionSpec=1.0', 'subscriptionSpec', '1.0')).toBe(true);
  });
});

describe('DeferPlanner: how many parts one request may stream', () => {
  const decide = (count: number) => {
    const query = `{ products { id ${Array.from({ length: count }, (_, i) => `... @defer { a${i}: name }`).join(' ')} } }`;
    const { document, operation } = split(query);
    return new DeferPlanner().decide({ query, executed: query, document, operation, operationName: undefined, variables: undefined, removals: [], accept: 'multipart/mixed;deferSpec=20220824' });
  };

  it(`streams up to ${MAX_DEFERRED_PARTS} deferred fragments`, () => {
    const decision = decide(MAX_DEFERRED_PARTS);
    expect(decision.kind).toBe('stream');
    expect(decision.kind === 'stream' && decision.split.parts).toHaveLength(MAX_DEFERRED_PARTS);
  });

  it('answers a fan-out bomb whole: one execution, never one per fragment', () => {
    const decision = decide(2_500);
    expect(decision.kind).toBe('whole');
    expect(decision.kind === 'whole' && decision.query).not.toContain('@defer');
  });
});
