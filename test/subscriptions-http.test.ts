// Subscriptions over Apollo's multipart HTTP protocol (Apollo Client's real HttpLink, and a strict reader of the wire
// format), per-client connection caps across WebSocket, SSE and multipart (raced), and the browser-facing guards:
// CSRF prevention on the SSE entry and the Origin check on WebSocket upgrades.
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parsePrometheus } from './fixtures/promText';
import { addReview, reviewFeed, startSubscriptionGraph, until, wsClient, collect, type SubscriptionGraph } from './fixtures/subscriptionGraph';
import { windowClock } from './harness';

const ACCEPT = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/json';
const JOINED = 'subscription NewReviews { reviewAdded { body product { name inStock } author { name } } }';


/** A strict reader of Apollo's multipart subscription format: every part parsed, the closing boundary noticed. */
class MultipartReader {
  readonly parts: Array<Record<string, unknown>> = [];
  closed = false;
  private text = '';
  readonly done: Promise<void>;

  constructor(readonly response: Response) {
    this.done = this.read();
  }

  private reader?: ReadableStreamDefaultReader<Uint8Array>;

  /** The client stops reading and drops the connection. */
  async cancel(): Promise<void> {
    await this.reader?.cancel().catch(() => undefined);
    await this.done;
  }

  private async read(): Promise<void> {
    const reader = (this.reader = this.response.body!.getReader());
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.text += decoder.decode(value, { stream: true });
        this.parse();
      }
    } catch {
      // aborted by the test
    }
  }

  private parse(): void {
    const delimiter = '\r\n--graphql';
    for (;;) {
      const start = this.text.indexOf(delimiter);
      if (start === -1) return;
      const afterStart = start + delimiter.length;
      if (this.text.startsWith('--', afterStart)) {
        this.closed = true;
        this.text = '';
        return;
      }
      const next = this.text.indexOf(delimiter, afterStart);
      if (next === -1) return;
      const part = this.text.slice(afterStart, next);
      const [headers, body] = part.split('\r\n\r\n');
      expect(headers.trim().toLowerCase()).toMatch(/^content-type: application\/json/);
      this.parts.push(JSON.parse(body) as Record<string, unknown>);
      this.text = this.text.slice(next);
    }
  }

  /** The `payload` of every part that has one (heartbeats have none). */
  get payloads(): unknown[] {
    return this.parts.filter((p) => 'payload' in p).map((p) => p.payload);
  }
}

function subscribeMultipart(url: string, query: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { accept: ACCEPT, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }), signal });
}

async function noLeaks(graph: SubscriptionGraph): Promise<void> {
  await until(() => graph.gateway.subscriptions!.counts.clients === 0, 'client subscriptions to close');
  await until(() => graph.gateway.subscriptions!.counts.upstreams === 0, 'upstream subscriptions to close');
  await until(() => reviewFeed.subscribers === 0, 'the subgraph to see no subscriber');
  await until(() => graph.subgraphs.servers.reviews.subscriptions!.connections === 0, 'upstream sockets to close');
}

async function connectionsGauge(graph: SubscriptionGraph, protocol: string): Promise<number | undefined> {
  return parsePrometheus(await (await fetch(`${graph.gateway.baseUrl}/metrics`)).text()).value('tollgate_subscription_connections', { protocol });
}

