// Field-level rate limits and cost over real HTTP, one gateway (memory store): exact boundaries, per occurrence,
// identity arguments, Query.x ≠ Mutation.x, plans and client identity (IP behind a trusted proxy, API keys),
// filter vs reject modes with their status and headers, measure mode, window expiry; cost maximum, budgets
// charged, reconciled and refilled, slicing arguments from variables, extensions, and inbound dedupe.
import pino from 'pino';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { LIBRARY_SDL, startLibrary, type LibraryState } from './fixtures/limitsGraph';
import { compose, postJson, startTestGateway, windowClock, type HttpReply } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
// Every gateway here reads this clock: a test moves it to a window's start instead of waiting for one.
const clock = windowClock(3_600_000);

const PRO_KEY = 'pro-client-key-0123456789';
const FREE_KEY = 'free-client-key-0123456789';
const OTHER_FREE_KEY = 'other-free-key-0123456789';

let library: Awaited<ReturnType<typeof startLibrary>>;
let state: LibraryState;
let proxy: FaultProxy;
let supergraph: string;
let gateway: Gateway;
let nextIp = 1;

/** A fresh anonymous client per test: the gateway trusts 127.0.0.1 as a proxy and reads X-Forwarded-For. */
const freshClient = () => ({ 'x-forwarded-for': `198.51.100.${nextIp++}` });

const baseConfig = {
  server: { trustedProxies: ['127.0.0.1'] },
  authentication: {
    apiKeys: {
      keys: [
        { client: 'acme', key: PRO_KEY, plan: 'pro' },
        { client: 'bob', key: FREE_KEY },
        { client: 'carol', key: OTHER_FREE_KEY },
      ],
    },
  },
};

beforeAll(async () => {
  library = await startLibrary();
  state = library.state;
  proxy = await startFaultProxy(library.server.url);
  supergraph = compose([{ name: 'library', url: proxy.url, sdl: LIBRARY_SDL }]);
  gateway = await startTestGateway(supergraph, {
    ...baseConfig,
    rateLimits: {
      fields: {
        'Query.ping': { plans: { pro: { max: 5 }, internal: 'unlimited' } },
        'Query.search': { plans: { anonymous: { max: 2 } } },
      },
    },
    cost: {
      all: { max: 500 },
      plans: { pro: { max: 5000 } },
    },
  }, { now: clock.now });
});

afterAll(async () => {
  await gateway?.close();
  await proxy?.close();
  await library?.server.close();
});

const headersOf = (reply: HttpReply) => Object.fromEntries([...reply.headers].filter(([name]) => name.startsWith('ratelimit-') || name === 'retry-after'));



