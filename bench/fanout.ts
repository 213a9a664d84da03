// The subscription fan-out scenario's load: N graphql-ws clients subscribe to one operation (the reviews subgraph's
// `reviewAdded`, joined with products, inventory and accounts), the bench publishes reviews on the subgraph at a fixed
// rate (addReview, straight to the subgraph), and every event each client receives is checked and timed from the
// moment it was published. No process management here: fanoutTarget.ts starts and measures the gateway around it,
// and test/bench-fanout.test.ts runs it in-process against a real gateway.
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const FANOUT_QUERY = 'subscription Fanout { reviewAdded { body product { upc name price inStock } author { name } } }';
/** What every event must carry besides its body: product 1 and author 1 of the example data, joined from three subgraphs. */
const EXPECTED = { product: { upc: '1', name: 'Table', price: 899, inStock: true }, author: { name: 'Uri Goldshtein' } };
const BODY_PREFIX = 'fanout ';
/** Clients connect this many at a time, so a thousand don't all hit connection_init at once. */
const CONNECT_BATCH = 50;

export interface FanoutLoadOptions {
  /** ws://…/graphql of the gateway. */
  wsUrl: string;
  /** http://…/graphql of the reviews subgraph itself (publishing is not the gateway's work). */
  publishUrl: string;
  clients: number;
  /** Events published per second. */
  rate: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** After the window: wait at most this long for events still on their way. */
  drainTimeoutMs?: number;
  /** Called at the edges of the measured window (CPU, RSS and upstream readings, while every client is still subscribed). */
  onWindow?: (edge: 'start' | 'end') => void | Promise<void>;
  log?: (line: string) => void;
}

export interface FanoutLoadResult {
  clients: number;
  /** Events published in the measured window, and the deliveries they should have made (× clients). */
  published: number;
  expected: number;
  delivered: number;
  /** Seconds from the first measured publish to the last measured delivery (or the drain timeout). */
  seconds: number;
  /** Seconds the measured publishing took (≈ durationSeconds unless the publisher fell behind). */
  publishSeconds: number;
  /** Publish → client latencies of the measured deliveries, sorted, in ms. */
  latenciesMs: Float64Array;
  /** Events with wrong content, GraphQL errors in events, and subscriptions that ended or failed early. */
  wrongEvents: number;
  errorSamples: string[];
  endedEarly: number;
  publishErrors: number;
}

const now = () => performance.timeOrigin + performance.now();

interface Subscriber {
  client: Client;
  /** Settles when the subscription ends for any reason (it should only end when the bench disposes it). */
  ended: Promise<void>;
  seen: number;
}