describe('multipart HTTP subscriptions (Apollo Client)', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    graph = await startSubscriptionGraph((config) => {
      config.subscriptions.multipartHeartbeat = 30;
    });
  });
  afterAll(() => graph?.close());
  afterEach(() => noLeaks(graph));

  it("streams joined events to Apollo Client's HttpLink", async () => {
    const client = new ApolloClient({ link: new HttpLink({ uri: graph.gateway.url }), cache: new InMemoryCache() });
    const received: unknown[] = [];
    const errors: unknown[] = [];
    const subscription = client.subscribe({ query: gql(JOINED) }).subscribe({ next: (r) => received.push(r.data), error: (e) => errors.push(e) });
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '1', 'Multipart.');
    await addReview(graph.gateway.url, '2', 'Again.');
    await until(() => received.length === 2, 'two events');
    expect(received).toEqual([
      { reviewAdded: { __typename: 'Review', body: 'Multipart.', product: { __typename: 'Product', name: 'Table', inStock: true }, author: { __typename: 'User', name: 'Uri Goldshtein' } } },
      { reviewAdded: { __typename: 'Review', body: 'Again.', product: { __typename: 'Product', name: 'Couch', inStock: false }, author: { __typename: 'User', name: 'Uri Goldshtein' } } },
    ]);
    expect(errors).toEqual([]);
    subscription.unsubscribe();
    client.stop();
  });

  it('writes the wire format: heartbeats, {"payload"} parts, a transport error as payload null, then the closing boundary', async () => {
    const response = await subscribeMultipart(graph.gateway.url, JOINED);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec=1.0');
    const reader = new MultipartReader(response);
    // Heartbeats every 30 ms here (5 s by default): several arrive before any event.
    await until(() => reader.parts.filter((p) => Object.keys(p).length === 0).length >= 3, 'three heartbeats');
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '3', 'Wire.');
    await until(() => reader.payloads.length === 1, 'the event');
    expect(reader.payloads[0]).toEqual({ data: { reviewAdded: { body: 'Wire.', product: { name: 'Glass', inStock: false }, author: { name: 'Uri Goldshtein' } } } });
    // The upstream goes away: one transport error, `payload: null`, and the stream closes with --graphql--.
    graph.subgraphs.servers.reviews.subscriptions!.dropAll();
    await reader.done;
    expect(reader.closed).toBe(true);
    const last = reader.parts.at(-1) as { payload: unknown; errors: Array<{ extensions: { code: string } }> };
    expect(last.payload).toBeNull();
    expect(last.errors[0].extensions.code).toBe('SUBGRAPH_UNAVAILABLE');
  });

  it('carries GraphQL errors of an event inside its payload (authorization filtering)', async () => {
    const response = await subscribeMultipart(graph.gateway.url, 'subscription { reviewAdded { body author { email } } }');
    const reader = new MultipartReader(response);
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '1', 'Filtered.');
    await until(() => reader.payloads.length === 1, 'the event');
    const payload = reader.payloads[0] as { data: unknown; errors: Array<{ extensions: { code: string } }> };
    expect(payload.data).toEqual({ reviewAdded: { body: 'Filtered.', author: { email: null } } });
    expect(payload.errors[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    await reader.cancel();
  });

  it('releases the subscription, its upstream and its connection when the client aborts', async () => {
    const controller = new AbortController();
    const response = await subscribeMultipart(graph.gateway.url, JOINED, {}, controller.signal);
    const reader = new MultipartReader(response);
    await until(() => graph.gateway.subscriptions!.counts.clients === 1 && reviewFeed.subscribers === 1, 'subscribed');
    expect(await connectionsGauge(graph, 'multipart')).toBe(1);
    controller.abort();
    await reader.done;
    await noLeaks(graph);
    await until(() => graph.subgraphs.servers.reviews.subscriptions!.connections === 0, 'the upstream socket to close');
    expect(await connectionsGauge(graph, 'multipart')).toBe(0);
  });

  it('answers refusals as JSON with their HTTP status and code, and applies CSRF prevention first', async () => {
    const invalid = await subscribeMultipart(graph.gateway.url, 'subscription { reviewAdded { nope } }');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const badToken = await subscribeMultipart(graph.gateway.url, JOINED, { authorization: 'Bearer nope' });
    expect(badToken.status).toBe(401);
    expect(((await badToken.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    // A form-like POST (text/plain) a page on another site could send: refused before anything runs.
    const forged = await fetch(graph.gateway.url, { method: 'POST', headers: { accept: ACCEPT, 'content-type': 'text/plain' }, body: JSON.stringify({ query: JOINED }) });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('CSRF_PREVENTED');
    expect(reviewFeed.subscribers).toBe(0);

    // A query with the multipart accept header is still a query, answered as one.
    const query = await fetch(graph.gateway.url, { method: 'POST', headers: { accept: ACCEPT, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ topProducts(first: 1) { name } }' }) });
    expect(await query.json()).toEqual({ data: { topProducts: [{ name: 'Table' }] } });
  });
});

describe('per-client connection caps and browser guards', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    graph = await startSubscriptionGraph((config) => {
      config.subscriptions.maxConnectionsPerClient = 3;
      config.server.cors.origins = ['https://app.example'];
    });
  });
  afterAll(() => graph?.close());
  afterEach(() => noLeaks(graph));

  /** Opens one connection of the given kind; resolves to how it went and how to close it. */
  async function open(kind: 'ws' | 'sse' | 'multipart', token: string): Promise<{ ok: boolean; code?: string; close: () => Promise<void> }> {
    const query = 'subscription { reviewAdded { body } }';
    if (kind === 'ws') {
      const socket = new WebSocket(graph.wsUrl, 'graphql-transport-ws');
      const messages: string[] = [];
      socket.on('message', (data) => messages.push(String(data)));
      const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      const first = await Promise.race([closed, new Promise<'ack'>((resolve) => socket.once('message', () => resolve('ack')))]);
      if (first !== 'ack') return { ok: false, code: first.reason.split(':')[0], close: async () => undefined };
      return {
        ok: true,
        close: async () => {
          socket.close();
          await closed;
        },
      };
    }
    const controller = new AbortController();
    const accept = kind === 'sse' ? 'text/event-stream' : ACCEPT;
    const response = await fetch(graph.gateway.url, {
      method: 'POST',
      headers: { accept, 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    if (response.status !== 200) {
      const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      return { ok: false, code: body.errors[0].extensions.code, close: async () => undefined };
    }
    return {
      ok: true,
      close: async () => {
        controller.abort();
        await response.body?.cancel().catch(() => undefined);
      },
    };
  }

  it('holds a client to maxConnectionsPerClient across protocols, under a race, and frees a slot when one closes', async () => {
    const token = await graph.sign({ sub: 'capped' });
    const kinds = ['ws', 'sse', 'multipart', 'ws', 'sse', 'multipart', 'ws'] as const;
    // Seven at once for a cap of three: exactly three get in, whatever the interleaving.
    const opened = await Promise.all(kinds.map((kind) => open(kind, token)));
    const admitted = opened.filter((o) => o.ok);
    expect(admitted).toHaveLength(3);
    for (const refused of opened.filter((o) => !o.ok)) expect(refused.code).toBe('SUBSCRIPTION_CONNECTION_LIMIT_EXCEEDED');
    // Another client is not affected.
    const other = await open('sse', await graph.sign({ sub: 'someone-else' }));
    expect(other.ok).toBe(true);
    await other.close();

    // Close one: its slot comes back (the gateway learns of the close asynchronously; retry until it has).
    await admitted[0].close();
    let again = await open('multipart', token);
    for (let i = 0; !again.ok && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      again = await open('multipart', token);
    }
    expect(again.ok).toBe(true);
    expect((await open('ws', token)).code).toBe('SUBSCRIPTION_CONNECTION_LIMIT_EXCEEDED');
    await Promise.all([again, ...admitted.slice(1)].map((o) => o.close()));
  });

  it('applies CSRF prevention to the SSE entry: no GET or form-like POST a browser sends without a preflight', async () => {
    const query = encodeURIComponent('subscription { reviewAdded { body } }');
    const get = await fetch(`${graph.gateway.url}?query=${query}`, { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(400);
    expect(((await get.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('CSRF_PREVENTED');
    const form = await fetch(graph.gateway.url, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'text/plain' }, body: JSON.stringify({ query: 'subscription { reviewAdded { body } }' }) });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('CSRF_PREVENTED');
    expect(reviewFeed.subscribers).toBe(0);

    // With a header only a preflighted request can carry, the same GET streams.
    const controller = new AbortController();
    const allowed = await fetch(`${graph.gateway.url}?query=${query}`, { headers: { accept: 'text/event-stream', 'apollo-require-preflight': 'true' }, signal: controller.signal });
    expect(allowed.status).toBe(200);
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    controller.abort();
    await allowed.body?.cancel().catch(() => undefined);
  });

  it('refuses a WebSocket upgrade from an Origin that is not allowed (cross-site WebSocket hijacking)', async () => {
    const attempt = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        const socket = new WebSocket(graph.wsUrl, 'graphql-transport-ws', { headers });
        socket.once('open', () => {
          socket.close();
          resolve({ status: 101, body: '' });
        });
        socket.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += String(chunk)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        socket.once('error', () => undefined);
      });
    const evil = await attempt({ origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).errors[0].extensions.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await attempt({ origin: 'null' })).status).toBe(403);
    // A look-alike that only starts with an allowed origin.
    expect((await attempt({ origin: 'https://app.example.evil.example' })).status).toBe(403);
    expect((await attempt({ origin: 'https://app.example' })).status).toBe(101);
    // The gateway's own page, and non-browser clients (no Origin), are allowed.
    expect((await attempt({ origin: graph.gateway.baseUrl })).status).toBe(101);
    expect((await attempt({})).status).toBe(101);
    // And the real graphql-ws client (no Origin) still subscribes.
    const client = wsClient(graph.wsUrl);
    const sub = collect(client, 'subscription { reviewAdded { body } }');
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    sub.unsubscribe();
    await client.dispose();
  });
});

describe('multipart HTTP subscriptions at shutdown', () => {
  it('completes with the closing boundary at graceful shutdown', async () => {
    const own = await startSubscriptionGraph();
    try {
      const response = await subscribeMultipart(own.gateway.url, JOINED);
      const reader = new MultipartReader(response);
      await until(() => own.gateway.subscriptions!.counts.clients === 1, 'subscribed');
      await own.gateway.close();
      await reader.done;
      expect(reader.closed).toBe(true);
      expect(reader.payloads).toEqual([]);
      await until(() => reviewFeed.subscribers === 0, 'the upstream to close at shutdown');
      // (Closing the subgraphs while the gateway's upstream socket still closes leaves a rejection behind in the
      // example subgraph's graphql-ws server: wait, as the WebSocket/SSE shutdown test does.)
      await until(() => own.subgraphs.servers.reviews.subscriptions!.connections === 0, 'upstream sockets to close at shutdown');
    } finally {
      await own.subgraphs.close();
    }
  });
});

describe('rate limits per event (subscriptions.limitEvents)', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    // The policy stage's clock starts at a window's start and barely moves: a slow run can't cross into the next window.
    const clock = windowClock(60_000);
    graph = await startSubscriptionGraph(
      (config) => {
        config.subscriptions.limitEvents = true;
        // Three calls a minute per anonymous client (signed-in ones, plan `free`, unlimited): the subscribe counts once,
        // then each event once.
        config.rateLimits.fields['Subscription.reviewAdded'] = { max: 3, window: 60_000, plans: { free: 'unlimited' } };
      },
      { now: clock.now },
    );
  });
  afterAll(() => graph?.close());
  afterEach(() => noLeaks(graph));

  it('counts each delivered event against the client’s field limit: over it, the event is nulled with RATE_LIMITED, other clients unaffected', async () => {
    const limited = wsClient(graph.wsUrl);
    const other = wsClient(graph.wsUrl, { authorization: `Bearer ${await graph.sign({ sub: 'other' })}` });
    const query = 'subscription { reviewAdded { body product { name } } }';
    const subs = [collect(limited, query), collect(other, query)];
    await until(() => graph.gateway.subscriptions!.counts.clients === 2 && reviewFeed.subscribers === 2, 'both subscribed (one upstream each: their forwarded identities differ)', 5000, () => JSON.stringify(graph.gateway.subscriptions!.counts));
    for (const body of ['One.', 'Two.', 'Three.']) await addReview(graph.gateway.url, '1', body);
    await Promise.all(subs.map((s) => s.waitFor(3)));
    const [mine, theirs] = subs.map((s) => s.results);
    expect(mine.slice(0, 2)).toEqual([{ data: { reviewAdded: { body: 'One.', product: { name: 'Table' } } } }, { data: { reviewAdded: { body: 'Two.', product: { name: 'Table' } } } }]);
    expect(mine[2].data).toEqual({ reviewAdded: null });
    expect(mine[2].errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(theirs.map((r) => (r.data as { reviewAdded: { body: string } }).reviewAdded.body)).toEqual(['One.', 'Two.', 'Three.']);
    // The limited subscription stays open: an event in a new window is delivered again.
    expect(graph.gateway.subscriptions!.counts.clients).toBe(2);
    for (const s of subs) s.unsubscribe();
    await Promise.all([limited.dispose(), other.dispose()]);
  });
});

describe('the README’s multipart and wscat examples', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    graph = await startSubscriptionGraph();
  });
  afterAll(() => graph?.close());
  afterEach(() => noLeaks(graph));

  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Subscriptions'));

  it('answers the multipart curl with the part the README shows', async () => {
    const command = /curl -N \S+ -H '(accept: multipart[^']*)' -H 'content-type: application\/json' \\\n\s+-d '([^']*)'/.exec(section);
    const shown = /```text\n(--graphql\n[^`]*?\{"payload"[^\n]*)\n--graphql\n```/.exec(section)?.[1];
    expect(command && shown).toBeTruthy();
    const accept = command![1].slice('accept: '.length);
    const response = await fetch(graph.gateway.url, { method: 'POST', headers: { accept, 'content-type': 'application/json' }, body: command![2] });
    const reader = new MultipartReader(response);
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '1', 'Sturdy.');
    await until(() => reader.payloads.length === 1, 'the event');
    const part = shown!.split('\n');
    expect(part[1]).toBe('content-type: application/json; charset=utf-8');
    expect(JSON.parse(part.at(-1)!)).toEqual({ payload: reader.payloads[0] });
    await reader.cancel();
  });

  it('answers the wscat messages with the same event', async () => {
    const lines = [...section.matchAll(/^> (\{.*\})$/gm)].map((m) => m[1]);
    expect(lines).toHaveLength(2);
    expect(section).toContain('npx wscat -c ws://127.0.0.1:4000/graphql -s graphql-transport-ws');
    const socket = new WebSocket(graph.wsUrl, 'graphql-transport-ws');
    const received: Array<{ type: string; payload?: unknown }> = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(lines[0]);
    await until(() => received.length === 1, 'connection_ack');
    expect(received[0].type).toBe('connection_ack');
    socket.send(lines[1]);
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    await addReview(graph.gateway.url, '1', 'Sturdy.');
    await until(() => received.length === 2, 'the event');
    expect(received[1]).toEqual({ id: '1', type: 'next', payload: { data: { reviewAdded: { body: 'Sturdy.', product: { name: 'Table' } } } } });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
  });
});

describe('a slow multipart reader', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    graph = await startSubscriptionGraph((config) => {
      config.subscriptions.maxBufferedEvents = 8;
    });
  });
  afterAll(() => graph?.close());
  afterEach(() => noLeaks(graph));

  it('is ended with SUBSCRIPTION_CLIENT_TOO_SLOW as a transport error, its buffer dropped, other clients untouched', async () => {
    const fast = wsClient(graph.wsUrl);
    const fastSub = collect(fast, 'subscription { reviewAdded { body } }');
    // A raw HTTP client that stops reading its socket once the stream has started (HTTP/1.0: no chunked framing
    // between the parts, the connection closes at the end).
    const { host, port } = new URL(graph.gateway.url);
    const socket = connect({ host: host.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), port: Number(port) });
    const body = JSON.stringify({ query: 'subscription { reviewAdded { body } }' });
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /graphql HTTP/1.0\r\nhost: ${host}\r\naccept: ${ACCEPT}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await until(() => graph.gateway.subscriptions!.counts.clients === 2 && text.includes('{}'), 'both subscribed, the stream started');
    await until(() => reviewFeed.subscribers === 1, 'the upstream subscription');
    socket.pause();

    const big = 'x'.repeat(64 * 1024);
    let published = 0;
    const product = { upc: '1', reviews: [] };
    const author = { id: '1', username: 'urigo', reviews: [] };
    // Publish until the gateway gives up on the slow reader (kernel buffers first take a few MB).
    while (graph.gateway.subscriptions!.counts.clients === 2 && published < 2_000) {
      for (let i = 0; i < 10; i++) reviewFeed.publish({ id: `slow-mp-${published++}`, body: big, product, author } as never);
      await fastSub.waitFor(published);
    }
    expect(graph.gateway.subscriptions!.counts.clients).toBe(1);
    expect(fastSub.results).toHaveLength(published);

    socket.resume();
    await until(() => text.includes('--graphql--'), 'the slow reader to read to the end', 60_000);
    const parts = text.split('\r\n--graphql').slice(1, -1).map((p) => JSON.parse(p.slice(p.indexOf('\r\n\r\n') + 4)) as { payload?: unknown; errors?: Array<{ extensions: { code: string } }> });
    const last = parts.at(-1)!;
    expect(last.payload).toBeNull();
    expect(last.errors![0].extensions.code).toBe('SUBSCRIPTION_CLIENT_TOO_SLOW');
    // It got less than everything: what it could not take was dropped, not buffered.
    expect(parts.filter((p) => p.payload).length).toBeLessThan(published);
    socket.destroy();
    fastSub.unsubscribe();
    await fast.dispose();
  }, 120_000); // pushes megabytes through a paused socket: slow on a loaded machine, never a timing assertion
});
