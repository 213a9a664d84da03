// Differential test of the executors (issue 11): the example subgraphs behind three gateways over the same
// supergraph, `executor: apollo` (@apollo/server + @apollo/gateway) and `executor: tollgate` (src/execute/plan/)
// with each planner (`planner: apollo`, @apollo/query-planner; `planner: hive`, Hive Router's Rust planner).
// Every operation goes to Apollo's and to each of Tollgate's: `data` must be byte-identical
// (JSON.stringify of the parsed body, so key order counts), errors equivalent (message, path, extensions.code,
// compared as a sorted list: see `errorsOf`), and the HTTP status equal.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { composeFromRoverConfig } from '../src/compose/compose';
import { startExampleSubgraphs, type ExampleSubgraphs } from '../subgraphs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, validate } from 'graphql';
import { serveSubgraph, type SubgraphServer } from '../subgraphs/lib/serveSubgraph';
import { generateOperation, randomSource } from './fixtures/operationFuzzer';
import { compose, postJson, startTestGateway, type HttpReply } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
interface Operation {
  label: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  accept?: string;
  extensions?: Record<string, unknown>;
}

const benchmark = JSON.parse(readFileSync('/work/shared/bench-fixtures/request.json', 'utf8')) as { query: string; operationName: string };

/** Lifted from test/example-graph.test.ts and the README, plus cases written for the executor. */
const OPERATIONS: Operation[] = [
  { label: 'benchmark query', query: benchmark.query, operationName: benchmark.operationName },
  { label: 'README: federated products', query: '{ topProducts(first: 2) { upc name price inStock shippingEstimate reviews { id author { name } } } }' },
  { label: 'README: override', query: '{ topProducts(first: 2) { upc name inStock reviews { id } } }' },
  { label: 'README: guarded fields', query: '{ me { username email birthday } topProducts(first: 1) { name costPrice } }' },
  { label: 'README: REST fields', query: '{ topProducts(first: 2) { name price listPrice { amount currency } supplier { name country } reviews { id } } }' },
  { label: 'README: named operation', query: 'query HomePage { topProducts { name price } }', operationName: 'HomePage' },
  { label: 'README: margins', query: 'query Margins { topProducts(first: 2) { name price costPrice } }' },
  { label: 'users with emails', query: '{ users { id email } }' },
  { label: 'aliases', query: '{ a: topProducts(first: 1) { n: name u: upc } b: topProducts(first: 3) { name weight w2: weight } }' },
  { label: 'same field twice with sub-selections', query: '{ topProducts { name reviews { id } } topProducts { reviews { body author { username } } } }' },
  {
    label: 'named fragments and nested inline fragments',
    query: 'fragment P on Product { upc ... on Product { name } } query Q { topProducts { ...P ... { price } ...on Product { __typename inStock } } }',
  },
  { label: '__typename everywhere', query: '{ __typename topProducts(first: 2) { __typename t: __typename reviews { __typename author { __typename } } } }' },
  { label: '@requires shippingEstimate', query: '{ topProducts { upc shippingEstimate } }' },
  { label: '@requires without the required fields selected', query: '{ topProducts(first: 3) { name shippingEstimate inStock } }' },
  { label: '@provides reviews.author.username', query: '{ review(id: "1") { body author { username } } }' },
  { label: '@provides and a non-provided field', query: '{ review(id: "2") { author { username name } } }' },
  { label: 'lists of entities', query: '{ users { id username reviews { id product { upc name price reviews { id } } } } }' },
  { label: 'wishlist: non-null list of entities', query: '{ users { id wishlist { upc name shippingEstimate } } }' },
  {
    label: 'client alias over the key the next entity fetch needs',
    query: '{ topProducts { reviews { id: product { sku: weight inStock sku1: sku ... on Product { shippingEstimate: listPrice { __typename } } } } } }',
  },
  {
    label: 'interface fragments on Facility',
    query: '{ facilities { __typename region code name ... on Warehouse { capacity } ... on Store { openingHours } manager { username } } }',
  },
  { label: '@interfaceObject field through the interface', query: '{ facility(region: "eu", code: "ams-1") { name city manager { id name } } }' },
  { label: 'stock levels: non-null nested entities', query: '{ topProducts { upc stock { quantity location { code name ... on Store { city } } } } }' },
  {
    label: '@skip/@include with variables',
    query: 'query S($yes: Boolean!, $no: Boolean!) { topProducts { name @include(if: $yes) price @skip(if: $yes) reviews @include(if: $no) { id } inStock @skip(if: $no) } }',
    variables: { yes: true, no: false },
  },
  {
    label: '@skip/@include on fragments and entity fields',
    query: 'query S($a: Boolean = true) { topProducts { ... on Product @include(if: $a) { shippingEstimate } ...F @skip(if: $a) } } fragment F on Product { weight }',
  },
  {
    label: 'conditional entity fetch flipped',
    query: 'query S($a: Boolean!) { topProducts { name reviews @include(if: $a) { author { name } } } }',
    variables: { a: false },
  },
  { label: 'argument variables', query: 'query V($n: Int, $u: String!) { topProducts(first: $n) { name } product(upc: $u) { name price } }', variables: { n: 2, u: '2' } },
  { label: 'unknown entity: null', query: '{ product(upc: "no-such-upc") { name reviews { id } } user(id: "999") { name } }' },
  { label: 'REST supplier', query: '{ supplier(id: "1") { id name country contact { email } } }' },
  { label: 'REST not found (a REST error with a path)', query: '{ supplier(id: "no-such-supplier") { id name } }' },
  { label: 'REST product by SKU joined to products', query: '{ productBySku(sku: "TABLE-1") { sku listPrice { amount } name upc } }' },
  { label: 'introspection', query: '{ __schema { queryType { name } types { name kind } } }' },
  { label: 'introspection of one type', query: '{ __type(name: "Facility") { name kind possibleTypes { name } fields { name type { name kind ofType { name } } } } }' },
  { label: 'introspection mixed with data', query: '{ __type(name: "Product") { name } topProducts(first: 1) { name } }' },
  { label: 'root __typename only', query: '{ __typename }' },
  { label: 'validation error', query: '{ topProducts { nope } }' },
  { label: 'validation error: unknown argument', query: '{ topProducts(last: 1) { name } }' },
  { label: 'accept: graphql-response+json', query: '{ topProducts(first: 1) { name } }', accept: 'application/graphql-response+json' },
  { label: 'accept: graphql-response+json, validation error', query: '{ nope }', accept: 'application/graphql-response+json' },
  { label: 'accept: both, JSON preferred', query: '{ topProducts(first: 1) { upc } }', accept: 'application/json, application/graphql-response+json;q=0.9' },
  {
    label: 'APQ extension alongside the query',
    query: '{ topProducts(first: 1) { name } }',
    extensions: { persistedQuery: { version: 1, sha256Hash: 'f4d2b0cf3a1c9d0e77a1b6f5e4c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5' } },
  },
  { label: 'variables for an operation without any', query: '{ topProducts(first: 1) { name } }', variables: { unused: 1 } },
  {
    label: 'several operations, one named',
    query: 'query A { topProducts(first: 1) { name } } query B { users { id username } }',
    operationName: 'B',
  },
  { label: '@defer: not in the API schema, a validation error from both', query: '{ topProducts(first: 2) { name ... @defer { price shippingEstimate } } }' },
  { label: 'mutation through a REST subgraph', query: 'mutation { requestQuote(sku: "FURN-TABLE-01", quantity: 2) { sku quantity total { amount currency } } }' },
  { label: 'bad variable value', query: 'query V($n: Int) { topProducts(first: $n) { name } }', variables: { n: 'two' } },
];

