// Hostile input against the example gateway (tollgate.example.yaml over the example subgraphs): the reproductions
// of issue 10 — a policy bypass through a cache-key collision, client errors that were 500s, log amplification,
// bodies that held a socket for minutes, and a 413 an uploading client could not read. Real HTTP and raw sockets.
import { connect, type Socket } from 'node:net';
import type { RunningGateway } from '../src/gateway';
import { startExampleGateway, type ExampleGateway } from './fixtures/exampleGateway';
import { http, postJson, windowClock } from './harness';

let example: ExampleGateway;
let gateway: RunningGateway;
// The policy stage's clock: the rate-limit case moves it to a minute's start instead of waiting for one.
const clock = windowClock(60_000);
const logLines: string[] = [];

beforeAll(async () => {
  example = await startExampleGateway({
    // Short deadlines so the slow-client cases end quickly; everything else as the example ships it.
    tweak: (config) => {
      config.server.bodyTimeout = 500;
      config.server.headersTimeout = 1_000;
    },
    logTo: { write: (line: string) => void logLines.push(line) },
    now: clock.now,
  });
  gateway = example.gateway;
}, 60_000);

afterAll(() => example?.close());

const codeOf = (reply: { json: { errors?: Array<{ extensions?: { code?: string } }> } }) => reply.json?.errors?.[0]?.extensions?.code;
const get = (params: Record<string, string>) =>
  http(`${gateway.url}?${new URLSearchParams(params).toString()}`, { headers: { 'apollo-require-preflight': 'true' } });

