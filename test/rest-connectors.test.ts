// Apollo Connectors SDL served unchanged: subgraphs written for Apollo Router (connect/v0.1 and v0.2, @source,
// @connect, entity: true, a type-level connector without @key, an absolute URL without @source) — examples from
// Apollo's Connectors documentation — composed from rover.yaml and queried through the real gateway, against a
// local HTTP server standing in for the documented REST APIs. Unsupported constructs fail at load, file:line:column.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { composeFromRoverConfig } from '../src/compose/compose';
import { serveSubgraph, type SubgraphServer } from '../subgraphs/lib/serveSubgraph';
import { postJson, startTestGateway, tempDir } from './harness';

const fixtures = join(__dirname, 'fixtures', 'connectors');
const PRODUCTS = [
  { id: '1', name: 'Lamp', description: 'A lamp', variants: [{ variantID: '1a', name: 'Brass' }] },
  { id: '2', name: 'Desk', description: 'A desk', variants: [] },
];
const REVIEWS: Record<string, unknown[]> = { '1': [{ id: 'r1', title: 'Bright', body: 'Good', rating: 5 }], '2': [] };
const USERS: Record<string, unknown> = { u1: { id: 'u1', name: 'Ada', email: 'ada@example.com' }, u2: { id: 'u2', name: 'Bo', email: null } };

interface Recorded {
  url: string;
  caller: string | undefined;
}

let rest: Server;
let restUrl: string;
const calls: Recorded[] = [];
let authors: SubgraphServer;

beforeAll(async () => {
  rest = createServer((req, res) => {
    calls.push({ url: req.url ?? '', caller: req.headers['x-caller'] as string | undefined });
    const url = new URL(req.url ?? '/', 'http://local');
    const product = /^\/products\/([^/]+)$/.exec(url.pathname);
    const user = /^\/v1\/users\/([^/]+)$/.exec(url.pathname);
    let body: unknown;
    if (url.pathname === '/products') body = { products: PRODUCTS.map(({ id, name, description }) => ({ id, name, description })) };
    else if (product) body = PRODUCTS.find((p) => p.id === decodeURIComponent(product[1]));
    else if (url.pathname === '/reviews') body = { results: REVIEWS[url.searchParams.get('product_id') ?? ''] ?? [] };
    else if (user) body = USERS[decodeURIComponent(user[1])];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { message: 'not found' }));
  });
  await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', resolve));
  restUrl = `http://127.0.0.1:${(rest.address() as AddressInfo).port}`;
  const schema = buildSubgraphSchema({
    typeDefs: parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.10", import: ["@key"]) type Query { topAuthors: [User!]! } type User @key(fields: "id") { id: ID! }'),
    resolvers: { Query: { topAuthors: () => [{ id: 'u1' }, { id: 'u2' }, { id: 'u1' }] } },
  });
  authors = await serveSubgraph({ name: 'authors', schema });
});

afterAll(async () => {
  await authors?.close();
  await new Promise((resolve) => rest?.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
});

/** Copies the documented files, pointing their documented hosts at the local server (the only edit). */
function writeGraph(edit: (name: string, sdl: string) => string = (_, sdl) => sdl): string {
  const dir = tempDir('tollgate-connectors-');
  for (const name of ['ecomm', 'reviews', 'users']) {
    const sdl = readFileSync(join(fixtures, `${name}.graphql`), 'utf8')
      .replace('https://ecommerce.demo-api.apollo.dev/', `${restUrl}/`)
      .replace('https://reviews.example.com', restUrl)
      .replace('https://users.example.com/v1', `${restUrl}/v1`);
    writeFileSync(join(dir, `${name}.graphql`), edit(name, sdl));
  }
  const subgraph = (name: string) => [`  ${name}:`, `    routing_url: rest:${name}.graphql`, '    schema:', `      file: ./${name}.graphql`];
  writeFileSync(
    join(dir, 'rover.yaml'),
    ['subgraphs:', ...subgraph('ecomm'), ...subgraph('reviews'), ...subgraph('users'), '  authors:', `    routing_url: ${authors.url}`, '    schema:', `      subgraph_url: ${authors.url}`, ''].join('\n'),
  );
  return dir;
}

describe('Connectors subgraphs served as written', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    const dir = writeGraph();
    const composed = await composeFromRoverConfig(join(dir, 'rover.yaml'), {});
    if (!composed.ok) throw new Error(JSON.stringify(composed.errors, null, 2));
    gateway = await startTestGateway(composed.supergraphSdl, { rest: { baseDir: dir } });
  });
  afterAll(() => gateway?.close());
  const query = (q: string) => postJson(gateway.url, { query: q });

  it('a root connector, then the type-level connector (no @key written) for the fields only it maps', async () => {
    const reply = await query('{ products { id name variants { id name } } }');
    expect(reply.json).toEqual({
      data: { products: [{ id: '1', name: 'Lamp', variants: [{ id: '1a', name: 'Brass' }] }, { id: '2', name: 'Desk', variants: [] }] },
    });
    expect(calls.map((c) => c.url).sort()).toEqual(['/products', '/products/1', '/products/2']);
    expect(calls.every((c) => c.caller === 'apollo')).toBe(true);
  });

  it('a connector on an entity field with an absolute URL and no @source, joined across subgraphs', async () => {
    const reply = await query('{ products { name reviews { title rating } } }');
    expect(reply.json).toEqual({ data: { products: [{ name: 'Lamp', reviews: [{ title: 'Bright', rating: 5 }] }, { name: 'Desk', reviews: [] }] } });
    expect(calls.map((c) => c.url).sort()).toEqual(['/products', '/reviews?product_id=1', '/reviews?product_id=2']);
  });

  it('entity: true makes Query.user resolve User references from another subgraph', async () => {
    expect((await query('{ user(id: "u2") { name email } }')).json).toEqual({ data: { user: { name: 'Bo', email: null } } });
    calls.length = 0;
    const reply = await query('{ topAuthors { id name } }');
    expect(reply.json).toEqual({ data: { topAuthors: [{ id: 'u1', name: 'Ada' }, { id: 'u2', name: 'Bo' }, { id: 'u1', name: 'Ada' }] } });
    expect(calls.map((c) => c.url).sort()).toEqual(['/v1/users/u1', '/v1/users/u2']);
  });
});

