// composeSupergraph on small inline Federation 2 subgraphs, and composeFromRoverConfig end to end over
// files, inline SDL and a real subgraph_url server.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeFromRoverConfig, composeSupergraph, type ComposeResult } from './compose';
import { startSdlServer, type SdlServer } from './fixtures/sdlServer';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])\n';

const products = { name: 'products', url: 'http://products:4001/graphql', sdl: fixture('products.graphql') };
const reviews = { name: 'reviews', url: 'http://reviews:4002/graphql', sdl: fixture('reviews.graphql') };

function errorsOf(result: ComposeResult) {
  if (result.ok) throw new Error('expected composition to fail');
  return result.errors;
}

describe('composeSupergraph', () => {
  it('composes an entity split across two subgraphs', () => {
    const result = composeSupergraph([products, reviews]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.hints).toEqual([]);
    expect(result.supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)');
    expect(result.supergraphSdl).toContain('PRODUCTS @join__graph(name: "products", url: "http://products:4001/graphql")');
    expect(result.supergraphSdl).toContain('REVIEWS @join__graph(name: "reviews", url: "http://reviews:4002/graphql")');
    expect(result.supergraphSdl).toMatch(/type Product\s+@join__type\(graph: PRODUCTS, key: "id"\)\s+@join__type\(graph: REVIEWS, key: "id"\)/);
  });

  it('reports a field type conflict against both subgraphs, with locations in each', () => {
    const errors = errorsOf(
      composeSupergraph([
        { name: 'a', url: 'http://a', sdl: `${FED}type Query { t: T }\ntype T @key(fields: "id") { id: ID! x: String @shareable }` },
        { name: 'b', url: 'http://b', sdl: `${FED}type T @key(fields: "id") { id: ID! x: Int @shareable }` },
      ]),
    );
    expect(errors).toEqual([
      {
        subgraphs: ['a', 'b'],
        code: 'FIELD_TYPE_MISMATCH',
        message: expect.stringContaining('Type of field "T.x" is incompatible across subgraphs'),
        locations: [
          { subgraph: 'a', line: 3, column: 37 },
          { subgraph: 'b', line: 2, column: 37 },
        ],
      },
    ]);
  });

  it('attributes `[name]`-prefixed validation errors to that subgraph and drops the prefix', () => {
    const errors = errorsOf(
      composeSupergraph([
        { name: 'a', url: 'http://a', sdl: `${FED}type Query { t: T }\ntype T @key(fields: "nope") { id: ID! }` },
        { name: 'b', url: 'http://b', sdl: `${FED}type Query { u: String }` },
      ]),
    );
    expect(errors).toEqual([
      expect.objectContaining({ subgraph: 'a', code: 'KEY_INVALID_FIELDS', message: expect.stringMatching(/^On type "T"/) }),
    ]);
  });

  it('attributes errors that name subgraphs only in the message', () => {
    const errors = errorsOf(
      composeSupergraph([
        { name: 'a', url: 'http://a', sdl: `${FED}type Query { t: String }` },
        { name: 'b', url: 'http://b', sdl: `${FED}type Query { t: String }` },
      ]),
    );
    expect(errors).toEqual([expect.objectContaining({ subgraphs: ['a', 'b'], code: 'INVALID_FIELD_SHARING' })]);
    expect(errors[0].subgraph).toBeUndefined();
  });

  it('names the subgraph of every location of a merge error (issue 14, item 4: it was `?:48:3`)', () => {
    const errors = errorsOf(
      composeSupergraph([
        { name: 'a', url: 'http://a', sdl: `${FED}type Query { t: String }` },
        { name: 'b', url: 'http://b', sdl: `${FED}\n\ntype Query { t: String }` },
      ]),
    );
    const locations = errors[0].locations ?? [];
    expect(locations.length).toBe(2);
    expect(locations.map((l) => l.subgraph)).toEqual(['a', 'b']);
    expect(locations[1].line).toBe(locations[0].line + 2);
  });

  it('reports a syntax error against its subgraph without composing the others', () => {
    const errors = errorsOf(composeSupergraph([products, { ...reviews, sdl: 'type Product @key(fields: "id") {' }]));
    expect(errors).toEqual([
      {
        subgraph: 'reviews',
        code: 'INVALID_GRAPHQL',
        message: expect.stringMatching(/^Syntax Error/),
        locations: [{ subgraph: 'reviews', line: 1, column: 34 }],
      },
    ]);
  });

  it('refuses duplicate subgraph names instead of letting composeServices throw', () => {
    expect(errorsOf(composeSupergraph([products, products]))).toEqual([
      { subgraph: 'products', code: 'DUPLICATE_SUBGRAPH_NAME', message: 'listed more than once' },
    ]);
  });

  it('returns hints for compatible inconsistencies', () => {
    const result = composeSupergraph([
      { name: 'a', url: 'http://a', sdl: `${FED}type Query { t: T }\ntype T @key(fields: "id") { id: ID! x: String @shareable }` },
      { name: 'b', url: 'http://b', sdl: `${FED}type T @key(fields: "id") { id: ID! x: String! @shareable }` },
    ]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.hints).toEqual([
      {
        code: 'INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE',
        message: expect.stringContaining('Type of field "T.x" is inconsistent but compatible'),
        coordinate: 'T.x',
      },
    ]);
  });

  it('runs transformSdl on each subgraph before composing, and reports it if it throws', () => {
    const seen: string[] = [];
    const result = composeSupergraph([products, { ...reviews, sdl: `${reviews.sdl}\n# STRIP\ntype Junk @nope { a: Int }` }], {
      transformSdl: (name, sdl) => {
        seen.push(name);
        return sdl.split('# STRIP')[0];
      },
    });
    expect(result.ok).toBe(true);
    expect(seen).toEqual(['products', 'reviews']);

    const failed = composeSupergraph([products], {
      transformSdl: () => {
        throw new Error('connector directive without source');
      },
    });
    expect(errorsOf(failed)).toEqual([
      { subgraph: 'products', code: 'SDL_TRANSFORM_FAILED', message: 'connector directive without source' },
    ]);
  });
});

