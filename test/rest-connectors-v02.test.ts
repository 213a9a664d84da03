// Apollo Connectors v0.2 request and error features served as written, through the real gateway against a local
// REST server: the documented $batch example (one GET, ids as repeated query parameters), http.queryParams with a
// list, PUT/PATCH/DELETE with http.body, {$config…}/{$context…}/{$args…} in header values, errors
// { message, extensions } and isSuccess — and hostile values through each of those paths.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFromRoverConfig } from '../src/compose/compose';
import { postJson, startTestGateway, tempDir } from './harness';

const fixtures = join(__dirname, 'fixtures', 'connectors');

interface Call {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const PRODUCTS = [
  { id: '1', name: 'Lamp' },
  { id: '2', name: 'Desk' },
  { id: '3', name: 'Chair' },
];
const REVIEWS = [
  { id: 'r1', rating: 5, productId: '1' },
  { id: 'r2', rating: 3, productId: '3' },
  { id: 'r3', rating: 4, productId: '1' },
];
let orders: Record<string, { id: string; note: string; status: string }>;

let rest: Server;
const calls: Call[] = [];
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

function answer(call: Call): { status: number; body: unknown } {
  const url = new URL(call.url, 'http://local');
  const one = /^\/orders\/([^/]+)$/.exec(url.pathname);
  if (url.pathname === '/reviews') return { status: 200, body: REVIEWS };
  if (url.pathname === '/product') return { status: 200, body: PRODUCTS.filter((p) => url.searchParams.getAll('id').includes(p.id)).reverse() };
  if (url.pathname === '/orders') {
    const tags = url.searchParams.getAll('tag');
    const items = Object.values(orders).filter((o) => tags.length === 0 || tags.includes(o.status));
    return { status: 200, body: { items: items.slice(0, Number(url.searchParams.get('limit') ?? 100)) } };
  }
  if (url.pathname === '/locked') return { status: 200, body: { ok: false, error: { message: 'the account is locked', code: 'account_locked' } } };
  if (url.pathname === '/archive/old') return { status: 410, body: { id: 'old', note: 'archived', status: 'gone' } };
  if (one) {
    const id = decodeURIComponent(one[1]);
    const order = orders[id];
    if (!order) return { status: 404, body: { error: { message: `no order ${id}`, code: 'not_found' } } };
    if (call.method === 'DELETE') {
      delete orders[id];
      return { status: 200, body: { deleted: true } };
    }
    if (call.method === 'PUT' || call.method === 'PATCH') Object.assign(order, JSON.parse(call.body) as object);
    return { status: 200, body: order };
  }
  return { status: 404, body: { error: { message: 'x'.repeat(100_000), code: { forged: true } } } };
}

beforeAll(async () => {
  rest = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const call = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      calls.push(call);
      const reply = answer(call);
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', resolve));
  const restUrl = `http://127.0.0.1:${(rest.address() as AddressInfo).port}`;
  const dir = tempDir('tollgate-connectors-v02-');
  for (const name of ['batch', 'orders']) {
    const sdl = readFileSync(join(fixtures, `${name}.graphql`), 'utf8').replace('https://ecom.example.com', restUrl).replace('https://orders.example.com', restUrl);
    writeFileSync(join(dir, `${name}.graphql`), sdl);
  }
  const subgraph = (name: string) => [`  ${name}:`, `    routing_url: rest:${name}.graphql`, '    schema:', `      file: ./${name}.graphql`];
  writeFileSync(join(dir, 'rover.yaml'), ['subgraphs:', ...subgraph('batch'), ...subgraph('orders'), ''].join('\n'));
  const composed = await composeFromRoverConfig(join(dir, 'rover.yaml'), {});
  if (!composed.ok) throw new Error(JSON.stringify(composed.errors, null, 2));
  gateway = await startTestGateway(composed.supergraphSdl, {
    rest: { baseDir: dir, sources: { orders: { config: { region: 'eu-1' }, contextHeaders: ['x-tenant'] } } },
  });
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => rest?.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
  orders = {
    o1: { id: 'o1', note: 'first', status: 'open' },
    o2: { id: 'o2', note: 'second', status: 'shipped' },
    o3: { id: 'o3', note: 'third', status: 'open' },
  };
});

const gql = (query: string, headers: Record<string, string> = {}) => postJson(gateway.url, { query }, headers);
const codes = (json: { errors?: Array<{ extensions: { code: string } }> }) => (json.errors ?? []).map((e) => e.extensions.code);

it('the documented $batch example: every product of every review in one GET, ids as repeated parameters, matched by key', async () => {
  const reply = await gql('{ reviews { id rating product { id name } } }');
  expect(reply.json).toEqual({
    data: {
      reviews: [
        { id: 'r1', rating: 5, product: { id: '1', name: 'Lamp' } },
        { id: 'r2', rating: 3, product: { id: '3', name: 'Chair' } },
        { id: 'r3', rating: 4, product: { id: '1', name: 'Lamp' } },
      ],
    },
  });
  expect(calls.map((c) => c.url)).toEqual(['/reviews', '/product?id=1&id=3']);
});

it('http.queryParams: a list argument is a repeated parameter, a null one is left out; {$config} and {$context} reach headers', async () => {
  const reply = await gql('{ orders(tags: ["open", "shipped"], limit: 2) { id } }', { 'x-tenant': 't-7' });
  expect(reply.json).toEqual({ data: { orders: [{ id: 'o1' }, { id: 'o2' }] } });
  expect(calls[0].url).toBe('/orders?tag=open&tag=shipped&limit=2');
  expect(calls[0].headers).toMatchObject({ 'x-region': 'eu-1', 'x-tenant': 't-7' });
  calls.length = 0;
  await gql('{ orders { id } }');
  expect(calls[0].url).toBe('/orders');
});

it('PUT, PATCH and DELETE with http.body, end to end', async () => {
  const put = await gql('mutation { updateOrder(id: "o1", note: "wrap it") { id note status } }');
  expect(put.json).toEqual({ data: { updateOrder: { id: 'o1', note: 'wrap it', status: 'open' } } });
  const patch = await gql('mutation { setStatus(id: "o1", status: "shipped", reason: "paid") { status } }');
  expect(patch.json).toEqual({ data: { setStatus: { status: 'shipped' } } });
  const del = await gql('mutation { cancelOrder(id: "o2") }');
  expect(del.json).toEqual({ data: { cancelOrder: true } });
  expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
    ['PUT', '/orders/o1', '{"note":"wrap it"}'],
    ['PATCH', '/orders/o1', '{"status":"shipped"}'],
    ['DELETE', '/orders/o2', ''],
  ]);
  expect(calls[1].headers['x-reason']).toBe('paid');
  expect(orders).toEqual({ o1: { id: 'o1', note: 'wrap it', status: 'shipped' }, o3: { id: 'o3', note: 'third', status: 'open' } });
});