describe('what Tollgate cannot do is named at load, with the file position as written', () => {
  async function problemsOf(file: string, edit: (sdl: string) => string): Promise<string[]> {
    const dir = writeGraph((name, sdl) => (name === file ? edit(sdl) : sdl));
    const composed = await composeFromRoverConfig(join(dir, 'rover.yaml'), {});
    if (composed.ok) throw new Error('composed');
    return composed.errors.map((e) => `${e.locations?.[0]?.line}:${e.locations?.[0]?.column}: ${e.message}`);
  }
  const lineOf = (sdl: string, text: string) => sdl.split('\n').findIndex((line) => line.includes(text)) + 1;
  const original = (name: string) => readFileSync(join(fixtures, `${name}.graphql`), 'utf8');

  it('http.path, an errors extension other than code, {$request…} in a header, an unknown connect version: every one, in file order', async () => {
    const edit = (sdl: string) =>
      sdl
        .replace('connect/v0.2', 'connect/v0.9')
        .replace('{ name: "x-caller", value: "apollo" }', '{ name: "x-api-key", value: "{$request.headers.k}" }')
        .replace('http: { GET: "/products" }', 'http: { GET: "/products", path: "$args.p" }\n      errors: { extensions: "code: $.c status: $status" }');
    const sdl = edit(original('ecomm'));
    expect(await problemsOf('ecomm', edit)).toEqual([
      `${lineOf(sdl, 'connect/v0.9')}:3: https://specs.apollo.dev/connect/v0.9: Tollgate reads connect v0.1, v0.2, v0.3`,
      `${lineOf(sdl, 'x-api-key')}:45: header "x-api-key": {$request.headers.k} is not supported here by Tollgate (header values read {$env.NAME}, $config, $context, $args and $this)`,
      `${lineOf(sdl, 'path: ')}:33: Query.products @connect: http.path: is not supported by Tollgate yet: write the path in the URL template`,
      `${lineOf(sdl, 'errors: {')}:29: Query.products @connect: errors.extensions: Tollgate carries one extension from the body, code (as extensions.upstreamCode): write "code: <mapping>"`,
    ]);
  });

  it('a problem the REST compiler finds points into the file as written: an unknown mapping method, an unknown source', async () => {
    const method = (sdl: string) => sdl.replace('    variants {\n      id: variantID', '    variants: $.variants->frobnicate {\n      id: variantID');
    const withMethod = method(original('ecomm'));
    const column = withMethod.split('\n')[lineOf(withMethod, '->frobnicate') - 1].indexOf('->frobnicate') + 3; // at the method's name
    expect(await problemsOf('ecomm', method)).toEqual([expect.stringMatching(new RegExp(`^${lineOf(withMethod, '->frobnicate')}:${column}: Product @connect: selection: `))]);

    const source = (sdl: string) => sdl.replace('source: "ecomm"\n      http: { GET: "/products" }', 'source: "shop"\n      http: { GET: "/products" }');
    const withSource = source(original('ecomm'));
    expect(await problemsOf('ecomm', source)).toEqual([`${lineOf(withSource, 'source: "shop"') - 1}:5: Query.products @connect: unknown source "shop" (declared: ecomm)`]);
  });

  it('a derived entity connector that cannot work says where it comes from', async () => {
    // entity: true with an argument that is no field of the type: the derived User connector reads $this.userId.
    const edit = (sdl: string) => sdl.replace('user(id: ID!): User', 'user(id: ID!, userId: ID): User').replace('/users/{$args.id}', '/users/{$args.id}?u={$args.userId}');
    const problems = await problemsOf('users', edit);
    expect(problems.join('\n')).toMatch(/in what Tollgate derives from this connector/);
    expect(problems[0]).toMatch(new RegExp(`^${lineOf(edit(original('users')), '@connect(source: "users"')}:5: \\[<unnamed>\\] On type "User", for @key\\(fields: "id userId"\\)`));
  });
});
