// Subscriptions as an operator sees them, over real clients and the example graph: /metrics scraped like Prometheus
// does (open connections and subscriptions, upstreams, events received and delivered, ends by reason and code), one
// access-log line per subscription when it ends, and the dashboard's feed and page (the page in headless Chromium,
// skipped with the reason without it, like test/dashboard.test.ts).
import { existsSync } from 'node:fs';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { sha256Hex } from '../src/util/sha256';
import { parsePrometheus } from './fixtures/promText';
import { addReview, collect, reviewFeed, sseClient, startSubscriptionGraph, until, wsClient, type SubscriptionGraph } from './fixtures/subscriptionGraph';

const ADMIN_KEY = 'subscription-test-admin-key';
const API_KEY = 'acme-subscriptions-key-0123456789';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM && process.env.CI === 'true') throw new Error(`the dashboard test needs Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
const SKIP_REASON = HAS_CHROMIUM ? '' : ` [skipped: no Chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM_PATH]`;

const JOINED = `subscription NewReviews {
  reviewAdded { body product { upc name price inStock } author { id name } }
}`;


const lines: Array<Record<string, unknown>> = [];
const ended = () => lines.filter((l) => l.log === 'access' && l.msg === 'subscription ended');
let graph: SubscriptionGraph;

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) });
  graph = await startSubscriptionGraph((config) => {
    config.authentication.apiKeys = { header: 'x-api-key', keys: [{ client: 'acme', key: API_KEY, scopes: [], plan: 'pro' }] };
  }, { logger });
});
afterAll(() => graph?.close());

const scrape = async () => parsePrometheus(await (await fetch(`${graph.gateway.baseUrl}/metrics`)).text());
const feed = async () => {
  const response = await fetch(`${graph.gateway.baseUrl}/admin/dashboard.json`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { subscriptions: { open: number; upstreams: Record<string, number>; deliveredPerSecond: number; receivedPerSecond: number; byOperation: Array<Record<string, unknown>> } };
};

it('counts connections, subscriptions, upstreams and events in /metrics, shows them on the dashboard feed, and logs each end', async () => {
  const ws = Array.from({ length: 3 }, () => wsClient(graph.wsUrl, { 'x-api-key': API_KEY }));
  const sse = Array.from({ length: 2 }, () => sseClient(graph.gateway.url));
  const subs = [...ws, ...sse].map((client) => collect(client, JOINED));
  await until(() => graph.gateway.subscriptions!.counts.clients === 5, 'five client subscriptions');
  await until(() => reviewFeed.subscribers === graph.gateway.subscriptions!.counts.upstreams, 'the subgraph to see every upstream subscription');
  await addReview(graph.gateway.url, '1', 'One.');
  await addReview(graph.gateway.url, '2', 'Two.');
  await Promise.all(subs.map((s) => s.waitFor(2)));

  let metrics = await scrape();
  expect(metrics.value('tollgate_subscription_connections', { protocol: 'ws' })).toBe(3);
  expect(metrics.value('tollgate_subscription_connections', { protocol: 'sse' })).toBe(2);
  expect(metrics.value('tollgate_subscriptions_open', { protocol: 'ws' })).toBe(3);
  expect(metrics.value('tollgate_subscriptions_open', { protocol: 'sse' })).toBe(2);
  // Fan-out: the gateway's count of upstream subscriptions is what the subgraph sees, and each got both events once.
  const upstreams = metrics.value('tollgate_subscription_upstreams_open', { subgraph: 'reviews' });
  expect(upstreams).toBe(reviewFeed.subscribers);
  expect(upstreams).toBeLessThanOrEqual(2); // one per distinct identity (API key vs anonymous) at most
  expect(metrics.value('tollgate_subscription_events_total', { subgraph: 'reviews' })).toBe(2 * upstreams);
  expect(metrics.value('tollgate_subscription_events_delivered_total', { protocol: 'ws', subgraph: 'reviews' })).toBe(6);
  expect(metrics.value('tollgate_subscription_events_delivered_total', { protocol: 'sse', subgraph: 'reviews' })).toBe(4);
  expect(metrics.types.get('tollgate_subscriptions_ended_total')).toBe('counter');

  const live = (await feed()).subscriptions;
  expect(live.open).toBe(5);
  expect(live.upstreams).toEqual({ reviews: upstreams });
  expect(live.deliveredPerSecond).toBeGreaterThan(0);
  expect(live.byOperation).toEqual([
    { operation: 'NewReviews', client: 'acme', open: 3, protocols: { ws: 3 }, eventsPerSecond: 0.6 },
    { operation: 'NewReviews', client: 'anonymous', open: 2, protocols: { sse: 2 }, eventsPerSecond: 0.4 },
  ]);

  // The WebSocket clients leave; the SSE ones are ended by a supergraph reload, with its code.
  for (const sub of subs.slice(0, 3)) sub.unsubscribe();
  await until(() => ended().length === 3, 'three access-log lines');
  await graph.changeSupergraph();
  await Promise.all(subs.slice(3).map((s) => s.ended));
  await until(() => ended().length === 5, 'five access-log lines');

  metrics = await scrape();
  expect(metrics.value('tollgate_subscriptions_ended_total', { protocol: 'ws', reason: 'client', code: 'none' })).toBe(3);
  expect(metrics.value('tollgate_subscriptions_ended_total', { protocol: 'sse', reason: 'error', code: 'SUBSCRIPTION_SCHEMA_RELOAD' })).toBe(2);
  expect(metrics.value('tollgate_subscriptions_open', { protocol: 'ws' })).toBe(0);
  expect(metrics.value('tollgate_subscriptions_open', { protocol: 'sse' })).toBe(0);

  const hash = sha256Hex(JOINED);
  const byProtocol = (protocol: string) => ended().filter((l) => l.protocol === protocol);
  for (const line of byProtocol('ws')) {
    expect(line).toMatchObject({ level: 30, client: 'acme', plan: 'pro', operationName: 'NewReviews', operationType: 'subscription', operationHash: hash, subgraph: 'reviews', events: 2, reason: 'client' });
    expect(line).not.toHaveProperty('code');
    expect(typeof line.requestId).toBe('string');
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
  }
  for (const line of byProtocol('sse')) expect(line).toMatchObject({ client: 'anonymous', operationHash: hash, events: 2, reason: 'error', code: 'SUBSCRIPTION_SCHEMA_RELOAD' });
  expect(byProtocol('ws')).toHaveLength(3);
  // No credential reaches the log.
  expect(JSON.stringify(lines)).not.toContain(API_KEY);

  expect((await feed()).subscriptions).toMatchObject({ open: 0, byOperation: [] });
  await Promise.all(ws.map((c) => c.dispose()));
  sse.forEach((c) => c.dispose());
  await until(() => graph.gateway.subscriptions!.counts.upstreams === 0 && reviewFeed.subscribers === 0, 'upstreams to close');
});

it('logs and counts a subscription ended by a lost upstream, and a refused one, with their codes', async () => {
  const before = ended().length;
  const client = wsClient(graph.wsUrl);
  const sub = collect(client, 'subscription Lost { reviewAdded { body } }');
  await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
  // The subgraph drops every subscription socket: the client gets SUBGRAPH_UNAVAILABLE, then complete.
  graph.subgraphs.servers.reviews.subscriptions!.dropAll();
  await sub.ended;
  await until(() => ended().length === before + 1, 'the access-log line');
  expect(ended().at(-1)).toMatchObject({ operationName: 'Lost', reason: 'error', code: 'SUBGRAPH_UNAVAILABLE', events: 0 });
  let metrics = await scrape();
  expect(metrics.value('tollgate_subscriptions_ended_total', { protocol: 'ws', reason: 'error', code: 'SUBGRAPH_UNAVAILABLE' })).toBe(1);

  // A subscribe the service refuses (validation) is counted and logged, and opens nothing.
  const refused = collect(client, 'subscription Bad { reviewAdded { noSuchField } }');
  const outcome = await refused.ended;
  expect(outcome.kind).toBe('error');
  await until(() => lines.some((l) => l.msg === 'subscription refused'), 'the refusal line');
  expect(lines.find((l) => l.msg === 'subscription refused')).toMatchObject({ log: 'access', protocol: 'ws', client: 'anonymous', outcome: 'rejected', rejectionCode: 'GRAPHQL_VALIDATION_FAILED' });
  metrics = await scrape();
  expect(metrics.value('tollgate_subscription_rejections_total', { protocol: 'ws', code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
  await client.dispose();
  await until(() => graph.gateway.subscriptions!.counts.clients === 0 && reviewFeed.subscribers === 0, 'everything to close');
});

(HAS_CHROMIUM ? it : it.skip)(`shows open subscriptions on the dashboard page${SKIP_REASON}`, async () => {
  const clients = Array.from({ length: 2 }, () => wsClient(graph.wsUrl, { 'x-api-key': API_KEY }));
  const subs = clients.map((c) => collect(c, JOINED));
  const anonymous = sseClient(graph.gateway.url);
  const other = collect(anonymous, 'subscription Watch { reviewAdded(upc: "2") { body } }');
  await until(() => graph.gateway.subscriptions!.counts.clients === 3, 'three client subscriptions');
  await until(() => reviewFeed.subscribers === graph.gateway.subscriptions!.counts.upstreams, 'the subgraph to see every upstream subscription');
  await addReview(graph.gateway.url, '1', 'Seen on the page.');
  await Promise.all(subs.map((s) => s.waitFor(1)));

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: ADMIN_KEY } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    await page.goto(`${graph.gateway.baseUrl}/admin/dashboard`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
    expect(await page.isVisible('#subscriptions')).toBe(true);
    expect(await page.textContent('#subs-open')).toBe('3');
    expect(await page.textContent('#subs-sub')).toMatch(/events\/s delivered .* upstream: reviews \d/);
    const rows = await page.$$eval('#subs-rows tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    // Events/s is over the last 10 s: on a loaded machine Chromium may start after the event left that window.
    expect(rows.map((cells) => cells.slice(0, 4))).toEqual([
      ['NewReviews', 'acme', '2', 'ws 2'],
      ['Watch', 'anonymous', '1', 'sse 1'],
    ]);
    expect(rows.map((cells) => cells[4])).toEqual([expect.stringMatching(/^0(\.2)?$/), '0']);
    expect(consoleErrors).toEqual([]);
    await context.close();
  } finally {
    await browser.close();
  }
  for (const s of [...subs, other]) s.unsubscribe();
  await Promise.all(clients.map((c) => c.dispose()));
  anonymous.dispose();
  await until(() => graph.gateway.subscriptions!.counts.clients === 0 && reviewFeed.subscribers === 0, 'everything to close');
}, 60_000);
