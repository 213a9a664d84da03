// The alert rules as pure functions: each episode fires once and resolves once, `for` delays firing, one alert
// per subgraph, budgets at 80 % and 100 % as separate episodes that resolve when the period rolls over.
import { buildConfig } from '../../config/load';
import type { AlertRule } from './config';
import { emptyCounts, type MeteredCounts } from '../metering/counts';
import { LATENCY_BUCKETS, latencyBucket } from '../window';
import { measureRule, stepAlerts, type AlertSnapshot, type AlertState } from './evaluate';

function rules(raw: unknown[]): AlertRule[] {
  return [...buildConfig({ alerts: { rules: raw } }, { baseDir: '/' }).alerts.rules];
}

interface Traffic {
  requests?: number;
  errors?: number;
  latencyMs?: number;
  services?: Record<string, { calls: number; failures: number }>;
  usage?: MeteredCounts[];
}

function snapshot(t: Traffic): AlertSnapshot {
  const histogram = new Uint32Array(LATENCY_BUCKETS);
  if (t.latencyMs !== undefined) histogram[latencyBucket(t.latencyMs)] = t.requests ?? 0;
  return {
    requests: () => ({ counts: { requests: t.requests ?? 0, errors: t.errors ?? 0, rejected: 0, limited: 0 }, histogram }),
    services: () => Object.entries(t.services ?? {}).map(([service, counts]) => ({ service, totals: { counts, histogram: new Uint32Array(LATENCY_BUCKETS) } })),
    usage: () => t.usage ?? [],
  };
}

/** Runs the rules over a sequence of (time, traffic) and returns every event. */
function run(ruleSet: AlertRule[], steps: Array<[number, Traffic]>) {
  let state: Map<string, AlertState> = new Map();
  const events = [];
  for (const [now, traffic] of steps) {
    const measurements = ruleSet.flatMap((rule) => measureRule(rule, snapshot(traffic)));
    const next = stepAlerts(ruleSet, measurements, state, now);
    state = next.state;
    events.push(...next.events);
  }
  return { events, state };
}

describe('error rate', () => {
  const [rule] = rules([{ name: 'errors', kind: 'errorRate', threshold: 0.1, minRequests: 10 }]);

  it('fires once per episode and resolves once when the rate drops', () => {
    const bad = { requests: 100, errors: 30 };
    const good = { requests: 100, errors: 1 };
    const { events } = run([rule], [[0, good], [1_000, bad], [2_000, bad], [3_000, bad], [4_000, good], [5_000, good], [6_000, bad]]);
    expect(events.map((e) => [e.state, e.at])).toEqual([
      ['firing', new Date(1_000).toISOString()],
      ['resolved', new Date(4_000).toISOString()],
      ['firing', new Date(6_000).toISOString()],
    ]);
    expect(events[1]).toMatchObject({ rule: 'errors', key: 'errors', startedAt: new Date(1_000).toISOString() });
    expect(events[0].summary).toContain('30%');
  });

  it('needs minRequests before it fires', () => {
    expect(run([rule], [[0, { requests: 5, errors: 5 }]]).events).toEqual([]);
  });

  it('waits `for` before firing, and forgets a condition that cleared before that', () => {
    const [slow] = rules([{ name: 'errors', kind: 'errorRate', threshold: 0.1, minRequests: 1, for: '30s' }]);
    const bad = { requests: 10, errors: 5 };
    const good = { requests: 10, errors: 0 };
    expect(run([slow], [[0, bad], [20_000, good], [40_000, bad], [60_000, bad]]).events).toEqual([]);
    const { events } = run([slow], [[0, bad], [10_000, bad], [30_000, bad], [40_000, bad]]);
    expect(events.map((e) => [e.state, e.at, e.startedAt])).toEqual([['firing', new Date(30_000).toISOString(), new Date(0).toISOString()]]);
  });
});

