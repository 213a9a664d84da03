// Several @keys on one REST entity: Product is fetched by `upc` (one call per product) and by `sku` (a batch
// endpoint), each key by its own type-level @rest; two federated subgraphs know Product by one key each, and the
// gateway joins across all three through whichever key it holds. Against a real REST server on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { serveSubgraph, type SubgraphServer } from '../subgraphs/lib/serveSubgraph';
import { composeFromRoverConfig } from '../src/compose/compose';
import { compileRestDescription, formatProblems } from '../src/rest/compile';
import { postJson, startTestGateway, tempDir } from './harness';

const PRODUCTS = [
  { upc: '1', sku: 'TBL-01', name: 'Table', price_cents: 94900 },
  { upc: '2', sku: 'CHR-01', name: 'Chair', price_cents: 12900 },
  { upc: '3', sku: 'a&skus=TBL-01', name: 'Hostile', price_cents: 1 },
];

const description = (baseURL: string) => `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key"])
  @link(url: "https://specs.tollgate.dev/rest/v0.1", import: ["@restSource", "@rest"])
  @restSource(name: "catalog", baseURL: "${baseURL}")

type Product @key(fields: "upc") @key(fields: "sku")
  @rest(source: "catalog", http: { GET: "/products/{$this.upc}" }, selection: "upc sku name price: price_cents")
  @rest(source: "catalog", http: { GET: "/products?skus={$batch.sku}" }, batch: { maxSize: 10 }, selection: "$.items { upc sku name price: price_cents }") {
  upc: ID!
  sku: String!
  name: String!
  price: Int
}
`;

// Knows products only by upc.
const ORDERS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { orders(upcs: [ID!]): [Order!]! }
  type Order { id: ID! product: Product }
  type Product @key(fields: "upc") { upc: ID! orderCount: Int! }
`;
// Knows products only by sku.
const WAREHOUSE_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { bins(skus: [String!]): [Bin!]! }
  type Bin { id: ID! product: Product }
  type Product @key(fields: "sku") { sku: String! shelf: String! }
`;

