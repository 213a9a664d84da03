// @defer over real HTTP, with real subgraphs, on both executors: Apollo Client (its multipart parser and its
// deferSpec=20220824 handler) sees the initial payload before the deferred part's subgraph has answered; a strict
// multipart reader checks the wire format; deferred entity fetches, a failing deferred subgraph, authorization and
// rate limits inside deferred fragments, clients without multipart, mutations, and a client that leaves mid-stream.
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { serveSubgraph, type SubgraphServer } from '../subgraphs/lib/serveSubgraph';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { compose, postJson, startTestGateway } from './harness';

const CATALOG_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated"])
  type Query { products: [Product!]! product(id: ID!): Product }
  type Mutation { touch(id: ID!): Product }
  type Product @key(fields: "id") { id: ID! name: String! secret: String @authenticated }
`;
const STOCK_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Product @key(fields: "id") { id: ID! stock: Int reorderAt: Int warehouse: Warehouse }
  type Warehouse { city: String! }
`;
const products = [
  { id: '1', name: 'Table', secret: 's1' },
  { id: '2', name: 'Chair', secret: 's2' },
];

/** Holds the stock subgraph's answers until the test opens it: proves the initial payload did not wait for them. */
class Gate {
  private opened = false;
  private waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }
  close(): void {
    this.opened = false;
  }
}

const gate = new Gate();
let touched = 0;
let catalog: SubgraphServer;
let stock: SubgraphServer;
let stockProxy: FaultProxy;
let supergraph: string;

beforeAll(async () => {
  gate.open();
  catalog = await serveSubgraph({
    name: 'catalog',
    schema: buildSubgraphSchema({
      typeDefs: parse(CATALOG_SDL),
      resolvers: {
        Query: { products: () => products, product: (_: unknown, { id }: { id: string }) => products.find((p) => p.id === id) ?? null },
        Mutation: { touch: (_: unknown, { id }: { id: string }) => (touched++, products.find((p) => p.id === id) ?? null) },
        Product: { __resolveReference: (ref: { id: string }) => products.find((p) => p.id === ref.id) },
      },
    }),
  });
  stock = await serveSubgraph({
    name: 'stock',
    schema: buildSubgraphSchema({
      typeDefs: parse(STOCK_SDL),
      resolvers: {
        Product: {
          __resolveReference: async (ref: { id: string }) => {
            await gate.wait();
            return { id: ref.id, stock: Number(ref.id) * 10, reorderAt: 3, warehouse: { city: ref.id === '1' ? 'Oslo' : 'Lima' } };
          },
        },
      },
    }),
  });
  stockProxy = await startFaultProxy(stock.url);
  supergraph = compose([
    { name: 'catalog', url: catalog.url, sdl: CATALOG_SDL },
    { name: 'stock', url: stockProxy.url, sdl: STOCK_SDL },
  ]);
});

afterAll(async () => {
  gate.open();
  await stockProxy?.close();
  await Promise.all([catalog?.close(), stock?.close()]);
});

interface Part {
  headers: Record<string, string>;
  json: Record<string, unknown>;
}

/** A strict multipart/mixed reader: exact framing (CRLF, boundary "graphql", part headers), final boundary required. */
async function* readParts(response: Response): AsyncGenerator<Part> {
  expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";deferSpec=20220824');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  const delimiter = '\r\n--graphql';
  while (true) {
    const first = buffer.indexOf(delimiter);
    const next = first === -1 ? -1 : buffer.indexOf(delimiter, first + delimiter.length);
    if (first !== -1 && buffer.slice(first + delimiter.length).startsWith('--')) {
      while (!done) {
        const read = await reader.read();
        done = read.done;
        if (read.value) buffer += decoder.decode(read.value, { stream: true });
      }
      expect(buffer.slice(first)).toBe('\r\n--graphql--\r\n');
      expect(buffer.slice(0, first)).toBe('');
      return;
    }
    if (first !== -1 && next !== -1) {
      expect(buffer.slice(0, first)).toBe('');
      const part = buffer.slice(first + delimiter.length, next);
      buffer = buffer.slice(next);
      expect(part.startsWith('\r\n')).toBe(true);
      const split = part.indexOf('\r\n\r\n');
      const headers = Object.fromEntries(
        part
          .slice(2, split)
          .split('\r\n')
          .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      yield { headers, json: JSON.parse(part.slice(split + 4)) as Record<string, unknown> };
      continue;
    }
    if (done) throw new Error(`premature end of multipart body: ${JSON.stringify(buffer)}`);
    const read = await reader.read();
    done = read.done;
    if (read.value) buffer += decoder.decode(read.value, { stream: true });
  }
}

const MULTIPART = 'multipart/mixed;deferSpec=20220824,application/json;q=0.9';

function post(url: string, body: unknown, accept = MULTIPART, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept, ...headers }, body: JSON.stringify(body) });
}

