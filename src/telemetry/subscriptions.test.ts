// The subscription recorder on its own: Prometheus instruments read back from a registry, access-log lines from a
// pino sink, the dashboard's view on a hand-driven clock; hostile names and codes stay bounded and apart.
import pino from 'pino';
import { Registry } from 'prom-client';
import { ANONYMOUS, type Principal } from '../identity/principal';
import { OVERFLOW_LABEL } from './labels';
import { MAX_GROUPS_SHOWN, SubscriptionRecorder } from './subscriptions';

const PLANS = { defaultPlan: 'signed-in', anonymousPlan: 'anonymous' };
const acme: Principal = { kind: 'apiKey', key: 'k', authenticated: true, client: 'acme', plan: 'pro', scopes: new Set(), claims: {} };

function setUp() {
  let now = 1_000_000;
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) });
  const registry = new Registry();
  const overflows: string[] = [];
  const recorder = new SubscriptionRecorder({ registry, accessLog: logger.child({ log: 'access' }), plans: PLANS, onLabelOverflow: (l) => overflows.push(l), now: () => now });
  const value = async (name: string, labels: Record<string, string>) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const found = (metric?.values as Array<{ labels: Record<string, string>; value: number }> | undefined)?.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return found?.value;
  };
  return { recorder, lines, value, overflows, advance: (ms: number) => (now += ms), at: () => now };
}

const start = (principal: Principal, operationName: string | undefined, protocol: 'ws' | 'sse' = 'ws') => ({ protocol, requestId: 'req-1', principal, operationName, operationHash: 'abc123', subgraph: 'reviews' });