describe('field rate limits (filter mode)', () => {
  it('passes the max-th call and removes the next with RATE_LIMITED at its path, keeping the rest', async () => {
    const client = freshClient();
    const query = { query: '{ ping newestAdditions(limit: 1) { id } }' };
    for (let i = 0; i < 2; i++) {
      const reply = await postJson(gateway.url, query, client);
      expect(reply.json).toEqual({ data: { ping: 'pong', newestAdditions: [{ id: '1' }] } });
      expect(headersOf(reply)).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': String(1 - i), 'ratelimit-policy': '2;w=3600' });
    }
    const calls = state.calls.ping;
    const limited = await postJson(gateway.url, query, client);
    expect(limited.status).toBe(200);
    expect(limited.json.data).toEqual({ ping: null, newestAdditions: [{ id: '1' }] });
    expect(limited.json.errors).toEqual([
      {
        message: expect.stringContaining('Rate limit exceeded for Query.ping: at most 2 per 1h'),
        path: ['ping'],
        extensions: { code: 'RATE_LIMITED', coordinate: 'Query.ping', limit: 2, windowSeconds: 3600, retryAfter: expect.any(Number) },
      },
    ]);
    expect(headersOf(limited)).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0' });
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(limited.headers.get('retry-after')).toBeNull();
    // The subgraph never resolved the removed field.
    expect(state.calls.ping).toBe(calls);
  });

  it('counts every occurrence in the operation', async () => {
    const client = freshClient();
    const reply = await postJson(gateway.url, { query: '{ a: ping b: ping c: ping }' }, client);
    expect(reply.json.data).toEqual({ a: 'pong', b: 'pong', c: null });
    expect(reply.json.errors.map((e: { path: string[] }) => e.path)).toEqual([['c']]);
  });

  it('keeps separate counters per identity-argument value, and for Query.search and Mutation.search', async () => {
    const client = freshClient();
    const search = (term: string) => postJson(gateway.url, { query: 'query ($t: String!) { search(term: $t) { title } }', variables: { t: term } }, client);
    // Anonymous plan: 2 per term (config over the directive's 3).
    expect((await search('x')).json.errors).toBeUndefined();
    expect((await search('x')).json.errors).toBeUndefined();
    expect((await search('x')).json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', coordinate: 'Query.search', limit: 2 });
    expect((await search('y')).json.errors).toBeUndefined();
    const mutation = await postJson(gateway.url, { query: 'mutation { search(term: "x") }' }, client);
    expect(mutation.json).toEqual({ data: { search: 1 } });
    const again = await postJson(gateway.url, { query: 'mutation { search(term: "x") }' }, client);
    expect(again.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', coordinate: 'Mutation.search' });
  });

  it('sizes limits by plan and counts per client', async () => {
    const ping = (headers: Record<string, string>) => postJson(gateway.url, { query: '{ ping }' }, headers);
    const pro = { 'x-api-key': PRO_KEY };
    for (let i = 0; i < 5; i++) expect((await ping(pro)).json).toEqual({ data: { ping: 'pong' } });
    expect((await ping(pro)).json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 5 });
    // Free plan (the default for keys without one): the directive's 2; each key has its own counter.
    for (const key of [FREE_KEY, OTHER_FREE_KEY]) {
      expect((await ping({ 'x-api-key': key })).json.errors).toBeUndefined();
      expect((await ping({ 'x-api-key': key })).json.errors).toBeUndefined();
      expect((await ping({ 'x-api-key': key })).json.errors[0].extensions.limit).toBe(2);
    }
  });

  it('counts a batch field by its list argument, without counting refused calls (uncountRejected)', async () => {
    const client = freshClient();
    const books = (ids: number[]) => postJson(gateway.url, { query: 'query ($ids: [ID!]!) { books(ids: $ids) { id } }', variables: { ids } }, client);
    expect((await books([1, 2, 3])).json.errors).toBeUndefined();
    expect((await books([4, 5])).json.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await books([6])).json.errors).toBeUndefined();
  });

  it('does not count a field the caller may not see', async () => {
    const client = freshClient();
    for (let i = 0; i < 3; i++) {
      const reply = await postJson(gateway.url, { query: '{ secret }' }, client);
      expect(reply.json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
    }
  });

  it('starts counting again in the next window', async () => {
    const client = freshClient();
    clock.toNextWindow(2000);
    const quick = () => postJson(gateway.url, { query: '{ quick }' }, client);
    expect((await quick()).json.errors).toBeUndefined();
    expect((await quick()).json.errors).toBeUndefined();
    expect((await quick()).json.errors[0].extensions.code).toBe('RATE_LIMITED');
    clock.toNextWindow(2000);
    expect((await quick()).json.errors).toBeUndefined();
  });
});

describe('field rate limits: reject and measure modes', () => {
  let strict: Gateway;
  let measuring: Gateway;
  beforeAll(async () => {
    strict = await startTestGateway(supergraph, { ...baseConfig, rateLimits: { onLimit: 'reject' } }, { now: clock.now });
    measuring = await startTestGateway(supergraph, { ...baseConfig, rateLimits: { mode: 'measure' } }, { now: clock.now });
  });
  afterAll(async () => {
    await strict?.close();
    await measuring?.close();
  });

  it('rejects the whole request with 429, Retry-After and RateLimit-*, calling no subgraph', async () => {
    const client = freshClient();
    const query = { query: '{ ping newestAdditions(limit: 1) { id } }' };
    expect((await postJson(strict.url, query, client)).status).toBe(200);
    expect((await postJson(strict.url, query, client)).status).toBe(200);
    proxy.seen.length = 0;
    const reply = await postJson(strict.url, query, client);
    expect(reply.status).toBe(429);
    expect(reply.json.data).toBeUndefined();
    expect(reply.json.errors).toEqual([expect.objectContaining({ path: ['ping'], extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
    const headers = headersOf(reply);
    expect(headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0' });
    expect(Number(headers['retry-after'])).toBeGreaterThan(0);
    expect(headers['retry-after']).toBe(headers['ratelimit-reset']);
    expect(proxy.seen).toHaveLength(0);
  });

  it('in measure mode counts but refuses nothing', async () => {
    const client = freshClient();
    for (let i = 0; i < 4; i++) {
      const reply = await postJson(measuring.url, { query: '{ ping }' }, client);
      expect(reply.json).toEqual({ data: { ping: 'pong' } });
      expect(headersOf(reply)).toEqual({});
    }
  });
});

describe('cost', () => {
  const BOOK_FIELDS = 'title author { name } publisher { name address { zipCode } }';

  it('reports estimated and actual cost when the request asks', async () => {
    const reply = await postJson(gateway.url, { query: `{ bestsellers { ${BOOK_FIELDS} } }`, extensions: { cost: true } }, freshClient());
    expect(reply.json.data.bestsellers).toHaveLength(1);
    // Apollo's documented example: @listSize(assumedSize: 5) → 40; one book came back → 8.
    expect(reply.json.extensions).toEqual({ cost: { estimated: 40, actual: 8, max: 500 } });
    const plain = await postJson(gateway.url, { query: `{ bestsellers { ${BOOK_FIELDS} } }` }, freshClient());
    expect(plain.json.extensions).toBeUndefined();
  });

  it('reads slicing arguments from variables', async () => {
    const query = `query ($n: Int!) { newestAdditions(limit: $n) { ${BOOK_FIELDS} } }`;
    const three = await postJson(gateway.url, { query, variables: { n: 3 }, extensions: { cost: true } }, freshClient());
    expect(three.json.extensions.cost).toMatchObject({ estimated: 24, actual: 24 });
    const seven = await postJson(gateway.url, { query, variables: { n: 7 }, extensions: { cost: true } }, freshClient());
    expect(seven.json.extensions.cost).toMatchObject({ estimated: 56, actual: 56 });
  });

  it('refuses an operation over the plan’s maximum with 400 COST_ESTIMATED_TOO_EXPENSIVE, calling no subgraph', async () => {
    proxy.seen.length = 0;
    const reply = await postJson(gateway.url, { query: '{ catalog { title author { name } } }' }, freshClient());
    expect(reply.status).toBe(400);
    expect(reply.json.errors).toEqual([
      { message: 'Operation estimated cost 2000 exceeded configured maximum 500.', extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: { estimated: 2000, max: 500 } } },
    ]);
    expect(proxy.seen).toHaveLength(0);
    // The pro plan's maximum is higher.
    expect((await postJson(gateway.url, { query: '{ catalog { title author { name } } }' }, { 'x-api-key': PRO_KEY })).status).toBe(200);
  });

  it('refuses an operation the cost spec cannot size (COST_QUERY_PARSE_FAILURE)', async () => {
    const reply = await postJson(gateway.url, { query: 'query ($n: Int) { newestAdditions(limit: $n) { id } }' }, freshClient());
    // No value for the slicing argument (validation would refuse the nullable variable too; the policy stage runs first).
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0].extensions.code).toBe('COST_QUERY_PARSE_FAILURE');
  });
});

describe('cost budgets', () => {
  let budgeted: Gateway;
  beforeAll(async () => {
    budgeted = await startTestGateway(supergraph, {
      ...baseConfig,
      cost: { extensions: 'always', all: { budget: { max: 60, window: '1h' } }, plans: { free: { budget: { max: 50, window: '2s' } } } },
    }, { now: clock.now });
  });
  afterAll(() => budgeted?.close());

  const newest3 = { query: '{ newestAdditions(limit: 3) { title author { name } publisher { name address { zipCode } } } }' };

  it('charges the estimate, refuses with 429 COST_BUDGET_EXCEEDED and Retry-After once spent, and refills', async () => {
    clock.toNextWindow(2000);
    const bob = { 'x-api-key': FREE_KEY };
    const first = await postJson(budgeted.url, newest3, bob);
    expect(first.json.extensions.cost).toMatchObject({ estimated: 24, actual: 24, budget: { limit: 50, remaining: 26 } });
    const second = await postJson(budgeted.url, newest3, bob);
    expect(second.json.extensions.cost.budget.remaining).toBe(2);
    proxy.seen.length = 0;
    const refused = await postJson(budgeted.url, newest3, bob);
    expect(refused.status).toBe(429);
    expect(refused.json.errors[0]).toMatchObject({
      extensions: { code: 'COST_BUDGET_EXCEEDED', cost: { estimated: 24, budget: { limit: 50, remaining: 2 } }, retryAfter: expect.any(Number) },
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-limit')).toBe('50');
    expect(refused.headers.get('ratelimit-remaining')).toBe('2');
    expect(proxy.seen).toHaveLength(0);
    // An operation that still fits passes.
    expect((await postJson(budgeted.url, { query: '{ ping }' }, bob)).status).toBe(200);
    clock.toNextWindow(2000);
    expect((await postJson(budgeted.url, newest3, bob)).status).toBe(200);
  });

  it('refuses an operation bigger than the whole budget with 400, not a 429 whose Retry-After can never help', async () => {
    const bob = { 'x-api-key': FREE_KEY };
    proxy.seen.length = 0;
    // An estimate of 8 per book: 10 books (80) can never fit the free plan's 50 per window.
    const reply = await postJson(budgeted.url, { query: '{ newestAdditions(limit: 10) { title author { name } publisher { name address { zipCode } } } }' }, bob);
    expect(reply.status).toBe(400);
    expect(reply.headers.get('retry-after')).toBeNull();
    expect(reply.json.errors[0]).toMatchObject({ extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: { estimated: 80, budget: { limit: 50 } } } });
    expect(reply.json.errors[0].message).toContain('whole budget');
    expect(proxy.seen).toHaveLength(0);
  });

  it('reconciles the charge to the actual cost: an estimate of 40 that returns one book costs 8', async () => {
    const client = freshClient();
    const reply = await postJson(budgeted.url, { query: '{ bestsellers { title author { name } publisher { name address { zipCode } } } }' }, client);
    expect(reply.json.extensions.cost).toEqual({ estimated: 40, actual: 8, budget: { limit: 60, remaining: 52, reset: expect.any(Number) } });
    const next = await postJson(budgeted.url, { query: '{ ping }' }, client);
    expect(next.json.extensions.cost.budget.remaining).toBe(52);
  });

  it('reconciles to the same actual cost when the answer is written straight from the merged tree (no extensions.cost asked)', async () => {
    // Without extensions.cost nothing needs the answer as objects, so Tollgate's executor serialises the merged tree
    // directly and measures the actual cost on it; the budget must come out as when the answer is shaped first.
    const requested = await startTestGateway(supergraph, { ...baseConfig, cost: { extensions: 'requested', all: { budget: { max: 60, window: '1h' } } } }, { now: clock.now });
    try {
      const client = freshClient();
      const plain = await postJson(requested.url, { query: '{ bestsellers { title author { name } publisher { name address { zipCode } } } }' }, client);
      expect(plain.json).toEqual({ data: { bestsellers: [expect.objectContaining({ title: expect.any(String) })] } });
      const next = await postJson(requested.url, { query: '{ ping }', extensions: { cost: true } }, client);
      expect(next.json.extensions.cost.budget.remaining).toBe(52);
    } finally {
      await requested.close();
    }
  });

  it('charges and reconciles every request that shared one execution (inbound dedupe)', async () => {
    const client = freshClient();
    proxy.mode = { kind: 'slow', delayMs: 150 };
    proxy.seen.length = 0;
    let replies: HttpReply[];
    try {
      replies = await Promise.all([0, 1, 2].map(() => postJson(budgeted.url, { query: '{ bestsellers { title } }' }, client)));
    } finally {
      proxy.mode = { kind: 'pass' };
    }
    expect(proxy.seen).toHaveLength(1);
    for (const reply of replies) expect(reply.json.extensions.cost).toMatchObject({ estimated: 5, actual: 1 });
    const after = await postJson(budgeted.url, { query: '{ ping }' }, client);
    expect(after.json.extensions.cost.budget.remaining).toBe(60 - 3);
  });
});

describe('logging in measure mode', () => {
  it('logs what would be refused', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const { startGateway } = await import('../src/gateway');
    const { buildConfig } = await import('../src/config/load');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('./harness');
    const dir = tempDir();
    writeFileSync(join(dir, 'supergraph.graphql'), supergraph);
    const config = buildConfig({ server: { port: 0 }, supergraph: { file: join(dir, 'supergraph.graphql') }, rateLimits: { mode: 'measure' }, cost: { mode: 'measure', all: { max: 10 } } }, { baseDir: dir });
    const running = await startGateway(config, { logger, now: clock.now });
    try {
      for (let i = 0; i < 3; i++) expect((await postJson(running.url, { query: '{ ping bestsellers { title } }' })).json.errors).toBeUndefined();
      expect((await postJson(running.url, { query: '{ catalog { title } }' })).status).toBe(200);
      const measured = lines.map((l) => JSON.parse(l) as { msg: string; policy?: string }).filter((l) => l.msg.includes('measure mode'));
      expect(measured.map((l) => l.policy)).toEqual(['rate limit', 'cost']);
    } finally {
      await running.close();
    }
  });
});