describe('composeFromRoverConfig', () => {
  let dir: string;
  let server: SdlServer | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tollgate-compose-'))));
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads files, fetches subgraph_url (with headers) and takes inline sdl, then composes', async () => {
    server = await startSdlServer({ sdl: fixture('reviews.graphql') });
    writeFileSync(join(dir, 'products.graphql'), fixture('products.graphql'));
    writeFileSync(
      join(dir, 'rover.yaml'),
      `federation_version: =2.9.3
subgraphs:
  products:
    routing_url: http://products:4001/graphql
    schema: { file: ./products.graphql }
  reviews:
    schema:
      subgraph_url: ${server.url}
      introspection_headers: { Authorization: "Bearer \${env.REVIEWS_TOKEN}" }
  greetings:
    routing_url: http://greetings:4003/graphql
    schema:
      sdl: |
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        type Query { hello: String }
`,
    );
    const result = await composeFromRoverConfig(join(dir, 'rover.yaml'), { REVIEWS_TOKEN: 's3cret' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.sources).toEqual([
      { name: 'products', kind: 'file', location: join(dir, 'products.graphql'), routingUrl: 'http://products:4001/graphql' },
      { name: 'reviews', kind: 'subgraph_url', location: server.url, routingUrl: server.url },
      { name: 'greetings', kind: 'sdl', location: 'inline', routingUrl: 'http://greetings:4003/graphql' },
    ]);
    expect(server.received[0].headers.authorization).toBe('Bearer s3cret');
    expect(result.supergraphSdl).toContain(`REVIEWS @join__graph(name: "reviews", url: "${server.url}")`);
    expect(result.warnings).toEqual([expect.stringContaining('federation_version =2.9.3 is pinned')]);
  });

  it('collects every source failure, each against its subgraph, before composing', async () => {
    writeFileSync(
      join(dir, 'rover.yaml'),
      `subgraphs:
  products:
    routing_url: http://products
    schema: { file: ./missing.graphql }
  reviews:
    schema: { subgraph_url: "http://127.0.0.1:9/graphql" }
`,
    );
    const result = await composeFromRoverConfig(join(dir, 'rover.yaml'), {}, { fetchTimeoutMs: 2000 });
    expect(errorsOf(result)).toEqual([
      { subgraph: 'products', code: 'SCHEMA_FILE_UNREADABLE', message: expect.stringContaining('missing.graphql') },
      { subgraph: 'reviews', code: 'SUBGRAPH_SDL_FETCH_FAILED', message: expect.stringContaining('http://127.0.0.1:9/graphql') },
    ]);
    expect(result.sources.map((s) => s.name)).toEqual(['products', 'reviews']);
  });

  it('returns config problems as INVALID_SUPERGRAPH_CONFIG errors instead of throwing', async () => {
    writeFileSync(join(dir, 'rover.yaml'), 'subgraphs:\n  a:\n    routing_url: ${env.A_URL}\n    schema: { sdl: "type Query { a: Int }" }\n');
    const result = await composeFromRoverConfig(join(dir, 'rover.yaml'), {});
    expect(errorsOf(result)).toEqual([
      { code: 'INVALID_SUPERGRAPH_CONFIG', message: expect.stringContaining('environment variable A_URL is not set') },
    ]);
    expect(result.sources).toEqual([]);
  });
});