let subgraphs: ExampleSubgraphs;
let apollo: Gateway;
let tollgate: Gateway;
let hive: Gateway;
let supergraphSdl: string;
/** `planner: hive`'s log (warn and up): each fallback to @apollo/query-planner is one line. */
const hiveLog: Array<{ msg?: string; reason?: string; plannedBy?: string }> = [];

beforeAll(async () => {
  subgraphs = await startExampleSubgraphs();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, url] of Object.entries(subgraphs.urls)) env[`${name.toUpperCase()}_URL`] = url;
  Object.assign(process.env, env);
  const composed = await composeFromRoverConfig(join(__dirname, '..', 'rover.yaml'), env);
  if (!composed.ok) throw new Error(JSON.stringify(composed.errors));
  supergraphSdl = composed.supergraphSdl;
  // Inbound dedupe off: each request must really run on its gateway.
  apollo = await startTestGateway(supergraphSdl, { executor: 'apollo', dedupe: { inbound: false } });
  tollgate = await startTestGateway(supergraphSdl, { executor: 'tollgate', planner: 'apollo', dedupe: { inbound: false } });
  // plannerFallback is on by default: what Hive cannot plan is planned by @apollo/query-planner, and logged.
  hive = await startTestGateway(
    supergraphSdl,
    { executor: 'tollgate', planner: 'hive', dedupe: { inbound: false }, logging: { level: 'warn' } },
    { logTo: { write: (line: string) => void hiveLog.push(JSON.parse(line) as (typeof hiveLog)[number]) } },
  );
});