let rest: Server;
const calls: string[] = [];
let orders: SubgraphServer;
let warehouse: SubgraphServer;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  rest = createServer((req, res) => {
    calls.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const one = /^\/products\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const product = PRODUCTS.find((p) => p.upc === decodeURIComponent(one[1]));
      return product ? send(200, product) : send(404, { error: 'no such product' });
    }
    if (url.pathname === '/products') {
      const skus = (url.searchParams.get('skus') ?? '').split(',');
      // Answers in reverse order and leaves unknown SKUs out: results must be matched by key, not position.
      return send(200, { items: PRODUCTS.filter((p) => skus.includes(p.sku)).reverse() });
    }
    send(404, {});
  });
  await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', resolve));
  orders = await serveSubgraph({
    name: 'orders',
    schema: buildSubgraphSchema({
      typeDefs: parse(ORDERS_SDL),
      resolvers: {
        Query: { orders: (_: unknown, args: { upcs?: string[] }) => (args.upcs ?? ['1', '2', '1']).map((upc, i) => ({ id: `o${i + 1}`, product: { upc } })) },
        Product: { __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc, orderCount: Number(ref.upc) * 7 }), orderCount: (p: { upc: string }) => Number(p.upc) * 7 },
      },
    }),
  });
  warehouse = await serveSubgraph({
    name: 'warehouse',
    schema: buildSubgraphSchema({
      typeDefs: parse(WAREHOUSE_SDL),
      resolvers: {
        Query: { bins: (_: unknown, args: { skus?: string[] }) => (args.skus ?? ['CHR-01', 'TBL-01']).map((sku, i) => ({ id: `b${i}`, product: { sku } })) },
        Product: { __resolveReference: (ref: { sku: string }) => ({ sku: ref.sku, shelf: `shelf-${ref.sku}` }), shelf: (p: { sku: string }) => `shelf-${p.sku}` },
      },
    }),
  });
  const dir = tempDir('tollgate-rest-keys-');
  writeFileSync(join(dir, 'catalog.graphql'), description(`http://127.0.0.1:${(rest.address() as AddressInfo).port}`));
  writeFileSync(
    join(dir, 'rover.yaml'),
    [
      'subgraphs:',
      '  catalog:',
      '    routing_url: rest:catalog.graphql',
      '    schema: { file: ./catalog.graphql }',
      '  orders:',
      `    routing_url: ${orders.url}`,
      '    schema: { file: ./orders.graphql }',
      '  warehouse:',
      `    routing_url: ${warehouse.url}`,
      '    schema: { file: ./warehouse.graphql }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'orders.graphql'), ORDERS_SDL);
  writeFileSync(join(dir, 'warehouse.graphql'), WAREHOUSE_SDL);
  const composed = await composeFromRoverConfig(join(dir, 'rover.yaml'), {});
  if (!composed.ok) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  gateway = await startTestGateway(composed.supergraphSdl, { rest: { baseDir: dir } });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([orders?.close(), warehouse?.close()]);
  await new Promise((resolve) => rest?.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
});

const gql = (query: string) => postJson(gateway.url, { query });

it('resolves Product by upc for the subgraph that knows upc: one GET per distinct product', async () => {
  const reply = await gql('{ orders { id product { upc name price } } }');
  expect(reply.json).toEqual({
    data: {
      orders: [
        { id: 'o1', product: { upc: '1', name: 'Table', price: 94900 } },
        { id: 'o2', product: { upc: '2', name: 'Chair', price: 12900 } },
        { id: 'o3', product: { upc: '1', name: 'Table', price: 94900 } },
      ],
    },
  });
  expect([...calls].sort()).toEqual(['/products/1', '/products/2']);
});

it('resolves Product by sku for the subgraph that knows sku: one batch call, matched by key', async () => {
  const reply = await gql('{ bins { id product { sku name upc } } }');
  expect(reply.json).toEqual({
    data: { bins: [{ id: 'b0', product: { sku: 'CHR-01', name: 'Chair', upc: '2' } }, { id: 'b1', product: { sku: 'TBL-01', name: 'Table', upc: '1' } }] },
  });
  expect(calls).toEqual(['/products?skus=CHR-01,TBL-01']);
});

it('joins across keys both ways: upc → REST → sku → warehouse, and sku → REST → upc → orders', async () => {
  const forward = await gql('{ orders { product { upc shelf } } }');
  expect(forward.json).toEqual({ data: { orders: [{ product: { upc: '1', shelf: 'shelf-TBL-01' } }, { product: { upc: '2', shelf: 'shelf-CHR-01' } }, { product: { upc: '1', shelf: 'shelf-TBL-01' } }] } });
  const back = await gql('{ bins { product { sku orderCount } } }');
  expect(back.json).toEqual({ data: { bins: [{ product: { sku: 'CHR-01', orderCount: 14 } }, { product: { sku: 'TBL-01', orderCount: 7 } }] } });
  expect(calls).toContain('/products?skus=CHR-01,TBL-01');
});

it('hostile key values stay data: an encoded batch value, a path-traversal upc refused, an unknown sku not found', async () => {
  const reply = await gql('{ bins(skus: ["a&skus=TBL-01", "NOPE", "../admin"]) { product { sku name } } }');
  // "a&skus=TBL-01" is sent as one encoded value (no second skus parameter): only the hostile product comes back.
  expect(calls).toEqual(['/products?skus=a%26skus%3DTBL-01,NOPE,..%2Fadmin']);
  expect(reply.json.data).toEqual({ bins: [{ product: { sku: 'a&skus=TBL-01', name: 'Hostile' } }, { product: null }, { product: null }] });
  expect(reply.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['REST_NOT_FOUND', 'REST_NOT_FOUND']);

  calls.length = 0;
  const traversal = await gql('{ orders(upcs: ["..", "1/../2", "3"]) { product { upc name } } }');
  // ".." as a path segment is refused without a call; "1/../2" is one encoded segment; "3" is found.
  expect(calls.sort()).toEqual(['/products/1%2F..%2F2', '/products/3']);
  expect(traversal.json.data).toEqual({ orders: [{ product: null }, { product: null }, { product: { upc: '3', name: 'Hostile' } }] });
  expect(traversal.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code).sort()).toEqual(['REST_MAPPING_ERROR', 'REST_NOT_FOUND']);

  calls.length = 0;
  const keyOnly = await gql('{ orders { product { upc orderCount } } }');
  expect(keyOnly.json.errors).toBeUndefined();
  expect(calls).toEqual([]); // no field the REST system fills was asked for: no call
});

it('load-time checks for several keys name the key and the connector', () => {
  const problems = (sdl: string) => {
    const result = compileRestDescription(sdl);
    return result.ok ? '' : formatProblems('catalog.graphql', result.problems);
  };
  const base = description('http://127.0.0.1:1');
  expect(problems(base)).toBe('');
  const compiled = compileRestDescription(base);
  expect(compiled.ok && compiled.description.connectors.map((c) => [c.coordinate, c.entityKey])).toEqual([
    ['Product(upc)', ['upc']],
    ['Product(sku)', ['sku']],
  ]);
  // The sku key without its connector: a reference by sku could not be fetched.
  const withoutSku = base.replace(/ {2}@rest\(source: "catalog", http: \{ GET: "\/products\?skus.*\n/, '  {\n');
  expect(problems(withoutSku)).toMatch(/^catalog\.graphql:8:3: Product @rest: Product's @key\(fields: "sku"\) has no type-level @rest: add one whose path reads \{\$this\.sku\}, or mark the key resolvable: false$/);
  expect(problems(withoutSku.replace('@key(fields: "sku")', '@key(fields: "sku", resolvable: false)'))).toBe('');
  // Two connectors for the same key.
  expect(problems(base.replace('/products?skus={$batch.sku}', '/products?upcs={$batch.upc}').replace('$.items { upc sku', '$.items { upc sku'))).toMatch(/two type-level @rest resolve Product by the same @key "upc"; keep one/);
  // A connector reading no key.
  expect(problems(base.replace('/products/{$this.upc}', '/products/{$this.name}'))).toMatch(/Product has 2 @keys \("upc", "sku"\); this type-level @rest reads \$this\.name, which is none of them/);
});