describe('SubscriptionRecorder', () => {
  it('counts opened, delivered and ended subscriptions and writes one access-log line when each ends', async () => {
    const t = setUp();
    const a = t.recorder.opened(start(acme, 'NewReviews'));
    const b = t.recorder.opened(start(ANONYMOUS, undefined, 'sse'));
    t.recorder.event('reviews');
    a.delivered();
    b.delivered();
    t.advance(1500);
    a.delivered();
    expect(await t.value('tollgate_subscriptions_open', { protocol: 'ws' })).toBe(1);
    expect(await t.value('tollgate_subscriptions_open', { protocol: 'sse' })).toBe(1);
    expect(await t.value('tollgate_subscription_events_total', { subgraph: 'reviews' })).toBe(1);
    expect(await t.value('tollgate_subscription_events_delivered_total', { protocol: 'ws', subgraph: 'reviews' })).toBe(2);
    expect(await t.value('tollgate_subscription_events_delivered_total', { protocol: 'sse', subgraph: 'reviews' })).toBe(1);

    a.ended('error', 'SUBSCRIPTION_TOKEN_EXPIRED');
    a.ended('complete', undefined); // a second end is ignored
    a.delivered(); // and so are events after the end
    b.ended('client', undefined);
    expect(await t.value('tollgate_subscriptions_open', { protocol: 'ws' })).toBe(0);
    expect(await t.value('tollgate_subscriptions_ended_total', { protocol: 'ws', reason: 'error', code: 'SUBSCRIPTION_TOKEN_EXPIRED' })).toBe(1);
    expect(await t.value('tollgate_subscriptions_ended_total', { protocol: 'sse', reason: 'client', code: 'none' })).toBe(1);
    expect(await t.value('tollgate_subscriptions_ended_total', { protocol: 'ws', reason: 'complete', code: 'none' })).toBe(0);

    expect(t.lines).toEqual([
      expect.objectContaining({ log: 'access', msg: 'subscription ended', requestId: 'req-1', client: 'acme', plan: 'pro', operationName: 'NewReviews', operationType: 'subscription', operationHash: 'abc123', protocol: 'ws', subgraph: 'reviews', durationMs: 1500, events: 2, reason: 'error', code: 'SUBSCRIPTION_TOKEN_EXPIRED' }),
      expect.objectContaining({ log: 'access', client: 'anonymous', plan: 'anonymous', protocol: 'sse', events: 1, reason: 'client' }),
    ]);
    expect(t.lines[1]).not.toHaveProperty('code');
    expect(t.lines[1]).not.toHaveProperty('operationName');
  });

  it('shows open subscriptions by operation and client, with events per second over the last 10 s', () => {
    const t = setUp();
    const first = Array.from({ length: 3 }, () => t.recorder.opened(start(acme, 'NewReviews')));
    const other = t.recorder.opened(start(ANONYMOUS, 'NewReviews', 'sse'));
    for (let second = 0; second < 10; second++) {
      t.recorder.event('reviews');
      for (const s of first) s.delivered();
      other.delivered();
      t.advance(1000);
    }
    const view = t.recorder.view(t.at() - 1000, 5 * 60_000, 5_000);
    expect(view.open).toBe(4);
    expect(view.deliveredPerSecond).toBeCloseTo(4, 5);
    expect(view.receivedPerSecond).toBeCloseTo(1, 5);
    expect(view.byOperation).toEqual([
      { operation: 'NewReviews', client: 'acme', open: 3, protocols: { ws: 3 }, eventsPerSecond: 3 },
      { operation: 'NewReviews', client: 'anonymous', open: 1, protocols: { sse: 1 }, eventsPerSecond: 1 },
    ]);
    expect(view.series.deliveredPerSecond).toHaveLength(60);
    expect(view.series.deliveredPerSecond.slice(-2)).toEqual([4, 4]);
    // Long after, nothing is delivered any more; a group whose last subscription ended is gone.
    for (const s of first) s.ended('complete', undefined);
    const later = t.recorder.view(t.at() + 60_000, 5 * 60_000, 5_000);
    expect(later.deliveredPerSecond).toBe(0);
    expect(later.byOperation).toEqual([{ operation: 'NewReviews', client: 'anonymous', open: 1, protocols: { sse: 1 }, eventsPerSecond: 0 }]);
  });

  it('keeps hostile names apart and bounded: separators, long names, many groups, invented codes', async () => {
    const t = setUp();
    // Without length-prefixed keys these two would share a row ("a|b" + "c" vs "a" + "b|c").
    const client = (name: string): Principal => ({ ...acme, client: name });
    t.recorder.opened(start(client('c'), 'a|b'));
    t.recorder.opened(start(client('b|c'), 'a'));
    t.recorder.opened(start(client('x'.repeat(10_000)), 'y'.repeat(10_000)));
    const view = t.recorder.view(t.at(), 60_000, 5_000);
    expect(view.byOperation.map((r) => [r.operation, r.client])).toEqual(expect.arrayContaining([['a|b', 'c'], ['a', 'b|c']]));
    expect(Math.max(...view.byOperation.map((r) => r.operation.length + r.client.length))).toBeLessThanOrEqual(2 * (128 + 40)); // each kept to 128 characters plus "… (N more characters)"

    for (let i = 0; i < 100; i++) t.recorder.opened(start(acme, `Op${i}`));
    expect(t.recorder.view(t.at(), 60_000, 5_000).byOperation).toHaveLength(MAX_GROUPS_SHOWN);

    // Subgraphs may end subscriptions with any code: the label is capped, the rest count as __other__.
    for (let i = 0; i < 150; i++) t.recorder.opened(start(acme, 'Codes')).ended('error', `SUBGRAPH_CODE_${i}`);
    expect(await t.value('tollgate_subscriptions_ended_total', { code: 'SUBGRAPH_CODE_0' })).toBe(1);
    expect(await t.value('tollgate_subscriptions_ended_total', { code: OVERFLOW_LABEL })).toBe(50);
    expect(t.overflows).toHaveLength(50);
    expect(new Set(t.overflows)).toEqual(new Set(['code']));
  });

  it('counts and logs refused subscribes by code, bounded like the end codes', async () => {
    const t = setUp();
    t.recorder.refused('ws', 'req-9', acme, [{ message: 'no', extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' } }]);
    t.recorder.refused('sse', 'req-10', ANONYMOUS, [{ message: 'no code at all' }]);
    t.recorder.refused('ws', 'req-11', acme, [{ message: 'x', extensions: { code: 'C'.repeat(5_000) } }]);
    expect(await t.value('tollgate_subscription_rejections_total', { protocol: 'ws', code: 'SUBSCRIPTION_LIMIT_EXCEEDED' })).toBe(1);
    expect(await t.value('tollgate_subscription_rejections_total', { protocol: 'sse', code: 'INTERNAL_SERVER_ERROR' })).toBe(1);
    expect(t.lines[0]).toEqual(expect.objectContaining({ log: 'access', msg: 'subscription refused', requestId: 'req-9', client: 'acme', plan: 'pro', protocol: 'ws', outcome: 'rejected', rejectionCode: 'SUBSCRIPTION_LIMIT_EXCEEDED' }));
    expect(String(t.lines[2].rejectionCode).length).toBeLessThan(200);
    // Nothing was opened.
    expect(t.recorder.view(t.at(), 60_000, 5_000).open).toBe(0);
  });

  it('writes no access-log line when the access log is off, and still counts', async () => {
    const registry = new Registry();
    const recorder = new SubscriptionRecorder({ registry, plans: PLANS });
    recorder.opened(start(acme, 'Quiet')).ended('complete', undefined);
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'tollgate_subscriptions_ended_total');
    expect((metric?.values as Array<{ labels: Record<string, string>; value: number }>).find((v) => v.labels.protocol === 'ws' && v.labels.reason === 'complete')?.value).toBe(1);
  });
});
