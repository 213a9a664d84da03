// Federation correctness where the planners differ (issue 11): small real subgraphs (test/fixtures/plannerGraph.ts)
// behind Apollo's executor and Tollgate's with each planner. `planner: hive` must give the right answers; what
// @apollo/query-planner 2.14 does is recorded as expected-wrong (both executors run its plan, so both are wrong
// alike), so a planner upgrade that fixes it shows up here.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { eventually, postJson, startTestGateway, type HttpReply } from './harness';
import { startPlannerGraph, type PlannerGraph } from './fixtures/plannerGraph';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
let graph: PlannerGraph;
let apolloExecutor: Gateway;
let apolloPlanner: Gateway;
let hivePlanner: Gateway;

beforeAll(async () => {
  graph = await startPlannerGraph();
  apolloExecutor = await startTestGateway(graph.supergraphSdl, { executor: 'apollo', dedupe: { inbound: false } });
  apolloPlanner = await startTestGateway(graph.supergraphSdl, { executor: 'tollgate', planner: 'apollo', dedupe: { inbound: false } });
  hivePlanner = await startTestGateway(graph.supergraphSdl, { executor: 'tollgate', planner: 'hive', dedupe: { inbound: false } });
});

afterAll(async () => {
  await Promise.all([apolloExecutor, apolloPlanner, hivePlanner].map((g) => g?.close()));
  await graph?.close();
});

/** The answer with `planner: hive`, and the one @apollo/query-planner's plan gives (the same from both executors). */
async function ask(query: string, variables?: Record<string, unknown>): Promise<{ hive: HttpReply; apollo: unknown }> {
  const [hive, viaApollo, viaTollgate] = await Promise.all([hivePlanner, apolloExecutor, apolloPlanner].map((g) => postJson(g.url, { query, variables })));
  expect(viaTollgate.json).toEqual(viaApollo.json);
  return { hive, apollo: viaApollo.json };
}

describe('@requires on a field with arguments', () => {
  it('a field requiring `comments(limit: 3)` beside the client\'s `comments(limit: 1)`: each gets its own argument', async () => {
    const { hive, apollo } = await ask('{ posts { title comments(limit: 1) { id } thirdAuthor } }');
    expect(hive.json).toEqual({ data: { posts: [{ title: 'Hello', comments: [{ id: 'c1' }], thirdAuthor: 'a3' }] } });
    // Expected-wrong: Apollo's plan sends the client's `comments(limit: 1)` as the required `comments(limit: 3)`.
    expect(apollo).toEqual({
      data: { posts: [{ title: 'Hello', comments: [{ id: 'c1' }], thirdAuthor: null }] },
      errors: [expect.objectContaining({ message: 'thirdAuthor needs 3 comments, got 1', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'shipping' } })],
    });
  });

  it('an estimate computed from the USD price while the client asks for the EUR one', async () => {
    const { hive, apollo } = await ask('query ($c: String!) { products { name price(currency: $c) estimate } }', { c: 'EUR' });
    expect(hive.json).toEqual({
      data: {
        products: [
          { name: 'Chair', price: 20, estimate: 20 },
          { name: 'Desk', price: 60, estimate: 150 },
        ],
      },
    });
    // Expected-wrong: the estimate comes out of the EUR price.
    expect(apollo).toEqual({
      data: {
        products: [
          { name: 'Chair', price: 20, estimate: 40 },
          { name: 'Desk', price: 60, estimate: 300 },
        ],
      },
    });
  });

  it('the required field under an alias and without the client asking for it', async () => {
    const { hive } = await ask('{ products { e: estimate p: price(currency: "USD") } posts { a: thirdAuthor } }');
    expect(hive.json).toEqual({
      data: {
        products: [
          { e: 20, p: 10 },
          { e: 150, p: 30 },
        ],
        posts: [{ a: 'a3' }],
      },
    });
  });
});

describe('keys marked resolvable: false', () => {
  it('a @requires hop back into the subgraph uses the one key it can resolve', async () => {
    const { hive, apollo } = await ask('{ b { id a { id name nameInB } } }');
    expect(hive.json).toEqual({ data: { b: { id: 'b1', a: [{ id: '1', name: 'a.1', nameInB: 'b.a.nameInB a.1' }] } } });
    // Expected-wrong: Apollo fetches through `compositeId { one two }`, which that subgraph marks resolvable: false.
    expect(apollo).toEqual({
      data: { b: null },
      errors: [expect.objectContaining({ message: expect.stringContaining('other resolves A by "id compositeId { two three }" only'), path: ['b', 'a', '@', '_entities'] })],
    });
  });
});

