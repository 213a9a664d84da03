// Subscriptions end to end: real graphql-ws and graphql-sse clients → Tollgate → the reviews subgraph's
// graphql-transport-ws endpoint, each event joined with products, inventory and accounts over HTTP.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parsePrometheus } from './fixtures/promText';
import { addReview, collect, reviewFeed, sseClient, startSubscriptionGraph, until, wsClient, type SubscriptionGraph } from './fixtures/subscriptionGraph';

const JOINED = `subscription NewReviews {
  reviewAdded { body product { upc name price inStock } author { id name username } }
}`;


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

  it('answers the README example (curl over SSE) with the event the README shows', async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Subscriptions'));
    const subscribe = /-H 'accept: text\/event-stream' -H 'content-type: application\/json' \\\n\s+-d '([^']*)'/.exec(section)?.[1];
    const mutation = /# in another shell:\ncurl[^\n]*\n\s+-d '([^']*)'/.exec(section)?.[1];
    const shown = /```text\n(event: next\ndata: [^\n]*)\n```/.exec(section)?.[1];
    expect([subscribe, mutation, shown].every(Boolean)).toBe(true);
    const controller = new AbortController();
    const response = await fetch(graph.gateway.url, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' }, body: subscribe, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    const reply = (await (await fetch(graph.gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: mutation })).json()) as { errors?: unknown };
    expect(reply.errors).toBeUndefined();
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: next') || !text.slice(text.indexOf('event: next')).includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text.slice(text.indexOf('event: next')).split('\n\n')[0]).toBe(shown);
    controller.abort();
    await reader.cancel().catch(() => undefined);
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

  it('authenticates at connection_init: a bad token is refused with 4401, a good one is accepted', async () => {
    const bad = wsClient(graph.wsUrl, { authorization: 'Bearer not-a-token' });
    const refused = collect(bad, JOINED);
    const outcome = await refused.ended;
    expect(outcome.kind).toBe('error');
    expect((outcome as { error: { code: number; reason: string } }).error.code).toBe(4401);
    expect((outcome as { error: { reason: string } }).error.reason).toMatch(/^UNAUTHENTICATED/);
    await bad.dispose();

    const token = await graph.sign({ sub: '1' });
    const good = wsClient(graph.wsUrl, { Authorization: `Bearer ${token}` });
    const sub = collect(good, 'subscription { reviewAdded { body author { email } } }');
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '1', 'Signed in.');
    await sub.waitFor(1);
    // @authenticated email is served to the signed-in subscriber (accounts checks the forwarded x-user-id).
    expect(sub.results[0]).toEqual({ data: { reviewAdded: { body: 'Signed in.', author: { email: expect.any(String) } } } });
    sub.unsubscribe();
    await good.dispose();
  });

  it('filters every event by authorization: an anonymous subscriber gets null and a coded error for @authenticated fields', async () => {
    const client = sseClient(graph.gateway.url);
    const sub = collect(client, 'subscription { reviewAdded { body author { email } } }');
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '1', 'First.');
    await addReview(graph.gateway.url, '1', 'Second.');
    await sub.waitFor(2);
    for (const [i, body] of ['First.', 'Second.'].entries()) {
      expect(sub.results[i].data).toEqual({ reviewAdded: { body, author: { email: null } } });
      expect(sub.results[i].errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
    }
    sub.unsubscribe();
    client.dispose();
  });

  it('ends a subscription with SUBSCRIPTION_TOKEN_EXPIRED when its token expires', async () => {
    // Valid for 2–3 s: long enough to subscribe on a loaded machine (an already expired token is refused at connect).
    const token = await graph.sign({ sub: '2' }, Math.floor(Date.now() / 1000) + 3);
    const client = wsClient(graph.wsUrl, { authorization: `Bearer ${token}` });
    const sub = collect(client, JOINED);
    expect(await sub.ended).toEqual({ kind: 'complete' });
    expect(sub.results.at(-1)?.errors?.[0].extensions?.code).toBe('SUBSCRIPTION_TOKEN_EXPIRED');
    // The connection stays authenticated with an expired token: new subscriptions on it are refused.
    const again = collect(client, JOINED);
    const outcome = await again.ended;
    expect(outcome.kind).toBe('error');
    expect((outcome as { error: Array<{ extensions: { code: string } }> }).error[0].extensions.code).toBe('SUBSCRIPTION_TOKEN_EXPIRED');
    await client.dispose();
  });

  it('refuses what the parse and policy stages refuse, with their codes', async () => {
    const client = wsClient(graph.wsUrl);
    const cases: Array<[string, string]> = [
      ['subscription { reviewAdded { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['subscription {', 'GRAPHQL_PARSE_FAILED'],
      ['{ topProducts { name } }', 'BAD_REQUEST'],
      [`subscription { reviewAdded { ${Array.from({ length: 40 }, (_, i) => `a${i}: body`).join(' ')} } }`, 'MAX_ALIASES_LIMIT'],
    ];
    for (const [query, code] of cases) {
      const outcome = await collect(client, query).ended;
      expect(outcome.kind).toBe('error');
      expect((outcome as { error: Array<{ extensions: { code: string } }> }).error[0].extensions.code).toBe(code);
    }
    const sse = sseClient(graph.gateway.url);
    const refused = collect(sse, 'subscription { reviewAdded { nope } }');
    expect(await refused.ended).toEqual({ kind: 'complete' });
    expect(refused.results[0].errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    await client.dispose();
    sse.dispose();
  });

  it('caps open subscriptions per client', async () => {
    const client = wsClient(graph.wsUrl);
    const subs = Array.from({ length: 10 }, (_, i) => collect(client, `subscription { reviewAdded(upc: "${i}") { body } }`));
    await until(() => graph.gateway.subscriptions!.counts.clients === 10, 'ten subscriptions');
    const over = await collect(client, JOINED).ended;
    expect((over as { error: Array<{ extensions: { code: string } }> }).error[0].extensions.code).toBe('SUBSCRIPTION_LIMIT_EXCEEDED');
    subs[0].unsubscribe();
    await until(() => graph.gateway.subscriptions!.counts.clients === 9, 'one slot free');
    const fits = collect(client, JOINED);
    await until(() => graph.gateway.subscriptions!.counts.clients === 10, 'the slot taken again');
    fits.unsubscribe();
    for (const sub of subs) sub.unsubscribe();
    await client.dispose();
  });

  it('ends every client with SUBGRAPH_UNAVAILABLE and complete when the upstream socket drops', async () => {
    const ws = wsClient(graph.wsUrl);
    const sse = sseClient(graph.gateway.url);
    const subs = [collect(ws, JOINED), collect(sse, JOINED)];
    await until(() => graph.gateway.subscriptions!.counts.clients === 2 && reviewFeed.subscribers === 1, 'both subscribed upstream');
    graph.subgraphs.servers.reviews.subscriptions!.dropAll();
    for (const sub of subs) {
      expect(await sub.ended).toEqual({ kind: 'complete' });
      expect(sub.results.at(-1)?.errors?.[0]).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'reviews' } });
    }
    await ws.dispose();
    sse.dispose();
  });

  it('ends a slow consumer with SUBSCRIPTION_CLIENT_TOO_SLOW and frees its buffer, without touching other clients', async () => {
    const fast = wsClient(graph.wsUrl);
    const fastSub = collect(fast, 'subscription { reviewAdded { body } }');
    // A raw graphql-transport-ws client that stops reading its socket after subscribing.
    const slow = new WebSocket(graph.wsUrl, 'graphql-transport-ws');
    const received: string[] = [];
    slow.on('message', (data) => received.push(String(data)));
    await new Promise((resolve) => slow.once('open', resolve));
    slow.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => received.length === 1, 'connection_ack');
    slow.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: 'subscription { reviewAdded { body } }' } }));
    await until(() => graph.gateway.subscriptions!.counts.clients === 2, 'both subscribed');
    // Events published before the subgraph holds the (shared) upstream subscription would be lost, and waited for.
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();

    const body = 'x'.repeat(64 * 1024);
    let published = 0;
    const product = { upc: '1', reviews: [] };
    const author = { id: '1', username: 'urigo', reviews: [] };
    // Publish until the gateway gives up on the slow client (kernel buffers first take a few MB).
    while (graph.gateway.subscriptions!.counts.clients === 2 && published < 2_000) {
      for (let i = 0; i < 10; i++) reviewFeed.publish({ id: `slow-${published++}`, body, product, author } as never);
      await fastSub.waitFor(published);
    }
    expect(graph.gateway.subscriptions!.counts.clients).toBe(1);
    expect(fastSub.results).toHaveLength(published);

    const closed = new Promise((resolve) => slow.once('close', resolve));
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => received.some((m) => m.includes('"complete"')), 'the slow client to read to the end');
    const nexts = received.filter((m) => m.includes('"next"'));
    expect(JSON.parse(nexts.at(-1)!).payload.errors[0].extensions.code).toBe('SUBSCRIPTION_CLIENT_TOO_SLOW');
    // It got less than everything: what it could not take was dropped, not buffered.
    expect(nexts.length).toBeLessThan(published);
    slow.close();
    await closed;
    fastSub.unsubscribe();
    await fast.dispose();
  }, 120_000); // pushes megabytes through a paused socket: slow on a loaded machine, never a timing assertion
});