afterAll(async () => {
  await apollo?.close();
  await tollgate?.close();
  await hive?.close();
  await subgraphs?.close();
});

/**
 * Errors as a sorted list of (message, path, code): order among fetch errors depends on which fetch lands first.
 * INTERNAL_SERVER_ERROR messages are left out: they describe a failure inside each implementation. The one seen
 * (seed 16): a client alias shadowing a field the planner fetches under the same name (`id: wishlist` beside the
 * `id` key) breaks the merged tree; @apollo/gateway then fails with "value.flatMap is not a function", Tollgate
 * with "Invalid non-list value … at plan path …" — both a 500 without data.
 */
function errorsOf(reply: HttpReply): string[] {
  const errors = (reply.json?.errors ?? []) as Array<{ message: string; path?: unknown[]; extensions?: { code?: string } }>;
  return errors
    .map((e) => JSON.stringify([e.extensions?.code === 'INTERNAL_SERVER_ERROR' ? '(internal)' : e.message, e.path ?? null, e.extensions?.code ?? null]))
    .sort();
}

async function post(gateway: Gateway, operation: Operation): Promise<HttpReply> {
  const body = { query: operation.query, variables: operation.variables, operationName: operation.operationName, extensions: operation.extensions };
  return postJson(gateway.url, body, operation.accept ? { accept: operation.accept } : {});
}

async function both(operation: Operation, pair: [Gateway, Gateway] = [apollo, tollgate]): Promise<[HttpReply, HttpReply]> {
  return Promise.all([post(pair[0], operation), post(pair[1], operation)]);
}

/**
 * Operations Hive Router's planner (0.0.38) cannot plan although @apollo/query-planner plans them right; with
 * `plannerFallback` (the default) Tollgate plans them with Apollo's planner, answers as Apollo does, and logs why
 * (asserted, so a fixed planner shows up here). The example graph's Product has keys `upc` and `sku` across five
 * subgraphs; Hive fails with "Expected a single parent, but the FetchStep [n] has many" where a Product list is
 * reached through a second entity hop. test/planner-fallback.test.ts has `plannerFallback: false`.
 */
const HIVE_FALLS_BACK: Record<string, string> = {
  'wishlist: non-null list of entities': 'Expected a single parent, but the FetchStep',
  // Found with DIFF_SEED=5: Hive fetches `sku: weight` as an internal alias beside the key `sku`, then renames it onto
  // `sku`, so the pricing fetch would get the weight as the key (subgraphOperationCheck.ts, renameCollision).
  'client alias over the key the next entity fetch needs': 'an output rewrite renames "_internal_qp_alias_0" to "sku"',
};

/**
 * Generated operations (seed 11) Hive's planner (0.0.38) gets wrong, each with the reason logged for its fallback:
 * it refuses to plan (the Product-keys failure above, or "Failed to build a plan", e.g. for a root field under
 * `@include(if: false)`), or it plans a subgraph operation the subgraph's schema refuses, where a client alias
 * collides with a field it needs (`code: city` beside the key `code`; a `reviews` alias over another field). Before
 * the fallback these were answered otherwise than Apollo (QUERY_PLANNING_FAILED, or the subgraph's refusal).
 */
const HIVE_GENERATED_FALLBACKS: Record<string, string> = {
  'generated #4': 'Expected a single parent, but the FetchStep',
  'generated #21 (invalid)': 'must have a selection of subfields',
  'generated #25': 'Expected a single parent, but the FetchStep',
  'generated #33': 'Expected a single parent, but the FetchStep',
  'generated #39': 'Expected a single parent, but the FetchStep',
  'generated #47': 'Expected a single parent, but the FetchStep',
  'generated #52': 'Expected a single parent, but the FetchStep',
  'generated #56': 'failed to build plan: Failed to build a plan',
  'generated #77': 'failed to build plan: Failed to build a plan',
  'generated #78': 'Expected a single parent, but the FetchStep',
  'generated #89': 'Expected a single parent, but the FetchStep',
  'generated #99': 'Expected a single parent, but the FetchStep',
  'generated #102': 'are different fields. Use different aliases',
  'generated #111': 'failed to build plan: Failed to build a plan',
};