it('errors { message, extensions: "code: …" } and isSuccess: a 404 body and a 200 error envelope become coded errors', async () => {
  const missing = await gql('{ order(id: "o9") { id } }');
  expect(missing.json.data).toEqual({ order: null });
  expect(missing.json.errors[0]).toMatchObject({ message: expect.stringContaining('no order o9'), extensions: { code: 'REST_NOT_FOUND', upstreamStatus: 404, upstreamCode: 'not_found' } });

  const locked = await gql('{ locked { id } }');
  expect(locked.json.data).toEqual({ locked: null });
  expect(locked.json.errors[0].extensions).toMatchObject({ code: 'REST_UPSTREAM_ERROR', upstreamStatus: 200, upstreamMessage: 'the account is locked', upstreamCode: 'account_locked' });

  // A connector's own isSuccess replaces the source's: this API answers 410 with the data.
  const archived = await gql('{ archived(id: "old") { id note status } }');
  expect(archived.json).toEqual({ data: { archived: { id: 'old', note: 'archived', status: 'gone' } } });
});

it('hostile values through the new paths stay data or are refused without a call', async () => {
  // Query parameters: structure characters and traversal are encoded; a CR/LF is refused before any call.
  await gql('{ orders(tags: ["../admin", "a&tag=b#x"]) { id } }');
  expect(calls.map((c) => c.url)).toEqual(['/orders?tag=..%2Fadmin&tag=a%26tag%3Db%23x']);
  calls.length = 0;
  const crlf = await gql('{ orders(tags: ["a\\r\\nX-Injected: 1"]) { id } }');
  expect(codes(crlf.json)).toEqual(['REST_MAPPING_ERROR']);
  // A header value built from an argument: CR/LF is refused, never a second header.
  const header = await gql('mutation { setStatus(id: "o1", status: "x", reason: "ok\\r\\nX-Injected: 1") { status } }');
  expect(codes(header.json)).toEqual(['REST_MAPPING_ERROR']);
  // A path segment "..": refused, no call.
  const dots = await gql('mutation { cancelOrder(id: "..") }');
  expect(codes(dots.json)).toEqual(['REST_MAPPING_ERROR']);
  expect(calls).toEqual([]);
  // A client header the source does not list in contextHeaders is not visible to {$context…}.
  await gql('{ orders { id } }', { 'x-tenant': 'ok', 'x-other': 'secret' });
  expect(calls[0].headers['x-tenant']).toBe('ok');
  expect(calls[0].headers['x-other']).toBeUndefined();
  calls.length = 0;
  // A huge error body with a forged (non-string) code: bounded, and the error stays the gateway's.
  const huge = await gql('{ archived(id: "x/y") { id } }');
  expect(huge.json.data).toEqual({ archived: null });
  expect(calls.map((c) => c.url)).toEqual(['/archive/x%2Fy']);
  const extensions = huge.json.errors[0].extensions;
  expect(extensions).toMatchObject({ code: 'REST_NOT_FOUND', upstreamStatus: 404, upstreamCode: '{"forged":true}' });
  expect(extensions.upstreamMessage.length).toBeLessThanOrEqual(501);
});