describe('subscriptions across a reload and a shutdown', () => {
  it('ends open subscriptions with SUBSCRIPTION_SCHEMA_RELOAD on a new supergraph while queries keep working, and completes them at shutdown', async () => {
    const graph = await startSubscriptionGraph();
    try {
      const ws = wsClient(graph.wsUrl);
      const sse = sseClient(graph.gateway.url);
      const before = [collect(ws, JOINED), collect(sse, JOINED)];
      await until(() => graph.gateway.subscriptions!.counts.clients === 2, 'both subscribed');
      await graph.changeSupergraph();
      for (const sub of before) {
        expect(await sub.ended).toEqual({ kind: 'complete' });
        expect(sub.results.at(-1)?.errors?.[0].extensions?.code).toBe('SUBSCRIPTION_SCHEMA_RELOAD');
      }
      await until(() => reviewFeed.subscribers === 0, 'the upstream to close');
      const query = await (await fetch(graph.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ topProducts(first: 1) { name } }' }) })).json();
      expect(query).toEqual({ data: { topProducts: [{ name: 'Table' }] } });

      // Resubscribed on the new supergraph, then the gateway shuts down: a plain complete, no error.
      const after = [collect(ws, JOINED), collect(sse, JOINED)];
      await until(() => graph.gateway.subscriptions!.counts.clients === 2 && reviewFeed.subscribers === 1, 'resubscribed');
      await addReview(graph.gateway.url, '1', 'Before shutdown.');
      await Promise.all(after.map((s) => s.waitFor(1)));
      await graph.gateway.close();
      for (const sub of after) {
        expect(await sub.ended).toEqual({ kind: 'complete' });
        expect(sub.results).toHaveLength(1);
        expect(sub.results[0].errors).toBeUndefined();
      }
      await until(() => reviewFeed.subscribers === 0, 'the upstream to close at shutdown');
      await until(() => graph.subgraphs.servers.reviews.subscriptions!.connections === 0, 'upstream sockets to close at shutdown');
      await ws.dispose();
      sse.dispose();
    } finally {
      await graph.subgraphs.close();
    }
  });
});

describe('subscriptions under a persisted-operation safelist', () => {
  const LISTED = 'subscription Listed { reviewAdded { body } }';
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-subs-safelist-'));
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'listed-1', name: 'Listed', type: 'subscription', body: LISTED }] }));
    graph = await startSubscriptionGraph((config) => {
      const persisted = config.persistedOperations as unknown as { mode: string; manifest: { file?: string; watch: boolean } };
      persisted.mode = 'safelist';
      persisted.manifest.file = manifest;
      persisted.manifest.watch = false;
    });
  });
  afterAll(async () => {
    await graph?.close();
  });

  it('refuses subscription text that is not in the manifest, over SSE and WebSocket, with the safelist code', async () => {
    const reply = await fetch(graph.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription Unlisted { reviewAdded { body } }' }),
    });
    const text = await reply.text();
    const next = /event: next\ndata: (.*)\n/.exec(text)?.[1];
    expect(JSON.parse(next!).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(text).toContain('event: complete');
    expect(reviewFeed.subscribers).toBe(0);

    // The same refusal over graphql-transport-ws, read at the protocol level: an `error` message with the code.
    const ws = new WebSocket(graph.wsUrl, 'graphql-transport-ws');
    const received: string[] = [];
    ws.on('message', (data) => received.push(String(data)));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => received.length === 1, 'connection_ack');
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription Unlisted { reviewAdded { body } }' } }));
    await until(() => received.length === 2, 'the refusal');
    const refusal = JSON.parse(received[1]);
    expect(refusal).toMatchObject({ id: '1', type: 'error' });
    expect(refusal.payload[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  });
});