/** Runs the whole load: connect, subscribe, warm up until every client got an event, measure, drain, disconnect. */
export async function runFanoutLoad(o: FanoutLoadOptions): Promise<FanoutLoadResult> {
  const log = o.log ?? (() => undefined);
  const latencies = new Float64Array(Math.max(1, Math.ceil(o.rate * o.durationSeconds + 1) * o.clients));
  let recorded = 0;
  let lastDelivery = 0;
  /** Sequence numbers at or above this are measured; below, warm-up. */
  let firstMeasured = Number.POSITIVE_INFINITY;
  let lastMeasured = Number.NEGATIVE_INFINITY;
  const result = { wrongEvents: 0, errorSamples: [] as string[], endedEarly: 0, publishErrors: 0 };
  const wrong = (what: string) => {
    result.wrongEvents += 1;
    if (result.errorSamples.length < 5) result.errorSamples.push(what.slice(0, 300));
  };
  let disposing = false;

  const subscribers: Subscriber[] = [];
  const subscribe = (): Subscriber => {
    const client = createClient({ url: o.wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, lazyCloseTimeout: 0 });
    const subscriber: Subscriber = { client, ended: Promise.resolve(), seen: 0 };
    subscriber.ended = new Promise<void>((resolve) => {
      client.subscribe<{ reviewAdded?: { body?: string; product?: unknown; author?: unknown } }>(
        { query: FANOUT_QUERY },
        {
          next: (value) => {
            const at = now();
            const review = value.data?.reviewAdded;
            if (value.errors || !review?.body?.startsWith(BODY_PREFIX)) return wrong(JSON.stringify(value));
            if (JSON.stringify({ product: review.product, author: review.author }) !== JSON.stringify(EXPECTED)) return wrong(JSON.stringify(value));
            subscriber.seen += 1;
            const [seq, sentAt] = review.body.slice(BODY_PREFIX.length).split(' ').map(Number);
            if (seq >= firstMeasured && seq <= lastMeasured && recorded < latencies.length) {
              latencies[recorded++] = at - sentAt;
              lastDelivery = at;
            }
          },
          error: (error) => {
            if (!disposing) {
              result.endedEarly += 1;
              if (result.errorSamples.length < 5) result.errorSamples.push(`subscription failed: ${describe(error)}`);
            }
            resolve();
          },
          complete: () => {
            if (!disposing) result.endedEarly += 1;
            resolve();
          },
        },
      );
    });
    return subscriber;
  };

  let seq = 0;
  const publish = async (): Promise<void> => {
    const body = `${BODY_PREFIX}${seq++} ${now()}`;
    try {
      const response = await fetch(o.publishUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation Publish($body: String!) { addReview(upc: "1", body: $body) { id } }', variables: { body } }),
      });
      const json = (await response.json()) as { errors?: unknown };
      if (!response.ok || json.errors) result.publishErrors += 1;
    } catch {
      result.publishErrors += 1;
    }
  };
  /** Publishes at the fixed rate for `seconds` (each on its own schedule, not after the previous one's answer). */
  const publishFor = async (seconds: number): Promise<{ first: number; last: number }> => {
    const first = seq;
    const count = Math.max(1, Math.round(seconds * o.rate));
    const start = now();
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / o.rate;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(publish());
    }
    await Promise.all(pending);
    return { first, last: seq - 1 };
  };

  try {
    for (let i = 0; i < o.clients; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, o.clients - i) }, subscribe);
      subscribers.push(...batch);
      // lazy: false connects at once; wait for each socket's connection_ack before the next batch.
      await Promise.all(batch.map((s) => connected(s.client)));
    }
    log(`fan-out: ${o.clients} clients connected; warming up until each has an event`);
    // Warm-up: publish until every client has received at least one event (subscriptions are then open end to end).
    const warmupDeadline = Date.now() + Math.max(10, o.warmupSeconds * 4) * 1000;
    do {
      await publishFor(Math.max(1 / o.rate, o.warmupSeconds));
    } while (subscribers.some((s) => s.seen === 0) && Date.now() < warmupDeadline && result.endedEarly === 0);
    const waiting = subscribers.filter((s) => s.seen === 0).length;
    if (waiting > 0) throw new Error(`${waiting} of ${o.clients} clients received no event during the warm-up (${result.errorSamples[0] ?? 'no error seen'})`);
    // Let the warm-up's last events arrive before the window opens.
    await untilSettled(() => subscribers.reduce((n, s) => n + s.seen, 0), 500);

    firstMeasured = seq;
    lastMeasured = Number.POSITIVE_INFINITY;
    await o.onWindow?.('start');
    const windowStart = now();
    const { first, last } = await publishFor(o.durationSeconds);
    const publishSeconds = (now() - windowStart) / 1000;
    lastMeasured = last;
    const published = last - first + 1;
    const expected = published * o.clients;
    // Drain: events still in flight (or queued in the gateway) count, until all arrived or nothing moves.
    const drainDeadline = Date.now() + (o.drainTimeoutMs ?? 10_000);
    while (recorded < expected && Date.now() < drainDeadline) {
      const before = recorded;
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (recorded === before && now() - lastDelivery > 2_000) break;
    }
    await o.onWindow?.('end');
    const seconds = (Math.max(lastDelivery, windowStart) - windowStart) / 1000 || o.durationSeconds;
    const measured = latencies.slice(0, recorded).sort();
    return { clients: o.clients, published, expected, delivered: recorded, seconds, publishSeconds, latenciesMs: measured, ...result };
  } finally {
    disposing = true;
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    // Bounded: a subscription whose end never arrives must not hold the run.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, 1_000)));
    await Promise.race([Promise.all(subscribers.map((s) => s.ended)), timeout]);
    clearTimeout(timer);
  }
}

/** Resolves on the client's `connected` event (after connection_ack), rejects on its first error or close. */
function connected(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs = [
      client.on('connected', () => done(resolve)),
      client.on('error', (error) => done(() => reject(new Error(`WebSocket failed: ${describe(error)}`)))),
      client.on('closed', (event) => done(() => reject(new Error(`WebSocket closed before connection_ack: ${describe(event)}`)))),
    ];
    const done = (then: () => void) => {
      for (const off of offs) off();
      then();
    };
  });
}

/** Waits until `value()` stops changing for `quietMs`. */
async function untilSettled(value: () => number, quietMs: number): Promise<void> {
  let last = value();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (value() !== last) {
      last = value();
      since = Date.now();
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  // graphql-ws hands a protocol `error` message's GraphQL errors over as an array.
  if (Array.isArray(error)) return error.map((e: { message?: unknown; extensions?: { code?: unknown } }) => `${String(e?.extensions?.code ?? 'ERROR')}: ${String(e?.message)}`).join('; ');
  const close = error as { code?: unknown; reason?: unknown };
  if (typeof close?.code === 'number') return `close ${close.code}${close.reason ? ` ${String(close.reason)}` : ''}`;
  return String(error);
}

/** Percentile of sorted values (nearest rank). */
export function percentileOf(sorted: Float64Array, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