describe('an operation name cannot make a cached analysis stand for another query (issue 10, item 1)', () => {
  const guarded = '{ topProducts(first: 2) { name costPrice } } #';

  it('keeps @policy fields guarded after the cache was primed with the colliding name (POST)', async () => {
    const primed = await postJson(gateway.url, { query: '{ __typename }', operationName: guarded });
    expect(primed.status).toBe(400);
    expect(codeOf(primed)).toBe('OPERATION_RESOLUTION_FAILURE');
    const attack = await postJson(gateway.url, { query: `${guarded}\u0000{ __typename }` });
    expect(attack.status).toBe(200);
    expect(attack.json.data.topProducts.map((p: { costPrice: unknown }) => p.costPrice)).toEqual([null, null]);
    expect(codeOf(attack)).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('and over GET with %00', async () => {
    await get({ query: '{ __typename }', operationName: guarded });
    const attack = await get({ query: `${guarded}\u0000{ __typename }` });
    expect(attack.status).toBe(200);
    expect(attack.json.data.topProducts.every((p: { costPrice: unknown }) => p.costPrice === null)).toBe(true);
  });

  it('keeps the alias limit', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ');
    const name = `{ ${aliases} } #`;
    await postJson(gateway.url, { query: '{ __typename }', operationName: name });
    const attack = await postJson(gateway.url, { query: `${name}\u0000{ __typename }` });
    expect(attack.status).toBe(400);
    expect(codeOf(attack)).toBe('MAX_ALIASES_LIMIT');
  });

  it('keeps a rate-limited field within its limit (Query.review: 10 a minute for anonymous callers)', async () => {
    const name = '{ review(id: "1") { id } } #';
    clock.toNextWindow(60_000);
    let served = 0;
    for (let i = 0; i < 14; i++) {
      await postJson(gateway.url, { query: '{ __typename }', operationName: name });
      const attack = await postJson(gateway.url, { query: `${name}\u0000{ __typename }` });
      if (attack.json?.data?.review) served += 1;
    }
    expect(served).toBeLessThanOrEqual(10);
  });
});

describe('client mistakes are 4xx with a code, never a 500 (issue 10, item 6)', () => {
  const cases: Array<[string, unknown, number, string]> = [
    ['an unknown operationName', { query: 'query A { __typename }', operationName: 'B' }, 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['two named operations and no name', { query: 'query A { __typename } query B { __typename }' }, 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['a document with only a fragment', { query: 'fragment F on Query { __typename }' }, 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['a subscription', { query: 'subscription { __typename }' }, 400, 'SUBSCRIPTION_NOT_SUPPORTED'],
    ['variables nested 5,000 deep', `{"query":"{ __typename }","variables":${nested('{"a":', '{}', '}', 5_000)}}`, 400, 'BAD_REQUEST'],
    ['extensions nested 5,000 deep', `{"query":"{ __typename }","extensions":${nested('{"a":', '{}', '}', 5_000)}}`, 400, 'BAD_REQUEST'],
    ['variables with an array nested 5,000 deep', `{"query":"{ __typename }","variables":{"v":${nested('[', '[]', ']', 5_000)}}}`, 400, 'BAD_REQUEST'],
    ['a 900 KB operationName', { query: '{ __typename }', operationName: 'x'.repeat(900_000) }, 400, 'OPERATION_NAME_TOO_LONG'],
  ];

  it.each(cases)('%s', async (_name, body, status, code) => {
    const reply = await postJson(gateway.url, body);
    expect(reply.status).toBe(status);
    expect(codeOf(reply)).toBe(code);
    expect(reply.text.length).toBeLessThan(4_096);
  });

  it('treats operationName "" as no name: the only operation runs', async () => {
    const reply = await postJson(gateway.url, { query: '{ __typename }', operationName: '' });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: { __typename: 'Query' } });
  });

  it('runs the named operation of several, and only that one is judged and executed', async () => {
    const reply = await postJson(gateway.url, { query: 'query A { topProducts(first: 1) { costPrice } } query B { __typename }', operationName: 'B' });
    expect(reply.json).toEqual({ data: { __typename: 'Query' } });
    const other = await postJson(gateway.url, { query: 'query A { topProducts(first: 1) { costPrice } } query B { __typename }', operationName: 'A' });
    expect(other.json.data).toEqual({ topProducts: [{ costPrice: null }] });
  });

  it('bounds echoed names in parse and validation errors', async () => {
    const long = 'f'.repeat(200_000);
    const parse = await postJson(gateway.url, { query: `{ ${long}( }` });
    expect(parse.status).toBe(400);
    expect(parse.text.length).toBeLessThan(4_096);
    const validation = await postJson(gateway.url, { query: `{ ${long} }` });
    expect(validation.status).toBe(400);
    expect(codeOf(validation)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(validation.text.length).toBeLessThan(4_096);
  });
});

describe('log amplification (issue 10, item 4)', () => {
  it('never writes a client string whole into the log', async () => {
    const before = logLines.length;
    for (let i = 0; i < 20; i++) await postJson(gateway.url, { query: '{ __typename }', operationName: 'y'.repeat(900_000) });
    const written = logLines.slice(before).join('');
    expect(logLines.length).toBeGreaterThan(before); // the access log did record the requests
    expect(written.length).toBeLessThan(20 * 4_096);
  });
});

describe('slow and oversized bodies (issue 10, item 7)', () => {
  it('answers 408 REQUEST_TIMEOUT when the body does not arrive (Content-Length promises more than is sent)', async () => {
    const socket = await open(gateway);
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":`);
    const answer = await readAll(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"REQUEST_TIMEOUT"');
  });

  it('closes a connection whose headers never finish (slowloris) with a 408', async () => {
    const socket = await open(gateway);
    socket.write('POST /graphql HTTP/1.1\r\nhost: x\r\n');
    const answer = await readAll(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('lets a client that uploads its whole oversized body before reading read the 413 (no reset)', async () => {
    const socket = await open(gateway);
    socket.pause(); // read nothing until the upload is done, like a client that writes first and reads after
    const size = 7 * 1024 * 1024;
    let writeError: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => (writeError ??= error.code));
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < size && !writeError; sent += chunk.length) {
      if (!socket.write(chunk)) await new Promise((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
    }
    // Everything written has reached the kernel; a reset would now fail the read below or set writeError.
    await new Promise((resolve) => socket.write(Buffer.alloc(0), resolve));
    const text = await readAll(socket);
    expect(writeError).toBeUndefined();
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"PAYLOAD_TOO_LARGE"');
  });

  it('answers a fetch() upload over the limit with 413, not a reset', async () => {
    const reply = await http(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query":"${' '.repeat(3 * 1024 * 1024)}"}` });
    expect(reply.status).toBe(413);
    expect(codeOf(reply)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('still serves after all of the above', async () => {
    const reply = await postJson(gateway.url, { query: '{ topProducts(first: 1) { name } }' });
    expect(reply.json).toEqual({ data: { topProducts: [{ name: 'Table' }] } });
  });
});

/** JSON text nested `depth` deep (written as text: JSON.stringify itself overflows on such values). */
function nested(open: string, inner: string, close: string, depth: number): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
}

function open(running: RunningGateway): Promise<Socket> {
  const { hostname, port } = new URL(running.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or resets it after sending). */
function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.resume();
    socket.on('data', (data: Buffer) => (text += data.toString('latin1')));
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
  });
}
