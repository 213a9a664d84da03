// Subscriptions end to end: real graphql-ws and graphql-sse clients → Tollgate → the reviews subgraph's
// graphql-transport-ws endpoint, each event joined with products, inventory and accounts over HTTP.
import { request } from 'node:http';
import WebSocket from 'ws';
import { parsePrometheus } from './fixtures/promText';
import { collect, reviewFeed, sseClient, startSubscriptionGraph, until, wsClient, type SubscriptionGraph } from './fixtures/subscriptionGraph';

const JOINED = `subscription NewReviews {
  reviewAdded { body product { upc name price inStock } author { id name username } }
}`;

async function addReview(url: string, upc: string, body: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation Add($upc: String!, $body: String!) { addReview(upc: $upc, body: $body) { id } }', variables: { upc, body } }),
  });
  const json = (await response.json()) as { errors?: unknown };
  expect(json.errors).toBeUndefined();
}

/** Nothing left open: client subscriptions, upstream subscriptions, the subgraph's listeners and sockets. */
async function noLeaks(graph: SubscriptionGraph): Promise<void> {
  const subscriptions = graph.gateway.subscriptions!;
  await until(() => subscriptions.counts.clients === 0, 'client subscriptions to close');
  await until(() => subscriptions.counts.upstreams === 0, 'upstream subscriptions to close');
  await until(() => reviewFeed.subscribers === 0, 'the subgraph to see no subscriber');
  await until(() => graph.subgraphs.servers.reviews.subscriptions!.connections === 0, 'upstream sockets to close');
}

describe('subscriptions', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    graph = await startSubscriptionGraph((config) => {
      config.subscriptions.maxPerClient = 10;
      config.subscriptions.maxBufferedEvents = 8;
    });
  });
  afterAll(() => graph?.close());
  afterEach(() => noLeaks(graph));

  it('streams events over WebSocket, each joined with three other subgraphs', async () => {
    const client = wsClient(graph.wsUrl);
    const sub = collect(client, JOINED);
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '1', 'Sturdy.');
    await addReview(graph.gateway.url, '2', 'Soft.');
    await sub.waitFor(2);
    expect(sub.results).toEqual([
      { data: { reviewAdded: { body: 'Sturdy.', product: { upc: '1', name: 'Table', price: 899, inStock: true }, author: { id: '1', name: 'Uri Goldshtein', username: 'urigo' } } } },
      { data: { reviewAdded: { body: 'Soft.', product: { upc: '2', name: 'Couch', price: 1299, inStock: false }, author: { id: '1', name: 'Uri Goldshtein', username: 'urigo' } } } },
    ]);
    sub.unsubscribe();
    await client.dispose();
  });

  it('streams the same events over SSE (distinct connections)', async () => {
    const client = sseClient(graph.gateway.url);
    const sub = collect(client, JOINED);
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '3', 'Clear.');
    await sub.waitFor(1);
    expect(sub.results[0]).toEqual({ data: { reviewAdded: { body: 'Clear.', product: { upc: '3', name: 'Glass', price: 15, inStock: false }, author: { id: '1', name: 'Uri Goldshtein', username: 'urigo' } } } });
    sub.unsubscribe();
    client.dispose();
  });

  it('opens one upstream subscription for identical ones and fans its events out to every client', async () => {
    const ws = Array.from({ length: 4 }, () => wsClient(graph.wsUrl));
    const sse = Array.from({ length: 3 }, () => sseClient(graph.gateway.url));
    const subs = [...ws, ...sse].map((client) => collect(client, JOINED));
    await until(() => graph.gateway.subscriptions!.counts.clients === 7, 'seven client subscriptions');
    expect(graph.gateway.subscriptions!.counts.upstreams).toBe(1);
    expect(reviewFeed.subscribers).toBe(1);
    // A different operation is a different upstream subscription.
    const other = collect(ws[0], 'subscription { reviewAdded(upc: "1") { body } }');
    await until(() => reviewFeed.subscribers === 2, 'the second upstream subscription');
    await addReview(graph.gateway.url, '1', 'Everyone sees this.');
    await Promise.all([...subs, other].map((s) => s.waitFor(1)));
    for (const sub of subs) expect(sub.results[0]).toMatchObject({ data: { reviewAdded: { body: 'Everyone sees this.', product: { name: 'Table' } } } });
    expect(other.results[0]).toEqual({ data: { reviewAdded: { body: 'Everyone sees this.' } } });

    const metrics = parsePrometheus(await (await fetch(`${graph.gateway.baseUrl}/metrics`)).text());
    expect(metrics.value('tollgate_subscriptions_open', { protocol: 'ws' })).toBe(5);
    expect(metrics.value('tollgate_subscriptions_open', { protocol: 'sse' })).toBe(3);
    expect(metrics.value('tollgate_subscription_upstreams_open', { subgraph: 'reviews' })).toBe(2);
    expect(metrics.value('tollgate_subscription_connections', { protocol: 'ws' })).toBe(4);

    // Leaving one by one: the upstream closes only when the last client leaves.
    for (const sub of subs.slice(1)) sub.unsubscribe();
    other.unsubscribe();
    await until(() => reviewFeed.subscribers === 1, 'only the shared upstream left');
    subs[0].unsubscribe();
    await Promise.all(ws.map((c) => c.dispose()));
    sse.forEach((c) => c.dispose());
  });
});