/** The fallback reasons `planner: hive` logged while `send` ran (requests are sent one at a time per gateway). */
async function fallbacksDuring<T>(send: () => Promise<T>): Promise<[T, string[]]> {
  const before = hiveLog.length;
  const result = await send();
  const reasons = hiveLog.slice(before).filter((line) => line.plannedBy === 'apollo').map((line) => line.reason ?? '');
  return [result, reasons];
}

/**
 * Sends the operation once to Apollo's executor and once to Tollgate's under each planner, and requires the same
 * answer from all three (`trio` for another graph: [apollo executor, tollgate + apollo planner, tollgate + hive]).
 */
async function expectSameAnswer(operation: Operation, trio: [Gateway, Gateway, Gateway] = [apollo, tollgate, hive]): Promise<void> {
  const [[a, t, h], fallbacks] = await fallbacksDuring(() => Promise.all(trio.map((g) => post(g, operation))));
  expectSameReply(operation, a, t);
  expectSameReply(operation, a, h);
  if (trio[2] !== hive) return;
  const why = HIVE_FALLS_BACK[operation.label];
  expect({ label: operation.label, fallbacks: fallbacks.length }).toEqual({ label: operation.label, fallbacks: why ? 1 : 0 });
  if (why) expect(fallbacks[0]).toContain(why);
}

function expectSameReply(operation: Operation, a: HttpReply, t: HttpReply): void {
  expect({ label: operation.label, status: t.status }).toEqual({ label: operation.label, status: a.status });
  expect(JSON.stringify(t.json?.data)).toBe(JSON.stringify(a.json?.data));
  expect(errorsOf(t)).toEqual(errorsOf(a));
  expect(JSON.stringify(t.json?.extensions)).toBe(JSON.stringify(a.json?.extensions));
  expect(headersOf(t)).toEqual(headersOf(a));
}