describe('a non-resolvable @interfaceObject', () => {
  it('a field only it has, under a non-null root field: data null and an error, not a silent null', async () => {
    const { hive, apollo } = await ask('{ node { label } }');
    expect(hive.json).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'QUERY_PLANNING_FAILED' } })] });
    expect(hive.status).toBe(200);
    // Expected-wrong: Apollo plans nothing and answers a silent null (only a value-completion note, no error).
    expect(apollo).toEqual({ data: null, extensions: { valueCompletion: [expect.objectContaining({ message: 'Cannot return null for non-nullable field Query.node.' })] } });
  });

  it('the @interfaceObject root field itself resolves', async () => {
    const { hive, apollo } = await ask('{ extra { id label } }');
    expect(hive.json).toEqual({ data: { extra: { id: 'n1', label: 'foo' } } });
    expect(apollo).toEqual(hive.json);
  });
});

// Authorization-filtered operations run under both planners in test/executor-differential.test.ts (generated cases).
describe('planner: hive behind the other stages', () => {
  it('the limits stage still refuses first; introspection beside data is answered in-process', async () => {
    const guarded = await startTestGateway(graph.supergraphSdl, {
      executor: 'tollgate',
      planner: 'hive',
      server: { introspection: true },
      limits: { maxAliases: 1 },
    });
    try {
      const tooMany = await postJson(guarded.url, { query: '{ a: products { name } b: products { name } }' });
      expect(tooMany.json.errors[0].extensions.code).toBe('MAX_ALIASES_LIMIT');
      const mixed = await postJson(guarded.url, { query: '{ __type(name: "Post") { name } posts { thirdAuthor } }' });
      expect(mixed.json).toEqual({ data: { __type: { name: 'Post' }, posts: [{ thirdAuthor: 'a3' }] } });
    } finally {
      await guarded.close();
    }
  });
});

describe('plan cache', () => {
  // One planning per operation is InflightDeduper's (src/execute/inflight.ts); whether the requests overlap the
  // planning here depends on timing, so this checks the answers and that planning happened at most once per request.
  it('concurrent requests for one new operation (planned off the event loop) all get the answer', async () => {
    const exporter = new InMemorySpanExporter();
    const traced = await startTestGateway(graph.supergraphSdl, { executor: 'tollgate', planner: 'hive', dedupe: { inbound: false }, tracing: { enabled: true } }, { spanExporter: exporter });
    try {
      const query = '{ posts { id thirdAuthor } }';
      const replies = await Promise.all(Array.from({ length: 12 }, () => postJson(traced.url, { query })));
      for (const reply of replies) expect(reply.json).toEqual({ data: { posts: [{ id: 'p1', thirdAuthor: 'a3' }] } });
      await eventually(() => exporter.getFinishedSpans().filter((s) => s.name === 'gateway.request').length === 12, 5_000);
      const plans = exporter.getFinishedSpans().filter((s) => s.name === 'gateway.plan').length;
      expect(plans).toBeGreaterThanOrEqual(1);
      expect(plans).toBeLessThanOrEqual(12);
    } finally {
      await traced.close();
    }
  });
});

describe('hostile input', () => {
  it('a client alias named __proto__ is answered as Apollo answers it, and pollutes no prototype', async () => {
    const query = '{ __proto__: b { id a { __proto__: name id } } extra { __proto__: label } posts { __proto__: comments(limit: 2) { id } } }';
    const [hive, viaApollo, viaTollgate] = await Promise.all([hivePlanner, apolloExecutor, apolloPlanner].map((g) => postJson(g.url, { query })));
    expect(({} as Record<string, unknown>).id).toBeUndefined();
    expect(({} as Record<string, unknown>).name).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(viaApollo.text).toContain('"__proto__":{"id":"b1"');
    expect(viaTollgate.text).toBe(viaApollo.text);
    expect(JSON.parse(hive.text).data.extra).toEqual(JSON.parse(viaApollo.text).data.extra);
    expect(JSON.parse(hive.text).data.posts).toEqual(JSON.parse(viaApollo.text).data.posts);
  });
});

describe('configuration', () => {
  it('planner: hive with executor: apollo is refused at load with a clear message', async () => {
    await expect(startTestGateway(graph.supergraphSdl, { executor: 'apollo', planner: 'hive' })).rejects.toThrow(/planner: hive` needs `executor: tollgate`/);
  });
});
