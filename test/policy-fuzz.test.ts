// Generated attacks on the example gateway (issue 10): many random operations over the example supergraph — valid
// ones with aliases, fragments, inline fragments, directives and variables, and mutated or malformed ones — sent as
// an anonymous caller and as a signed-in user without scopes. Whatever is sent: never a 5xx, never a guarded
// field's value in a response, never more non-null values of a rate-limited field than its limit in one window.
// The oracle (test/fixtures/operationFuzzer.ts) reads the sent text itself, independently of Tollgate's walk.
//
// Fixed seed in CI; a longer run: TOLLGATE_FUZZ_RUNS=5000 TOLLGATE_FUZZ_SEED=$RANDOM npx jest test/policy-fuzz.test.ts
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema } from 'graphql';
import { startExampleGateway, type ExampleGateway } from './fixtures/exampleGateway';
import { findLeaks, generateRequest, randomSource, responseShapeOf, type FuzzRequest } from './fixtures/operationFuzzer';
import { http, postJson } from './harness';

const RUNS = Number(process.env.TOLLGATE_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.TOLLGATE_FUZZ_SEED ?? 20_261_128);

let example: ExampleGateway;
let schema: GraphQLSchema;

beforeAll(async () => {
  example = await startExampleGateway();
  const introspection = await postJson(example.gateway.url, { query: getIntrospectionQuery() });
  schema = buildClientSchema(introspection.json.data);
}, 60_000);

afterAll(() => example?.close());

interface Caller {
  name: string;
  headers: () => Promise<Record<string, string>>;
  /** Coordinates whose values this caller must never see (from the example subgraphs' directives). */
  guarded: ReadonlySet<string>;
  /** Calls per one-minute window, per rate-limited coordinate (tollgate.example.yaml and the subgraphs' @rateLimit). */
  limits: Readonly<Record<string, number>>;
}

const callers: Caller[] = [
  {
    name: 'anonymous',
    headers: async () => ({}),
    guarded: new Set(['Query.me', 'User.email', 'User.birthday', 'Product.costPrice']),
    limits: { 'Query.review': 10, 'Query.product': 120 },
  },
  {
    name: 'a user without scopes',
    headers: async () => ({ authorization: `Bearer ${await example.sign({ sub: '2' })}` }),
    guarded: new Set(['User.birthday', 'Product.costPrice']),
    limits: { 'Query.review': 60, 'Query.product': 120 },
  },
];

describe.each(callers)('generated operations as $name', (caller) => {
  it(`${RUNS} requests (seed ${SEED}): no 5xx, no guarded value, no limit exceeded`, async () => {
    const random = randomSource(SEED + caller.name.length);
    const headers = await caller.headers();
    const problems: string[] = [];
    const calls = new Map<string, number>(); // `${window} ${coordinate}` → non-null values seen
    let answeredWithData = 0;

    for (let i = 0; i < RUNS; i++) {
      const request = generateRequest(random, schema, i);
      if (request.prime) {
        const primed = await send(request.prime, headers);
        if (primed.status >= 500) problems.push(`${request.prime.label}: HTTP ${primed.status} ${primed.text.slice(0, 200)}`);
      }
      const windowBefore = Math.floor(Date.now() / 60_000);
      const reply = await send(request, headers);
      const window = Math.floor(Date.now() / 60_000);
      if (reply.status >= 500) problems.push(`${request.label}: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
      if (reply.json === undefined || typeof reply.json !== 'object') {
        problems.push(`${request.label}: not a JSON answer (HTTP ${reply.status}): ${reply.text.slice(0, 120)}`);
        continue;
      }
      const data = reply.json.data;
      if (data === undefined || data === null) continue;
      answeredWithData += 1;
      const sent = sentOperation(request);
      const shape = sent && responseShapeOf(schema, sent.query, sent.operationName);
      if (!shape) {
        problems.push(`${request.label}: data for a request that names no single operation: ${JSON.stringify(sent).slice(0, 200)}`);
        continue;
      }
      const seen: string[] = [];
      const leaks = findLeaks(data, shape, caller.guarded, (coordinate) => seen.push(coordinate));
      for (const leak of leaks) problems.push(`${request.label}: ${leak} — sent ${JSON.stringify(sent).slice(0, 300)}`);
      // A call decided in one window and answered in the next can't be placed: not counted (never a false alarm).
      if (window === windowBefore) {
        for (const coordinate of seen) if (coordinate in caller.limits) calls.set(`${window} ${coordinate}`, (calls.get(`${window} ${coordinate}`) ?? 0) + 1);
      }
    }

    for (const [key, count] of calls) {
      const coordinate = key.split(' ')[1];
      if (count > caller.limits[coordinate]) problems.push(`${coordinate}: ${count} values in one window, limit ${caller.limits[coordinate]}`);
    }
    expect(problems).toEqual([]);
    // The generator must reach execution often, or the test proves nothing.
    expect(answeredWithData).toBeGreaterThan(RUNS / 5);
  }, 300_000);
});

function send(request: FuzzRequest, headers: Record<string, string>) {
  if (request.search) {
    const url = `${example.gateway.url}?${new URLSearchParams(request.search).toString()}`;
    return http(url, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
  }
  return http(example.gateway.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: request.body });
}

/** The query and operation name the server must have taken from the request (JSON.parse: the last duplicate key wins). */
function sentOperation(request: FuzzRequest): { query: string; operationName: unknown } | undefined {
  try {
    const params = request.search ?? JSON.parse(request.body ?? '');
    return typeof params.query === 'string' ? { query: params.query, operationName: params.operationName } : undefined;
  } catch {
    return undefined;
  }
}