describe('subscriptions planned by Hive’s planner (planner: hive)', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    graph = await startSubscriptionGraph((config) => {
      config.planner = 'hive';
    });
  });
  afterAll(() => graph?.close());
  afterEach(() => noLeaks(graph));

  it('runs Hive’s Sequence[Subscription{primary}, Flatten…] plan: events joined across subgraphs, variables forwarded upstream', async () => {
    const client = wsClient(graph.wsUrl);
    const all = collect(client, JOINED);
    const filtered = collect(client, 'subscription Only($upc: String) { reviewAdded(upc: $upc) { body product { name inStock } } }', { upc: '2' });
    await until(() => reviewFeed.subscribers === 2, 'both upstream subscriptions');
    await addReview(graph.gateway.url, '1', 'Hive one.');
    await addReview(graph.gateway.url, '2', 'Hive two.');
    await all.waitFor(2);
    await filtered.waitFor(1);
    expect(all.results).toEqual([
      { data: { reviewAdded: { body: 'Hive one.', product: { upc: '1', name: 'Table', price: 899, inStock: true }, author: { id: '1', name: 'Uri Goldshtein', username: 'urigo' } } } },
      { data: { reviewAdded: { body: 'Hive two.', product: { upc: '2', name: 'Couch', price: 1299, inStock: false }, author: { id: '1', name: 'Uri Goldshtein', username: 'urigo' } } } },
    ]);
    // Only upc 2 reached the filtered subscription: its variable went to the subgraph.
    expect(filtered.results).toEqual([{ data: { reviewAdded: { body: 'Hive two.', product: { name: 'Couch', inStock: false } } } }]);
    all.unsubscribe();
    filtered.unsubscribe();
    await client.dispose();
  });
});
