// A hostile subgraph over real HTTP: 200,000 errors, bodies over traffic.maxResponseSize (announced or endless),
// while a probe to a healthy subgraph must keep answering and the event loop must not stall. Also: a forwarded
// claim crafted to collide with another caller's subgraph-fetch dedupe key must not get that caller's answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { eventually, postJson, startTestGateway } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
type Respond = (res: ServerResponse, entities: number[], req: IncomingMessage) => void;

const JOIN_QUERY = '{ products { id name stock } }';
const JWT_SECRET = 'hostile-subgraph-test-secret-0123456789';

/** A `stock` subgraph that answers honestly (stock = id × 10) unless a test gives it `respond`. */
async function startHostileStock() {
  const state: { respond?: Respond; seen: IncomingMessage[]; url: string; close(): Promise<void> } = { seen: [], url: '', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.seen.push(req);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { representations?: Array<{ id: string }> } };
      const ids = (body.variables?.representations ?? []).map((r) => Number(r.id));
      if (state.respond) return state.respond(res, ids, req);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { _entities: ids.map((id) => ({ stock: id * 10 })) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

function entitiesJson(ids: number[]): string {
  return JSON.stringify(ids.map((id) => ({ stock: id * 10 })));
}

/** 200,000 errors: about 9 MB of valid JSON, under the default size cap. */
function manyErrorsBody(ids: number[], count = 200_000): string {
  return `{"data":{"_entities":${entitiesJson(ids)}},"errors":[${new Array<string>(count).fill('{"message":"boom","extensions":{"code":"HOSTILE"}}').join(',')}]}`;
}

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let stock: Awaited<ReturnType<typeof startHostileStock>>;
let gateway: Gateway;

beforeAll(async () => {
  graph = await startMiniGraph();
  stock = await startHostileStock();
  const supergraph = composeMiniGraph(graph.catalog.url, stock.url);
  gateway = await startTestGateway(supergraph, {
    traffic: { subgraphs: { stock: { maxResponseSize: '256kb' } }, all: { maxResponseSize: '32mb' } },
  });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([stock?.close(), graph?.close()]);
});

beforeEach(() => {
  stock.respond = undefined;
  stock.seen.length = 0;
});

async function expectServing() {
  stock.respond = undefined;
  const reply = await postJson(gateway.url, { query: JOIN_QUERY });
  expect(reply.status).toBe(200);
  expect(reply.json).toEqual({ data: { products: [{ id: '1', name: 'Table', stock: 10 }, { id: '2', name: 'Chair', stock: 20 }] } });
}

describe('a subgraph answering 200,000 errors', () => {
  it('gives the client its data, the first 100 errors and one counting the rest, while other requests are answered (no stall: the probe overtakes it)', async () => {
    // ~9 MB is over the shared gateway's 256kb for stock: this one keeps the defaults (16 MB, 100 errors).
    const supergraph = composeMiniGraph(graph.catalog.url, stock.url);
    const roomy = await startTestGateway(supergraph);
    try {
      // Streamed in pieces, so the probe below runs while the hostile answer is still arriving.
      let streamed!: () => void;
      const streaming = new Promise<void>((resolve) => (streamed = resolve));
      stock.respond = (res, ids) => {
        const body = Buffer.from(manyErrorsBody(ids));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        const pieces = 8;
        const size = Math.ceil(body.length / pieces);
        let i = 0;
        const next = () => {
          if (i === 1) streamed();
          if (i === pieces) return void res.end();
          res.write(body.subarray(i * size, (i + 1) * size));
          i++;
          setTimeout(next, 50);
        };
        next();
      };
      const order: string[] = [];
      const hostile = postJson(roomy.url, { query: JOIN_QUERY }).then((reply) => (order.push('hostile'), reply));
      await streaming;
      const probe = await postJson(roomy.url, { query: '{ echo(text: "probe") }' });
      order.push('probe');
      const reply = await hostile;

      expect(probe.status).toBe(200);
      expect(probe.json).toEqual({ data: { echo: 'probe' } });
      expect(order).toEqual(['probe', 'hostile']);

      expect(reply.status).toBe(200);
      expect(reply.json.data).toEqual({ products: [{ id: '1', name: 'Table', stock: 10 }, { id: '2', name: 'Chair', stock: 20 }] });
      expect(reply.json.errors).toHaveLength(101);
      expect(reply.json.errors[0]).toMatchObject({ message: 'boom', extensions: { code: 'HOSTILE', serviceName: 'stock' } });
      const last = reply.json.errors[100];
      expect(last.extensions).toMatchObject({ code: 'SUBGRAPH_BAD_RESPONSE', subgraph: 'stock', droppedErrors: 199_900, maxErrorsPerResponse: 100 });
      expect(last.message).toContain('traffic.maxErrorsPerResponse');
      expect(last.path).toEqual(['products', '@']);
    } finally {
      await roomy.close();
    }
  });
});

describe('a subgraph answering more than traffic.maxResponseSize', () => {
  it('announced by Content-Length: SUBGRAPH_BAD_RESPONSE naming the cap, and the gateway keeps serving', async () => {
    stock.respond = (res, ids) => {
      const body = `{"data":{"_entities":${entitiesJson(ids)},"pad":"${'x'.repeat(1024 * 1024)}"}}`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const reply = await postJson(gateway.url, { query: JOIN_QUERY });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({ products: [{ id: '1', name: 'Table', stock: null }, { id: '2', name: 'Chair', stock: null }] });
    expect(reply.json.errors).toHaveLength(1);
    expect(reply.json.errors[0]).toMatchObject({
      message: 'Subgraph "stock" answered with a body larger than traffic.maxResponseSize (262144 bytes)',
      extensions: { code: 'SUBGRAPH_BAD_RESPONSE', subgraph: 'stock', serviceName: 'stock', maxResponseSize: 262_144 },
      path: ['products', '@'],
    });
    await expectServing();
  });

  it('streamed without end: reading stops at the cap and the connection is dropped', async () => {
    let written = 0;
    let closed!: () => void;
    const dropped = new Promise<void>((resolve) => (closed = resolve));
    stock.respond = (res, ids) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"data":{"_entities":${entitiesJson(ids)},"pad":"`);
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => closed());
      pump();
    };
    const reply = await postJson(gateway.url, { query: JOIN_QUERY });
    expect(reply.status).toBe(200);
    expect(reply.json.data.products[0]).toEqual({ id: '1', name: 'Table', stock: null });
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_BAD_RESPONSE', maxResponseSize: 262_144 });
    expect(reply.json.errors[0].message).toContain('traffic.maxResponseSize');
    await dropped;
    // Socket buffers hold a few MB at most; without the cap the old client read up to 64 MB.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    await expectServing();
  });

  it('a body that is valid JSON but not an object where the gateway merges one → SUBGRAPH_BAD_RESPONSE', async () => {
    stock.respond = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { _entities: ['x'.repeat(50_000), 'y'] } }));
    };
    const reply = await postJson(gateway.url, { query: JOIN_QUERY });
    expect(reply.status).toBe(200);
    expect(reply.json.data.products[1]).toEqual({ id: '2', name: 'Chair', stock: null });
    expect(reply.json.errors).toHaveLength(1);
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_BAD_RESPONSE', subgraph: 'stock' });
    await expectServing();
  });
});

