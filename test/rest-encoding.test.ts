// Hostile argument values through the real gateway to a REST service on 127.0.0.1 that records each raw request line
// (req.url, verbatim): a value is one path segment or one query value whatever it holds, and the service decodes it
// back exactly; values no encoding makes safe ("", ".", "..", control characters) are REST_MAPPING_ERROR with no call.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { composeFromRoverConfig } from '../src/compose/compose';
import type { TollgateConfigInput } from '../src/config/schema';
import { postJson, startTestGateway, tempDir } from './harness';

const DESCRIPTION = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key"])
  @link(url: "https://specs.tollgate.dev/rest/v0.1", import: ["@restSource", "@rest"])
  @restSource(name: "rec", baseURL: "BASE_URL/base", retry: { maxRetries: 0 })

type Query {
  item(id: ID!, q: String): Item @rest(source: "rec", http: { GET: "/items/{$args.id}/detail?q={$args.q}&v=1" }, selection: "id")
}

type Item {
  id: ID
  related: Item @rest(source: "rec", http: { GET: "/items/{$this.id}/related" }, selection: "id")
}
`;

/** The raw request lines the service received. */
const received: string[] = [];
let service: Server;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let unsendableHeaderGateway: Awaited<ReturnType<typeof startTestGateway>>;

/** Answers {"id": <the 4th path segment, decoded>}: what the service understood the id to be. */
function answer(rawUrl: string): string {
  const segment = rawUrl.split('?')[0].split('/')[3];
  try {
    return JSON.stringify({ id: segment === undefined ? null : decodeURIComponent(segment) });
  } catch {
    return JSON.stringify({ id: null });
  }
}

async function startGatewayFor(baseUrl: string, config: TollgateConfigInput = {}) {
  const dir = tempDir('tollgate-rest-encoding-');
  writeFileSync(join(dir, 'rec.graphql'), DESCRIPTION.replace('BASE_URL', baseUrl));
  writeFileSync(join(dir, 'rover.yaml'), ['subgraphs:', '  rec:', '    routing_url: rest:rec.graphql', '    schema:', '      file: ./rec.graphql', ''].join('\n'));
  const composed = await composeFromRoverConfig(join(dir, 'rover.yaml'), {});
  if (!composed.ok) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return startTestGateway(composed.supergraphSdl, { ...config, rest: { baseDir: dir } });
}

beforeAll(async () => {
  service = createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer(req.url ?? ''));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  gateway = await startGatewayFor(baseUrl);
  // An operator's header rule whose value could split the request: refused at every call, never sent.
  unsendableHeaderGateway = await startGatewayFor(baseUrl, { headers: { subgraphs: { rec: [{ insert: { name: 'x-note', value: 'a\r\nx-injected: 1' } }] } } });
});

afterAll(async () => {
  await gateway?.close();
  await unsendableHeaderGateway?.close();
  service.closeAllConnections();
  await new Promise<void>((resolve) => service.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
});

const ask = (variables: Record<string, unknown>, url = gateway.url) =>
  postJson(url, { query: 'query($id: ID!, $q: String) { item(id: $id, q: $q) { id related { id } } }', variables });

/** Only RFC 3986 unreserved characters and %XX. */
const ENCODED = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+$/;

/** Asserts a recorded request line is `/base/items/<one segment>/<last>[?query]` and returns the segment and query. */
function structureOf(line: string, last: string): { segment: string; query: string | undefined } {
  expect(line).not.toContain('#');
  const [path, query, ...more] = line.split('?');
  expect(more).toEqual([]);
  const segments = path.split('/');
  expect(segments).toHaveLength(5);
  expect(segments.slice(0, 3)).toEqual(['', 'base', 'items']);
  expect(segments[4]).toBe(last);
  expect(segments[3]).toMatch(ENCODED);
  // A service that parses with WHATWG URL (new URL(req.url, base)) sees the same path: nothing to resolve.
  expect(new URL(line, 'http://service.invalid').pathname).toBe(path);
  return { segment: segments[3], query };
}

const SENT = [
  'S1', '/', 'a/b', '../admin', '..%2F..%2F', '%2e', '%2E%2E', '.%2e', '%2F', '?', '?x=1', '#', '#frag', '\\', '..\\..',
  '...', '.a', 'a..', ' ', '+', '&v=2', '=', ';', "'", '(*)!', '@', ':', 'http://evil.example/', 'Malmö', '日本', '😀', '%', '%00',
];

// Each table is one test, so it fails if any value breaks the rule ("'" and "(*)!", which encodeURIComponent kept,
// fail the strict encoding check on the old code); a failure prints the recorded line.
describe('hostile arguments keep the template\'s structure', () => {
  it('a path argument stays one segment, and the service decodes it back exactly', async () => {
    for (const value of SENT) {
      received.length = 0;
      const reply = await ask({ id: value });
      expect(reply.json).toEqual({ data: { item: { id: value, related: { id: value } } } });
      expect(received).toHaveLength(2);
      const detail = structureOf(received[0], 'detail');
      expect(decodeURIComponent(detail.segment)).toBe(value);
      expect(detail.query).toBe('v=1');
      // The related call's {$this.id} is the value the service answered: the same value, the same segment.
      const related = structureOf(received[1], 'related');
      expect(related.segment).toBe(detail.segment);
      expect(related.query).toBeUndefined();
    }
  });

  it('a query argument stays one query value, an empty one included', async () => {
    for (const value of ['', ...SENT]) {
      received.length = 0;
      const reply = await ask({ id: 'x', q: value });
      expect(reply.json.errors).toBeUndefined();
      const { segment, query } = structureOf(received[0], 'detail');
      expect(segment).toBe('x');
      const pairs = (query ?? '').split('&');
      expect(pairs).toHaveLength(2);
      expect(pairs[1]).toBe('v=1');
      expect(pairs[0].slice(0, 2)).toBe('q=');
      expect(pairs[0].slice(2)).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
      expect(new URLSearchParams(query).get('q')).toBe(value);
    }
  });
});

describe('values no encoding makes safe are refused before any call', () => {
  it.each([
    ['an empty id (the collection)', { id: '' }, 'is empty'],
    ['"." (the collection)', { id: '.' }, 'dot segment'],
    ['".." (one level up)', { id: '..' }, 'dot segment'],
    ['a newline in the id', { id: 'a\nb' }, 'control character (U+000A)'],
    ['CR LF in the id', { id: 'a\r\nGET /admin HTTP/1.1' }, 'control character (U+000D)'],
    ['NUL in the id', { id: 'a\u0000' }, 'control character (U+0000)'],
    ['DEL in the id', { id: '\u007f' }, 'control character (U+007F)'],
    ['a lone surrogate in the id', { id: '\uD800' }, 'not well-formed Unicode'],
    ['a newline in a query value', { id: 'x', q: 'a\nb' }, 'control character (U+000A)'],
  ])('%s', async (_, variables, why) => {
    const reply = await ask(variables);
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({ item: null });
    expect(reply.json.errors).toHaveLength(1);
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_MAPPING_ERROR', source: 'rec', connector: 'Query.item' });
    expect(reply.json.errors[0].extensions.detail).toContain(why);
    expect(received).toEqual([]);
  });

  it('a header value with CR LF', async () => {
    const reply = await ask({ id: 'x' }, unsendableHeaderGateway.url);
    expect(reply.json.data).toEqual({ item: null });
    expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_MAPPING_ERROR', detail: expect.stringContaining('header "x-note"') });
    expect(received).toEqual([]);
  });
});
