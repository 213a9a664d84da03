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
    ['an unknown method in a selection', VALID.replace('selection: "$.count"', 'selection: "$.count->double"'), '13: Item.stock @rest: selection: unknown method "->double" (supported: echo, map, match, first, last, slice, size, entries, keys, values, joinNotNull, jsonStringify, get, has, filter, find, eq, ne, gt, gte, lt, lte, not, and, or, add, sub, mul, div, mod, split, trim, toLowerCase, toUpperCase, parseInt, toString, parseLinkHeader)'],
    ['an unknown $context key in a path', VALID.replace('/items/{$args.id}"', '/items/{$context.password}"'), '7: Query.item @rest: path reads $context.password: $context has subject, client, plan, kind, authenticated, scopes, claims, headers'],
    ['an unknown $context key in a header', VALID.replace('http: { GET: "/items/{$args.id}" }', 'http: { GET: "/items/{$args.id}", headers: [{ name: "x-a", value: "{$args.nope}" }] }'), '7: Query.item @rest: header "x-a": $args.nope does not exist: Query.item has arguments id'],
    ['a wrong method argument count in a path', VALID.replace('/items/{$args.id}"', '/items/{$args.id->slice(1, 2, 3)}"'), '7: Query.item @rest: http.GET: {$args.id->slice(1, 2, 3)}: ->slice takes 0 to 2 arguments, got 3'],
    ['a body on a GET', VALID.replace('http: { GET: "/items/{$args.id}" }', 'http: { GET: "/items/{$args.id}", body: "id: $args.id" }'), '7: Query.item @rest: http.body is not allowed with GET (a GET has no body)'],
    ['two methods', VALID.replace('http: { GET: "/items/{$args.id}" }', 'http: { GET: "/items/{$args.id}", DELETE: "/items/{$args.id}" }'), '7: Query.item @rest: http needs exactly one of GET, POST, PUT, PATCH, DELETE'],
    ['an idempotency key on a GET', VALID.replace('http: { GET: "/items/{$args.id}" }', 'http: { GET: "/items/{$args.id}" }, idempotencyKey: "idempotency-key"'), '7: Query.item @rest: idempotencyKey is for writes (POST, PUT, PATCH, DELETE); a GET is retried anyway'],
    ['a body content-type that is neither JSON nor a form', VALID.replace('http: { GET: "/items/{$args.id}" }', 'http: { PUT: "/items/{$args.id}", headers: [{ name: "content-type", value: "text/xml" }], body: "id: $args.id" }'), '7: Query.item @rest: content-type "text/xml": a body is sent as JSON (application/json) or as a form (application/x-www-form-urlencoded)'],
    ['an entity field nothing fetches', VALID.replace('  name: String\n', '  name: String\n  price: Int\n'), "12: Item.price is not fetched by any @rest: give it its own @rest, or map it in Item's type-level @rest selection"],
    ['an unknown directive argument', VALID.replace('batch: { maxSize: 10 }', 'batch: { maxSize: 10 }, retries: 3'), '9: Item @rest: unknown argument "retries" (allowed: source, http, selection, batch, cacheTtl, timeout, idempotencyKey, errors)'],
    ['a bad duration', VALID.replace('batch: { maxSize: 10 }', 'batch: { maxSize: 10 }, cacheTtl: "soon"'), '9: Item @rest: "cacheTtl" must be a duration like "250ms" or "2s", got "soon"'],
    ['a type-level @rest that does not use the key', VALID.replace('/items?ids={$batch.id}', '/items').replace('batch: { maxSize: 10 }, ', ''), '9: Item @rest: the path must use the key: {$this.id} (one call per entity) or {$batch.id} (one call per batch)'],
  ])('reports %s with its line', (_case, body, expected) => {
    expect(problems(body)).toContain(expected);
  });

  it('reads writes: every method, a form body, an idempotency key, retried methods', () => {
    const sdl = HEADER.replace('baseURL: "http://127.0.0.1:1"', 'baseURL: "http://127.0.0.1:1", retry: { methods: ["GET", "PATCH"] }') + VALID.replace('type Query {', `type Mutation {
  put(id: ID!, name: String): Item @rest(source: "shop", http: { PUT: "/items/{$args.id}", headers: [{ name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8" }], body: "name: $args.name" }, selection: "$.data { id name }")
  create(name: String): Item @rest(source: "shop", http: { POST: "/items", body: "name: $args.name" }, idempotencyKey: "Idempotency-Key", selection: "$.data { id name }")
  remove(id: ID!): Boolean @rest(source: "shop", http: { DELETE: "/items/{$args.id}" }, selection: "$.deleted")
}
type Query {`);
    const result = compileRestDescription(sdl);
    if (!result.ok) throw new Error(formatProblems('t', result.problems));
    const byName = Object.fromEntries(result.description.connectors.map((c) => [c.coordinate, c]));
    expect(byName['Mutation.put']).toMatchObject({ method: 'PUT', bodyFormat: 'form' });
    expect(byName['Mutation.create']).toMatchObject({ method: 'POST', bodyFormat: 'json', idempotencyKeyHeader: 'idempotency-key' });
    expect(byName['Mutation.remove']).toMatchObject({ method: 'DELETE', body: undefined });
    expect(result.description.sources[0].retryMethods).toEqual(['GET', 'PATCH']);
    const bad = compileRestDescription(HEADER.replace('baseURL: "http://127.0.0.1:1"', 'baseURL: "http://127.0.0.1:1", retry: { methods: ["GET", "HEAD"] }') + VALID);
    expect(bad.ok ? [] : bad.problems.map((p) => p.message)).toEqual(['@restSource: "retry.methods" lists "HEAD"; methods are GET, POST, PUT, PATCH, DELETE']);
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
