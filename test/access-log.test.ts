// The access log over real HTTP: one JSON line per request with the request id, client, operation name and
// hash, status, duration, outcome and errors by subgraph; the level from config; and no token, API key or
// configured secret header anywhere in the output, even at debug level where request headers are logged.
import { SignJWT } from 'jose';
import { sha256Hex } from '../src/identity/apiKeys';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { postJson, startTestGateway } from './harness';

const JWT_SECRET = 'access-log-test-secret-0123456789abcdef';
const API_KEY = 'access-log-api-key-0123456789';
const TENANT_SECRET = 'tenant-secret-value-42';

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let stockProxy: FaultProxy;
let supergraph: string;

/** Collects log lines as the gateway writes them. */
function logSink() {
  const lines: string[] = [];
  return {
    lines,
    write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)),
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    access: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.log === 'access'),
  };
}

beforeAll(async () => {
  graph = await startMiniGraph();
  stockProxy = await startFaultProxy(graph.stock.url);
  supergraph = composeMiniGraph(graph.catalog.url, stockProxy.url);
});

afterAll(async () => {
  await stockProxy?.close();
  await graph?.close();
});

describe('at debug level, with credentials in play', () => {
  const sink = logSink();
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let token: string;

  beforeAll(async () => {
    gateway = await startTestGateway(
      supergraph,
      {
        logging: { level: 'debug', redactHeaders: ['x-tenant-secret'] },
        authentication: {
          jwt: { secret: JWT_SECRET, algorithms: ['HS256'], header: 'x-auth-token', prefix: '' },
          apiKeys: { header: 'x-partner-key', keys: [{ client: 'partner', key: API_KEY, plan: 'pro' }] },
        },
        headers: { all: [{ propagate: { named: 'x-tenant-secret' } }, { propagate: { named: 'x-auth-token' } }] },
        dedupe: { inbound: false },
      },
      { logTo: sink },
    );
    token = await new SignJWT({ sub: 'u1', azp: 'webapp', plan: 'free' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(Buffer.from(JWT_SECRET));
  });

  afterAll(() => gateway?.close());

  it('writes one access line per request with who, what, how it went and how long it took', async () => {
    const query = 'query Products { products { id name stock } }';
    await postJson(gateway.url, { query }, { 'x-auth-token': token, 'x-tenant-secret': TENANT_SECRET, 'x-request-id': 'log-1' });
    const [line] = sink.access().filter((l) => l.requestId === 'log-1');
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      service: 'tollgate',
      requestId: 'log-1',
      client: 'webapp',
      plan: 'free',
      operationName: 'Products',
      operationType: 'query',
      operationHash: sha256Hex(query),
      status: 200,
      outcome: 'success',
    });
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs as number).toBeGreaterThan(0);
    expect(sink.access().filter((l) => l.requestId === 'log-1')).toHaveLength(1);
  });

  it('names the subgraph behind each error, and the code of a rejection', async () => {
    stockProxy.mode = { kind: 'hang-up' };
    try {
      await postJson(gateway.url, { query: '{ products { id stock } }' }, { 'x-partner-key': API_KEY, 'x-request-id': 'log-2' });
    } finally {
      stockProxy.mode = { kind: 'pass' };
    }
    await postJson(gateway.url, { query: '{ products { id } }' }, { 'x-auth-token': 'not.a.token', 'x-request-id': 'log-3' });
    const byId = new Map(sink.access().map((l) => [l.requestId, l]));
    expect(byId.get('log-2')).toMatchObject({ client: 'partner', plan: 'pro', outcome: 'partial', errors: { stock: 1 }, errorCodes: { SUBGRAPH_UNAVAILABLE: 1 } });
    expect(byId.get('log-3')).toMatchObject({ client: 'anonymous', status: 401, outcome: 'rejected', rejectionCode: 'UNAUTHENTICATED' });
  });

  it('logs request headers at debug level with tokens, API keys and configured headers redacted', async () => {
    await postJson(gateway.url, { query: '{ warehouseCount }' }, { 'x-partner-key': API_KEY, 'x-tenant-secret': TENANT_SECRET, cookie: `session=${token}`, 'x-request-id': 'log-4' });
    const [line] = sink.access().filter((l) => l.requestId === 'log-4');
    expect(line.headers).toMatchObject({ 'x-partner-key': '[redacted]', 'x-tenant-secret': '[redacted]', cookie: '[redacted]', 'x-request-id': 'log-4' });
    const everything = sink.lines.join('\n');
    for (const secret of [token, API_KEY, TENANT_SECRET, JWT_SECRET]) expect(everything).not.toContain(secret);
  });
});

it('follows logging.level and logging.accessLog', async () => {
  const quiet = logSink();
  const off = logSink();
  const warn = await startTestGateway(supergraph, { logging: { level: 'warn' } }, { logTo: quiet });
  const disabled = await startTestGateway(supergraph, { logging: { level: 'info', accessLog: false } }, { logTo: off });
  try {
    await postJson(warn.url, { query: '{ warehouseCount }' });
    await postJson(disabled.url, { query: '{ warehouseCount }' });
    expect(quiet.access()).toHaveLength(0);
    expect(off.access()).toHaveLength(0);
    expect(off.parsed().some((l) => l.msg === 'tollgate is serving')).toBe(true);
  } finally {
    await Promise.all([warn.close(), disabled.close()]);
  }
});