describe('the subgraph-fetch dedupe key', () => {
  it('does not let a claim holding a newline join another caller\'s fetch', async () => {
    const supergraph = composeMiniGraph(graph.catalog.url, stock.url);
    const authed = await startTestGateway(supergraph, {
      authentication: { jwt: { secret: JWT_SECRET, algorithms: ['HS256'] }, forwardClaims: { sub: 'x-user-id', tenant: 'x-tenant' } },
    });
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(Buffer.from(JWT_SECRET));
    try {
      // The victim's answer is theirs alone (1000 warehouses); it is held until both requests are in.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      stock.respond = (res, _ids, req) => {
        const mine = req.headers['x-user-id'] === 'victim' && req.headers['x-tenant'] === 'acme';
        void held.then(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: { warehouseCount: mine ? 1000 : 1 } }));
        });
      };
      const query = '{ warehouseCount }';
      const victimToken = await sign({ sub: 'victim', tenant: 'acme' });
      // Old key: `…\nx-user-id:victim\nx-tenant:acme\n\n<body>` for both.
      const attackerToken = await sign({ sub: 'victim\nx-tenant:acme' });
      const victim = postJson(authed.url, { query }, { authorization: `Bearer ${victimToken}` });
      await eventually(() => stock.seen.length === 1);
      const attacker = postJson(authed.url, { query }, { authorization: `Bearer ${attackerToken}` });
      // Let the attacker's fetch start: it fails on its own (a newline can't be sent in a header), or it would join.
      await Promise.race([attacker, new Promise((resolve) => setTimeout(resolve, 100))]);
      release();
      const [victimReply, attackerReply] = await Promise.all([victim, attacker]);
      expect(victimReply.json).toEqual({ data: { warehouseCount: 1000 } });
      expect(attackerReply.status).toBe(200);
      expect(attackerReply.json.data?.warehouseCount).not.toBe(1000);
      expect(attackerReply.json.errors[0].extensions.code).toMatch(/^SUBGRAPH_/);
    } finally {
      await authed.close();
    }
  });
});