async function allParts(response: Response): Promise<Array<Record<string, unknown>>> {
  const parts: Array<Record<string, unknown>> = [];
  for await (const part of readParts(response)) {
    expect(part.headers['content-type']).toBe('application/json; charset=utf-8');
    parts.push(part.json);
  }
  return parts;
}

describe.each(['apollo', 'tollgate'] as const)('@defer on the %s executor', (executor) => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway(supergraph, {
      executor,
      rateLimits: { fields: { 'Product.reorderAt': { max: 1, window: '1h' } } },
    });
  });
  afterAll(async () => {
    gate.open();
    stockProxy.mode = { kind: 'pass' };
    await gateway?.close();
  });

  it('sends the initial payload before the deferred entity fetch answers, then the deferred part (Apollo Client)', async () => {
    gate.close();
    const client = new ApolloClient({ link: new HttpLink({ uri: gateway.url }), cache: new InMemoryCache(), incrementalHandler: new Defer20220824Handler() });
    const query = gql`
      query Shelf {
        products {
          id
          name
          ... @defer(label: "stock") {
            stock
          }
        }
      }
    `;
    const seen: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query, fetchPolicy: 'no-cache' }).subscribe({
        next: (result) => {
          if (result.loading && result.data === undefined) return;
          seen.push(result.data);
          // The deferred part's subgraph is still held: opening it now is what lets the part arrive.
          if (seen.length === 1) gate.open();
          if (!result.loading && seen.length >= 2) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    expect(seen[0]).toEqual({ products: [{ __typename: 'Product', id: '1', name: 'Table' }, { __typename: 'Product', id: '2', name: 'Chair' }] });
    expect(seen[seen.length - 1]).toEqual({
      products: [
        { __typename: 'Product', id: '1', name: 'Table', stock: 10 },
        { __typename: 'Product', id: '2', name: 'Chair', stock: 20 },
      ],
    });
  });

  it('frames each payload as deferSpec=20220824 says: data + hasNext, then incremental items with paths and labels', async () => {
    gate.open();
    const response = await post(gateway.url, { query: '{ product(id: "2") { name ... @defer(label: "where") { warehouse { city } stock } } }' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await allParts(response)).toEqual([
      { data: { product: { name: 'Chair' } }, hasNext: true },
      { incremental: [{ data: { warehouse: { city: 'Lima' }, stock: 20 }, path: ['product'], label: 'where' }], hasNext: false },
    ]);
  });

  it('delivers several deferred fragments, in lists, with named fragments, and respects if: false', async () => {
    gate.open();
    const query = `query Q($later: Boolean!) { products { id ...Stock @defer ... @defer(if: $later) { name } } } fragment Stock on Product { stock }`;
    const parts = await allParts(await post(gateway.url, { query, variables: { later: true } }));
    expect(parts[0]).toEqual({ data: { products: [{ id: '1' }, { id: '2' }] }, hasNext: true });
    const items = parts.slice(1).flatMap((p) => p.incremental as unknown[]);
    expect(items).toHaveLength(4);
    expect(items).toEqual(
      expect.arrayContaining([
        { data: { stock: 10 }, path: ['products', 0] },
        { data: { stock: 20 }, path: ['products', 1] },
        { data: { name: 'Table' }, path: ['products', 0] },
        { data: { name: 'Chair' }, path: ['products', 1] },
      ]),
    );
    expect(parts[parts.length - 1].hasNext).toBe(false);
    expect(parts.slice(1, -1).every((p) => p.hasNext === true)).toBe(true);

    const inline = await allParts(await post(gateway.url, { query, variables: { later: false } }));
    expect(inline[0]).toEqual({ data: { products: [{ id: '1', name: 'Table' }, { id: '2', name: 'Chair' }] }, hasNext: true });
  });

  it('puts a deferred subgraph failure in that part only', async () => {
    gate.open();
    stockProxy.mode = { kind: 'status', status: 503 };
    try {
      const parts = await allParts(await post(gateway.url, { query: '{ product(id: "1") { name ... @defer { stock } } }' }));
      expect(parts[0]).toEqual({ data: { product: { name: 'Table' } }, hasNext: true });
      expect(parts[0].errors).toBeUndefined();
      const [item] = parts[1].incremental as Array<{ data: unknown; path: unknown; errors: Array<{ extensions: { code: string; serviceName?: string } }> }>;
      expect(item.path).toEqual(['product']);
      expect(item.data).toEqual({ stock: null });
      expect(item.errors.length).toBeGreaterThan(0);
      expect(item.errors[0].extensions.serviceName).toBe('stock');
      expect(parts[1].hasNext).toBe(false);
    } finally {
      stockProxy.mode = { kind: 'pass' };
    }
  });

  it('applies authorization inside a deferred fragment: null and the error in that part', async () => {
    const parts = await allParts(await post(gateway.url, { query: '{ product(id: "1") { name ... @defer { id secret } } }' }));
    expect(parts[0]).toEqual({ data: { product: { name: 'Table' } }, hasNext: true });
    const [item] = parts[1].incremental as Array<{ data: unknown; errors: Array<{ path: unknown; extensions: { code: string } }> }>;
    expect(item.data).toEqual({ id: '1', secret: null });
    expect(item.errors.map((e) => [e.extensions.code, e.path])).toEqual([['UNAUTHORIZED_FIELD_OR_TYPE', ['product', 'secret']]]);
  });

  it('counts rate limits on deferred fields like any other (the second call is over the limit)', async () => {
    gate.open();
    const query = '{ product(id: "1") { name ... @defer { reorderAt } } }';
    // Counters are per gateway instance's store and per client (one IP here): each executor's gateway has its own.
    const first = await allParts(await post(gateway.url, { query }));
    expect((first[1].incremental as Array<{ data: unknown }>)[0].data).toEqual({ reorderAt: 3 });
    const second = await allParts(await post(gateway.url, { query }));
    expect(second[0]).toEqual({ data: { product: { name: 'Table' } }, hasNext: true });
    const [item] = second[1].incremental as Array<{ data: unknown; errors: Array<{ extensions: { code: string } }> }>;
    expect(item.data).toEqual({ reorderAt: null });
    expect(item.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('answers a client without multipart all at once, without an error (as Apollo Router)', async () => {
    gate.open();
    const reply = await postJson(gateway.url, { query: '{ product(id: "2") { name ... @defer { stock } } }' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('application/json');
    expect(reply.json).toEqual({ data: { product: { name: 'Chair', stock: 20 } } });
  });

  it('runs a mutation with @defer once, as a whole answer', async () => {
    const before = touched;
    const response = await post(gateway.url, { query: 'mutation { touch(id: "1") { name ... @defer { stock } } }' });
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ data: { touch: { name: 'Table', stock: 10 } } });
    expect(touched).toBe(before + 1);
  });

  it('survives a client that leaves mid-stream, and keeps serving', async () => {
    gate.close();
    const controller = new AbortController();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MULTIPART },
      body: JSON.stringify({ query: '{ products { name ... @defer { stock } } }' }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"hasNext":true');
    controller.abort();
    await reader.read().catch(() => undefined);
    gate.open();
    const parts = await allParts(await post(gateway.url, { query: '{ product(id: "1") { name ... @defer { stock } } }' }));
    expect(parts[1]).toEqual({ incremental: [{ data: { stock: 10 }, path: ['product'] }], hasNext: false });
  });
});
