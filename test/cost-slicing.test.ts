// Issue 10, item 2 over real HTTP: a negative slicing argument must not cancel another field's cost. The a/b alias
// query is refused in enforce mode (COST_QUERY_PARSE_FAILURE, no subgraph called), and in measure mode it is
// charged and reconciled, so 300 of them drain a budget sized for 300 — with the memory store and with Redis.
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { LIBRARY_SDL, startLibrary } from './fixtures/limitsGraph';
import { compose, postJson, startTestGateway, windowClock } from './harness';
import { startRedis, type TestRedis } from './redisServer';

const BOOK = 'title author { name } publisher { name address { zipCode } }';
/** `a` alone: 100 books × 8 = 800. Before the fix `b` subtracted the same 800: an estimate of 0, never charged. */
const ALIASES = { query: `{ a: newestAdditions(limit: 100) { ${BOOK} } b: newestAdditions(limit: -100) { ${BOOK} } }` };
const VIA_VARIABLES = {
  query: `query ($a: Int!, $b: Int!) { a: newestAdditions(limit: $a) { ${BOOK} } b: newestAdditions(limit: $b) { ${BOOK} } }`,
  variables: { a: 100, b: -100 },
};
const REQUESTS = 300;
/** What the a/b query really costs (b returns no books), and its estimate once `b` is sized as if absent (10 × 8). */
const ACTUAL = 800;
const ESTIMATED = 800 + 80;

let library: Awaited<ReturnType<typeof startLibrary>>;
let proxy: FaultProxy;
let redis: TestRedis;
let supergraph: string;

beforeAll(async () => {
  [library, redis] = await Promise.all([startLibrary(), startRedis()]);
  proxy = await startFaultProxy(library.server.url);
  supergraph = compose([{ name: 'library', url: proxy.url, sdl: LIBRARY_SDL }]);
});

afterAll(async () => {
  await proxy?.close();
  await library?.server.close();
  await redis?.stop();
});


describe('enforce mode', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway(supergraph, { cost: { all: { max: 5000, budget: { max: 100_000, window: '1h' } } } });
  });
  afterAll(() => gateway?.close());

  it.each([
    ['literals', ALIASES],
    ['variables', VIA_VARIABLES],
  ])('refuses the a/b alias query (%s) with 400 COST_QUERY_PARSE_FAILURE, calling no subgraph', async (_, body) => {
    proxy.seen.length = 0;
    const reply = await postJson(gateway.url, { ...body, extensions: { cost: true } });
    expect(reply.status).toBe(400);
    expect(reply.json.errors).toEqual([
      {
        message: "The operation's cost cannot be estimated: Query.newestAdditions: slicing argument limit must be a whole number from 0 to 2147483647, got -100.",
        extensions: { code: 'COST_QUERY_PARSE_FAILURE' },
      },
    ]);
    expect(reply.json.extensions).toEqual({ cost: { estimated: ESTIMATED, max: 5000 } });
    expect(proxy.seen).toHaveLength(0);
    // A size of 0 is a size: the same operation is served.
    const zero = await postJson(gateway.url, { ...VIA_VARIABLES, variables: { a: 100, b: 0 }, extensions: { cost: true } });
    expect(zero.status).toBe(200);
    expect(zero.json.extensions.cost).toMatchObject({ estimated: ACTUAL, actual: ACTUAL });
  });
});

describe.each([
  ['memory', {}],
  ['redis', { kind: 'redis', redis: { keyPrefix: 'cost-slicing:', commandTimeout: '5s' } }],
])('measure mode, %s store', (kind, store) => {
  // Starts at the hour's start: the 300 requests stay in one budget window however long they take.
  const clock = windowClock(3_600_000);
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    const storeConfig = kind === 'redis' ? { ...store, redis: { ...(store as { redis: object }).redis, url: redis.url } } : store;
    gateway = await startTestGateway(supergraph, {
      store: storeConfig,
      // Room for exactly 300 of them (the last charge of 880 must fit before it is reconciled to 800).
      cost: { mode: 'measure', extensions: 'always', all: { budget: { max: REQUESTS * ACTUAL + (ESTIMATED - ACTUAL), window: '1h' } } },
    }, { now: clock.now });
  });
  afterAll(() => gateway?.close());

  it(`charges and reconciles every a/b query: ${REQUESTS} of them drain the budget`, async () => {
    const remaining: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const reply = await postJson(gateway.url, i % 2 === 0 ? ALIASES : VIA_VARIABLES);
      expect(reply.status).toBe(200);
      expect(reply.json.data.a).toHaveLength(100);
      expect(reply.json.extensions.cost).toMatchObject({ estimated: ESTIMATED, actual: ACTUAL });
      remaining.push(reply.json.extensions.cost.budget.remaining);
    }
    // Each request costs its actual 800: the budget goes down by that much every time, to what the last charge left.
    expect(remaining.slice(0, 3)).toEqual([REQUESTS * ACTUAL + 80 - ACTUAL, REQUESTS * ACTUAL + 80 - 2 * ACTUAL, REQUESTS * ACTUAL + 80 - 3 * ACTUAL]);
    expect(remaining[REQUESTS - 1]).toBe(80);
  }, 90_000);
});
