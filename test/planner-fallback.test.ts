// `planner: hive` with its fallback (issue 11): what Hive's planner (0.0.38) cannot plan over the example graph is
// planned by @apollo/query-planner, built only on first need, logged once per plan at warn with the reason and
// `plannedBy`; `plannerFallback: false` keeps QUERY_PLANNING_FAILED. Real example subgraphs over HTTP.
import { join } from 'node:path';
import { composeFromRoverConfig } from '../src/compose/compose';
import { startExampleSubgraphs, type ExampleSubgraphs } from '../subgraphs';
import { postJson, startTestGateway } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
type LogLine = { level: number; msg: string; reason?: string; plannedBy?: string; operationName?: string };

let subgraphs: ExampleSubgraphs;
let apollo: Gateway;
let hive: Gateway;
let strict: Gateway;
const log: LogLine[] = [];

/** Hive 0.0.38: "Expected a single parent, but the FetchStep [n] has many" (a Product list behind a second hop). */
const WISHLIST = '{ users { id wishlist { upc name shippingEstimate } } }';

beforeAll(async () => {
  subgraphs = await startExampleSubgraphs();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, url] of Object.entries(subgraphs.urls)) env[`${name.toUpperCase()}_URL`] = url;
  const composed = await composeFromRoverConfig(join(__dirname, '..', 'rover.yaml'), env);
  if (!composed.ok) throw new Error(JSON.stringify(composed.errors));
  const common = { executor: 'tollgate', dedupe: { inbound: false } } as const;
  apollo = await startTestGateway(composed.supergraphSdl, { ...common, planner: 'apollo' });
  hive = await startTestGateway(composed.supergraphSdl, { ...common, planner: 'hive', logging: { level: 'info' } }, { logTo: { write: (line: string) => void log.push(JSON.parse(line) as LogLine) } });
  strict = await startTestGateway(composed.supergraphSdl, { ...common, planner: 'hive', plannerFallback: false });
});

afterAll(async () => {
  await Promise.all([apollo, hive, strict].map((g) => g?.close()));
  await subgraphs?.close();
});

const fallbacks = () => log.filter((l) => l.plannedBy === 'apollo');
const builds = () => log.filter((l) => l.msg.startsWith('built @apollo/query-planner'));

describe('planner: hive, plannerFallback on (the default)', () => {
  it('builds no Apollo planner while Hive plans everything', async () => {
    const reply = await postJson(hive.url, { query: '{ topProducts(first: 2) { name reviews { body } } }' });
    expect(reply.status).toBe(200);
    expect(reply.json?.errors).toBeUndefined();
    expect(builds()).toEqual([]);
    expect(fallbacks()).toEqual([]);
  });

  it('answers what Hive cannot plan as planner: apollo does, and logs the fallback once with its reason', async () => {
    const expected = await postJson(apollo.url, { query: `query Wishlist ${WISHLIST}` });
    expect(expected.json?.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const reply = await postJson(hive.url, { query: `query Wishlist ${WISHLIST}` });
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(expected.text);
    }
    // The plan is cached: one warn however often it is asked, and the planner was built once.
    expect(fallbacks()).toEqual([expect.objectContaining({ level: 40, operationName: 'Wishlist', reason: expect.stringContaining('Expected a single parent') })]);
    expect(builds()).toHaveLength(1);
  });

  it('many distinct failing operations at once: each answered right, one warn each, still one Apollo planner', async () => {
    const texts = Array.from({ length: 12 }, (_, i) => `{ users { id wishlist { upc name shippingEstimate } } n${i}: __typename }`);
    const before = fallbacks().length;
    // Every text twice, concurrently: the second waits for the first one's planning (one warn per text).
    const replies = await Promise.all([...texts, ...texts].map((query) => postJson(hive.url, { query })));
    const expected = await Promise.all(texts.map((query) => postJson(apollo.url, { query })));
    replies.forEach((reply, i) => expect(reply.text).toBe(expected[i % texts.length].text));
    expect(fallbacks().length - before).toBe(texts.length);
    expect(builds()).toHaveLength(1);
  });

  it('plans with Apollo an operation for which Hive would send a subgraph an operation its schema refuses', async () => {
    // A client alias `code` over `city`, beside the key `code` that Hive's entity fetch (manager) needs.
    const query = '{ facilities { code: city manager { username } } }';
    const before = fallbacks().length;
    const [expected, reply] = await Promise.all([postJson(apollo.url, { query }), postJson(hive.url, { query })]);
    expect(reply.text).toBe(expected.text);
    expect(fallbacks().slice(before)).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^a subgraph would refuse its operation: inventory: Fields "code" conflict/) })]);
    // Without the fallback, Hive's plan goes out and the subgraph refuses it.
    const refused = await postJson(strict.url, { query });
    expect(refused.text).not.toBe(expected.text);
  });
});

describe('planner: hive, plannerFallback: false', () => {
  it('answers what Hive cannot plan with QUERY_PLANNING_FAILED and data: null', async () => {
    const reply = await postJson(strict.url, { query: WISHLIST });
    expect(reply.json).toEqual({ data: null, errors: [expect.objectContaining({ message: expect.stringContaining('Expected a single parent'), extensions: { code: 'QUERY_PLANNING_FAILED' } })] });
  });
});
