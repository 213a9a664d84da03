// Load-time validation of REST descriptions: each problem is reported with its line, column and a message that
// names it (unknown source, missing path variable, $this on a non-key field, selections naming absent fields, …).
import { compileRestDescription, formatProblems } from './compile';

const HEADER = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key", "@external", "@requires"])
  @link(url: "https://specs.tollgate.dev/rest/v0.1", import: ["@restSource", "@rest"])
  @restSource(name: "shop", baseURL: "http://127.0.0.1:1")
`;

/** Compiles HEADER + body; returns "line: message" per problem (line numbers count the 4 header lines). */
function problems(body: string): string[] {
  const result = compileRestDescription(HEADER + body);
  return result.ok ? [] : result.problems.map((p) => `${p.line}: ${p.message}`);
}

const VALID = `
type Query {
  item(id: ID!): Item @rest(source: "shop", http: { GET: "/items/{$args.id}" }, selection: "$.data { id name }")
}
type Item @key(fields: "id") @rest(source: "shop", http: { GET: "/items?ids={$batch.id}" }, batch: { maxSize: 10 }, selection: "$.data { id name }") {
  id: ID!
  name: String
  weight: Int @external
  stock(warehouse: String): Int @requires(fields: "weight") @rest(source: "shop", http: { GET: "/items/{$this.id}/stock?w={$args.warehouse}&kg={$this.weight}" }, selection: "$.count")
}
`;

describe('compileRestDescription', () => {
  it('accepts a valid description and blanks its directives without moving lines', () => {
    const result = compileRestDescription(HEADER + VALID);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.description.compositionSdl.split('\n')).toHaveLength((HEADER + VALID).split('\n').length);
    expect(result.description.compositionSdl).not.toMatch(/@rest|specs\.tollgate\.dev/);
    expect(result.description.connectors.map((c) => c.coordinate)).toEqual(['Query.item', 'Item', 'Item.stock']);
  });

  it.each([
    ['an unknown source', VALID.replace('source: "shop", http: { GET: "/items/{$args.id}" }', 'source: "shopp", http: { GET: "/items/{$args.id}" }'), '7: Query.item @rest: unknown source "shopp" (declared: shop)'],
    ['a path variable that does not exist', VALID.replace('{$args.id}', '{$args.itemId}'), '7: Query.item @rest: path variable $args.itemId does not exist: Query.item has arguments id'],
    ['$this on a field that is neither key nor required', VALID.replace('{$this.weight}', '{$this.name}'), '13: Item.stock @rest: path variable $this.name: "name" is not a key field of Item or named in this field\'s @requires'],
    ['$this on a root field', VALID.replace('{$args.id}', '{$this.id}'), '7: Query.item @rest: path variable $this.id: "id" is not available on Query fields'],
    ['$batch on a field', VALID.replace('/items/{$args.id}"', '/items/{$batch.id}"'), '7: Query.item @rest: $batch.id: $batch is only available in a type-level @rest (an entity resolver)'],
    ['a selection naming a field the type lacks', VALID.replace('selection: "$.data { id name }")\n}', 'selection: "$.data { id title }")\n}'), '7: Query.item @rest: selection: type Item has no field "title"'],
    ['a batch selection without the key', VALID.replace('batch: { maxSize: 10 }, selection: "$.data { id name }"', 'batch: { maxSize: 10 }, selection: "$.data { name }"'), '9: Item @rest: a batch selection must map the key field id: answers are matched to entities by key, never by position'],
    ['a sub-selection on a scalar', VALID.replace('selection: "$.data { id name }")\n}', 'selection: "$.data { id name { first } }")\n}'), '7: Query.item @rest: selection: Item.name is a String: it cannot have a sub-selection'],
    ['a syntax error in a selection', VALID.replace('selection: "$.count"', 'selection: "$.count {"'), '13: Item.stock @rest: selection: expected "}" at the end'],
    ['a syntax error in a path', VALID.replace('/items/{$args.id}"', '/items/{$args.id"'), '7: Query.item @rest: http.GET: unclosed "{"'],
    ['a root field without @rest', VALID.replace('type Query {', 'type Query {\n  other: Int'), '7: Query.other has no @rest: every root field of a REST description needs one'],
    ['an entity field nothing fetches', VALID.replace('  name: String\n', '  name: String\n  price: Int\n'), "12: Item.price is not fetched by any @rest: give it its own @rest, or map it in Item's type-level @rest selection"],
    ['an unknown directive argument', VALID.replace('batch: { maxSize: 10 }', 'batch: { maxSize: 10 }, retries: 3'), '9: Item @rest: unknown argument "retries" (allowed: source, http, selection, batch, cacheTtl, timeout)'],
    ['a bad duration', VALID.replace('batch: { maxSize: 10 }', 'batch: { maxSize: 10 }, cacheTtl: "soon"'), '9: Item @rest: "cacheTtl" must be a duration like "250ms" or "2s", got "soon"'],
    ['a type-level @rest that does not use the key', VALID.replace('/items?ids={$batch.id}', '/items').replace('batch: { maxSize: 10 }, ', ''), '9: Item @rest: the path must use the key: {$this.id} (one call per entity) or {$batch.id} (one call per batch)'],
  ])('reports %s with its line', (_case, body, expected) => {
    expect(problems(body)).toContain(expected);
  });

  it('reports a missing source declaration and a client header copied in the file', () => {
    const sdl = HEADER.replace('@restSource(name: "shop", baseURL: "http://127.0.0.1:1")', '@restSource(name: "shop", baseURL: "http://x", headers: [{ name: "authorization", from: "authorization" }])');
    const result = compileRestDescription(sdl + VALID);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].message).toContain('copy client headers with tollgate.yaml header rules');
  });

  it('points into a multi-line selection', () => {
    const body = VALID.replace('selection: "$.data { id name }")\n}', 'selection: """\n    $.data {\n      id\n      label\n    }\n    """)\n}');
    expect(problems(body)).toContain('10: Query.item @rest: selection: type Item has no field "label"');
  });

  it('formats problems as file:line:column: message', () => {
    expect(formatProblems('pricing.graphql', [{ line: 3, column: 7, message: 'boom' }])).toBe('pricing.graphql:3:7: boom');
  });

  it('reports SDL syntax errors with their position', () => {
    expect(problems('type Query {')).toEqual([expect.stringMatching(/^5: Syntax Error/)]);
  });
});