/** Response headers but the per-request ones. */
function headersOf(reply: HttpReply): Array<[string, string]> {
  // `ratelimit-reset` counts seconds to the window's end from when each gateway answered: like `date`, the clock's.
  return [...reply.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id').map(([name, value]) => [name, name === 'ratelimit-reset' ? '(seconds)' : value]);
}

describe('hand-written and lifted operations', () => {
  it.each(OPERATIONS.map((o) => [o.label, o] as const))('%s', async (_label, operation) => {
    await expectSameAnswer(operation);
  });

  it('answers the benchmark query with the expected JSON', async () => {
    const expected = readFileSync(join(__dirname, '..', 'bench', 'fixtures', 'expected.json'), 'utf8');
    const [, t] = await both({ label: 'benchmark', query: benchmark.query, operationName: benchmark.operationName });
    expect(JSON.stringify(t.json)).toBe(JSON.stringify(JSON.parse(expected)));
  });
});

describe('generated operations (seeded)', () => {
  const cases: Operation[] = [];
  beforeAll(() => {
    const schema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
    // DIFF_SEED=n explores other seeds; 11 is the one CI runs.
    const random = randomSource(Number(process.env.DIFF_SEED ?? 11));
    // 100 operations that validate (so they are planned and executed), plus the first 20 that don't.
    let valid = 0;
    let invalid = 0;
    while (valid < 100) {
      const built = generateOperation(random, schema);
      // Mutations ask the pricing service for a quote whose timestamps differ call to call.
      if (built.text.startsWith('mutation')) continue;
      const ok = validate(schema, parse(built.text)).length === 0;
      if (ok) valid += 1;
      else if (invalid++ >= 20) continue;
      cases.push({ label: `generated #${cases.length}${ok ? '' : ' (invalid)'}`, query: built.text, variables: built.variables });
    }
  });

  it('answers 100 generated valid operations and 20 invalid ones alike, under each planner', async () => {
    const mismatches: Record<string, string[]> = { apollo: [], hive: [] };
    const fellBack: Record<string, string> = {};
    for (const operation of cases) {
      const [[a, t, h], fallbacks] = await fallbacksDuring(() => Promise.all([apollo, tollgate, hive].map((g) => post(g, operation))));
      if (fallbacks.length > 0) fellBack[operation.label] = fallbacks.join('; ');
      for (const [planner, reply] of [['apollo', t], ['hive', h]] as const) {
        const same =
          a.status === reply.status &&
          JSON.stringify(a.json?.data) === JSON.stringify(reply.json?.data) &&
          JSON.stringify(errorsOf(a)) === JSON.stringify(errorsOf(reply));
        if (!same) mismatches[planner].push(`${operation.label}: ${operation.query} ${JSON.stringify(operation.variables)}\napollo ${a.status} ${a.text}\ntollgate (${planner}) ${reply.status} ${reply.text}`);
      }
    }
    // DIFF_DUMP=file writes the mismatches and fallbacks in full (to record them for another seed or planner version).
    if (process.env.DIFF_DUMP) writeFileSync(process.env.DIFF_DUMP, [...mismatches.apollo, ...mismatches.hive, JSON.stringify(fellBack, null, 2)].join('\n=====\n'));
    expect(mismatches.apollo).toEqual([]);
    // With the fallback, Hive's planner answers as Apollo's does. Seeds 1–10 were tried: every Hive mismatch left
    // is one where Apollo's plan is the wrong one (seed 6 #87: @apollo/query-planner sends accounts an invalid
    // operation, `id__alias_0` over two fields; seed 9 #57: a client alias `weight: upc` answered as an invalid
    // Int), so on another seed a mismatch here must be read before it is called a Tollgate bug.
    expect(mismatches.hive).toEqual([]);
    // Which operations fell back, and why, is recorded for seed 11 (the one CI runs): exactly these.
    if (process.env.DIFF_SEED === undefined || process.env.DIFF_SEED === '11') {
      expect(Object.keys(fellBack)).toEqual(Object.keys(HIVE_GENERATED_FALLBACKS));
      for (const [label, reasons] of Object.entries(fellBack)) expect(reasons).toContain(HIVE_GENERATED_FALLBACKS[label]);
    }
  });
});

describe('an entity fetch failure (inventory stopped)', () => {
  beforeAll(async () => {
    await subgraphs.servers.inventory.close();
  });

  it.each([
    ['entity fields from the stopped subgraph', '{ topProducts { name inStock shippingEstimate } }'],
    ['root field of the stopped subgraph', '{ facilities { code name } topProducts(first: 1) { name } }'],
    ['non-null list from the stopped subgraph', '{ topProducts(first: 2) { upc stock { quantity } } }'],
  ])('%s', async (label, query) => {
    await expectSameAnswer({ label, query });
  });
});

/**
 * Nulls where the schema forbids them. A subgraph enforces non-null on its own fields, so these arrive only through
 * entity fetches: `details` answers null for entity 2 (no error), so `Item.detail: String!` is missing there, and
 * Apollo reports "Cannot return null …" in `extensions.valueCompletion` (only when no fetch failed) while the null
 * propagates to the nearest nullable parent. `rating` fails for entity 1, which `items` lists twice: Tollgate sends
 * that representation once and must still report one error per occurrence, at each client path.
 */
describe('null propagation and entity errors (a two-subgraph graph)', () => {
  const SHOP_SDL = `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { items: [Item!]! maybeItems: [Item] one: Item! nested: Box }
    type Box { inner: [[Item!]]! label: String }
    type Item @key(fields: "id") { id: ID! name: String! }
  `;
  const DETAILS_SDL = `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Item @key(fields: "id") { id: ID! detail: String! rating: Int tags: [String!]! }
  `;
  const item = (id: string) => ({ id, name: `item ${id}` });
  let shop: SubgraphServer;
  let details: SubgraphServer;
  let trio: [Gateway, Gateway, Gateway];
  let sdl: string;

  beforeAll(async () => {
    shop = await serveSubgraph({
      name: 'shop',
      schema: buildSubgraphSchema({
        typeDefs: parse(SHOP_SDL),
        resolvers: {
          Query: {
            items: () => ['1', '2', '1', '3'].map(item),
            maybeItems: () => ['1', '2', '3'].map(item),
            one: () => item('2'),
            nested: () => ({ label: 'box', inner: [[item('1'), item('3')], [item('2')], null] }),
          },
        },
      }),
    });
    details = await serveSubgraph({
      name: 'details',
      schema: buildSubgraphSchema({
        typeDefs: parse(DETAILS_SDL),
        resolvers: {
          Item: {
            __resolveReference: (ref: { id: string }) => (ref.id === '2' ? null : { id: ref.id, detail: `detail ${ref.id}`, tags: ['a'] }),
            rating: (parent: { id: string }) => {
              if (parent.id === '1') throw new Error('no rating for item 1');
              return 5;
            },
          },
        },
      }),
    });
    sdl = compose([
      { name: 'shop', url: shop.url, sdl: SHOP_SDL },
      { name: 'details', url: details.url, sdl: DETAILS_SDL },
    ]);
    trio = [
      await startTestGateway(sdl, { executor: 'apollo', dedupe: { inbound: false } }),
      await startTestGateway(sdl, { executor: 'tollgate', planner: 'apollo', dedupe: { inbound: false } }),
      await startTestGateway(sdl, { executor: 'tollgate', planner: 'hive', dedupe: { inbound: false } }),
    ];
  });

  afterAll(async () => {
    await Promise.all((trio ?? []).map((g) => g?.close()));
    await Promise.all([shop?.close(), details?.close()]);
  });

  it.each([
    ['non-null list item null: the whole non-null list, then data, become null', '{ items { id detail } }'],
    ['nullable list items become null one by one', '{ maybeItems { id detail } }'],
    ['a non-null root field null: data is null', '{ one { detail } maybeItems { id } }'],
    ['nested lists: the inner nullable list becomes null', '{ nested { label inner { id detail } } }'],
    ['an entity error on a duplicated representation, at every client path', '{ items { id rating } }'],
    ['an entity error and a null: value completion is not reported', '{ maybeItems { id rating detail } }'],
    ['non-null list field of an entity', '{ maybeItems { tags } }'],
    ['aliases in a bubbled null', '{ m: maybeItems { i: id d: detail n: name } }'],
  ])('%s', async (label, query) => {
    await expectSameAnswer({ label, query }, trio);
  });

  it('executor tollgate: a hot-reloaded supergraph gets a new planner and new data sources', async () => {
    const shopOnly = compose([{ name: 'shop', url: shop.url, sdl: SHOP_SDL }]);
    const reloading = await startTestGateway(shopOnly, { executor: 'tollgate', planner: 'apollo' });
    try {
      const query = { query: '{ maybeItems { id detail } }' };
      expect((await postJson(reloading.url, query)).json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      writeFileSync(reloading.supergraphFile, sdl);
      const deadline = Date.now() + 10_000;
      let reply = await postJson(reloading.url, query);
      while (reply.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        reply = await postJson(reloading.url, query);
      }
      expect(reply.json.data.maybeItems[0]).toEqual({ id: '1', detail: 'detail 1' });
    } finally {
      await reloading.close();
    }
  });

  it('executor tollgate with tracing on: the same span tree as Apollo (request > plan, fetch > tollgate.fetch)', async () => {
    const exporter = new InMemorySpanExporter();
    const traced = await startTestGateway(sdl, { executor: 'tollgate', planner: 'apollo', tracing: { enabled: true } }, { spanExporter: exporter });
    try {
      await postJson(traced.url, { query: '{ maybeItems { id detail } }' }, { 'x-request-id': 'traced-1' });
      let spans: ReadableSpan[] = [];
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        spans = exporter.getFinishedSpans();
        if (spans.some((s) => s.name === 'tollgate.request')) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const id = (span: ReadableSpan) => span.spanContext().spanId;
      const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
      const named = (name: string) => spans.filter((s) => s.name === name);
      const [request] = named('tollgate.request');
      const [executorRequest] = named('gateway.request');
      expect(parentOf(executorRequest)).toBe(id(request));
      expect(parentOf(named('gateway.plan')[0])).toBe(id(executorRequest));
      const fetches = named('gateway.fetch');
      expect(fetches.map((f) => f.attributes.service).sort()).toEqual(['details', 'shop']);
      for (const fetch of fetches) {
        expect(named('tollgate.fetch').find((s) => parentOf(s) === id(fetch))?.attributes['tollgate.service']).toBe(fetch.attributes.service);
      }
    } finally {
      await traced.close();
    }
  });

  it('introspection turned off: the same GRAPHQL_VALIDATION_FAILED from both executors', async () => {
    const closed: [Gateway, Gateway, Gateway] = [
      await startTestGateway(sdl, { executor: 'apollo', server: { introspection: false } }),
      await startTestGateway(sdl, { executor: 'tollgate', planner: 'apollo', server: { introspection: false } }),
      await startTestGateway(sdl, { executor: 'tollgate', planner: 'hive', server: { introspection: false } }),
    ];
    try {
      await expectSameAnswer({ label: 'introspection off', query: '{ __schema { queryType { name } } }' }, closed);
      await expectSameAnswer({ label: 'introspection off, mixed', query: '{ __type(name: "Item") { name } one { id } }' }, closed);
      await expectSameAnswer({ label: 'introspection off, __typename allowed', query: '{ __typename maybeItems { __typename id } }' }, closed);
    } finally {
      await Promise.all(closed.map((g) => g.close()));
    }
  });
});