describe('p99 latency', () => {
  it('fires when the estimated p99 passes the threshold', () => {
    const [rule] = rules([{ name: 'slow', kind: 'p99Latency', threshold: '500ms', minRequests: 10 }]);
    const { events } = run([rule], [[0, { requests: 50, latencyMs: 20 }], [1_000, { requests: 50, latencyMs: 900 }], [2_000, { requests: 50, latencyMs: 30 }]]);
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(events[0].value).toBeGreaterThan(500);
  });
});

describe('subgraph down', () => {
  const [rule] = rules([{ name: 'down', kind: 'subgraphDown', minCalls: 3 }]);

  it('keeps one episode per subgraph', () => {
    const { events } = run(
      [rule],
      [
        [0, { services: { a: { calls: 5, failures: 5 }, b: { calls: 5, failures: 0 } } }],
        [1_000, { services: { a: { calls: 5, failures: 5 }, b: { calls: 4, failures: 4 } } }],
        [2_000, { services: { a: { calls: 5, failures: 1 }, b: { calls: 4, failures: 4 } } }],
      ],
    );
    expect(events.map((e) => [e.state, e.subject, e.key])).toEqual([
      ['firing', 'a', 'down:a'],
      ['firing', 'b', 'down:b'],
      ['resolved', 'a', 'down:a'],
    ]);
  });

  it('resolves when a subgraph has no more calls in the window, and can watch one subgraph only', () => {
    const [only] = rules([{ name: 'down', kind: 'subgraphDown', subgraph: 'b', minCalls: 1 }]);
    const { events } = run([only], [[0, { services: { a: { calls: 5, failures: 5 }, b: { calls: 1, failures: 1 } } }], [1_000, { services: {} }]]);
    expect(events.map((e) => [e.state, e.subject])).toEqual([['firing', 'b'], ['resolved', 'b']]);
  });
});

describe('client budget', () => {
  const [rule] = rules([{ name: 'budget', kind: 'clientBudget', metric: 'operations', period: 'day', budgets: { clients: { acme: 100 }, plans: { free: 10 } } }]);
  const usage = (client: string, plan: string, operations: number) => ({ ...emptyCounts(0, client, plan), operations });

  it('fires at 80 % and at 100 % as separate episodes, per client, by client budget first then plan', () => {
    const { events } = run(
      [rule],
      [
        [0, { usage: [usage('acme', 'free', 50), usage('bob', 'free', 5)] }],
        [1_000, { usage: [usage('acme', 'free', 85), usage('bob', 'free', 9)] }],
        [2_000, { usage: [usage('acme', 'free', 99), usage('bob', 'free', 10)] }],
        [3_000, { usage: [usage('acme', 'free', 120), usage('bob', 'free', 12)] }],
      ],
    );
    expect(events.map((e) => [e.state, e.key])).toEqual([
      ['firing', 'budget:acme:80%'],
      ['firing', 'budget:bob:80%'],
      ['firing', 'budget:bob:100%'],
      ['firing', 'budget:acme:100%'],
    ]);
  });

  it('resolves both when a new period starts from zero, and ignores clients without a budget', () => {
    const [noDefault] = rules([{ name: 'budget', kind: 'clientBudget', metric: 'operations', budgets: { clients: { acme: 100 } } }]);
    const { events } = run([noDefault], [[0, { usage: [usage('acme', '', 100), usage('other', '', 1e6)] }], [1_000, { usage: [] }]]);
    expect(events.map((e) => [e.state, e.key])).toEqual([
      ['firing', 'budget:acme:80%'],
      ['firing', 'budget:acme:100%'],
      ['resolved', 'budget:acme:80%'],
      ['resolved', 'budget:acme:100%'],
    ]);
  });
});

it('rejects alert rules with duplicate names or windows past 15 minutes', () => {
  expect(() => rules([{ name: 'a', kind: 'errorRate', threshold: 0.1 }, { name: 'a', kind: 'p99Latency', threshold: '1s' }])).toThrow(/unique/);
  expect(() => rules([{ name: 'a', kind: 'errorRate', threshold: 0.1, window: '1h' }])).toThrow(/at most 15m/);
  expect(() => rules([{ name: 'a', kind: 'nope' }])).toThrow(/alerts.rules.0/);
});
