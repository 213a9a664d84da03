// Alert rules as pure functions: measure each rule against a snapshot of the live windows and usage, then step
// each alert's state machine (inactive → pending → firing → resolved). No clock, no I/O: `now` is passed in.
// An episode fires once when its condition has held for `for`, and resolves once when the condition clears.
import type { AlertRule } from './config';
import type { REQUEST_COUNTERS, FETCH_COUNTERS } from '../liveWindows';
import type { MeteredCounts } from '../metering/counts';
import { quantileMs, type WindowTotals } from '../window';

/** What the rules look at, fixed at one instant. */
export interface AlertSnapshot {
  requests(windowMs: number): WindowTotals<(typeof REQUEST_COUNTERS)[number]>;
  services(windowMs: number): Array<{ service: string; totals: WindowTotals<(typeof FETCH_COUNTERS)[number]> }>;
  /** Usage of the current UTC hour or day (all gateways sharing the usage store). */
  usage(period: 'hour' | 'day'): MeteredCounts[];
}

/** One alert's condition right now. `key` identifies the episode's subject: the rule, plus a service or client. */
export interface Measurement {
  key: string;
  rule: string;
  kind: AlertRule['kind'];
  subject?: string;
  value: number;
  threshold: number;
  active: boolean;
  summary: string;
}

export interface AlertState {
  key: string;
  rule: string;
  /** When the condition started holding (epoch ms). */
  since: number;
  firing: boolean;
  last: Measurement;
}

export interface AlertEvent {
  state: 'firing' | 'resolved';
  rule: string;
  kind: AlertRule['kind'];
  key: string;
  subject?: string;
  value: number;
  threshold: number;
  summary: string;
  /** When the episode's condition started holding, and when this event happened (ISO 8601). */
  startedAt: string;
  at: string;
}

export function measureRule(rule: AlertRule, snapshot: AlertSnapshot): Measurement[] {
  const base = { rule: rule.name, kind: rule.kind };
  switch (rule.kind) {
    case 'errorRate': {
      const { counts } = snapshot.requests(rule.window);
      const value = counts.requests > 0 ? counts.errors / counts.requests : 0;
      const active = counts.requests >= rule.minRequests && value >= rule.threshold;
      return [{ ...base, key: rule.name, value, threshold: rule.threshold, active, summary: `error rate ${percent(value)} over ${counts.requests} requests (threshold ${percent(rule.threshold)})` }];
    }
    case 'p99Latency': {
      const { counts, histogram } = snapshot.requests(rule.window);
      const value = quantileMs(histogram, 0.99) ?? 0;
      const active = counts.requests >= rule.minRequests && value >= rule.threshold;
      return [{ ...base, key: rule.name, value, threshold: rule.threshold, active, summary: `p99 latency ${Math.round(value)}ms over ${counts.requests} requests (threshold ${rule.threshold}ms)` }];
    }
    case 'subgraphDown':
      return snapshot
        .services(rule.window)
        .filter(({ service }) => rule.subgraph === undefined || service === rule.subgraph)
        .map(({ service, totals: { counts } }) => {
          const value = counts.calls > 0 ? counts.failures / counts.calls : 0;
          const active = counts.calls >= rule.minCalls && value >= rule.threshold;
          return { ...base, key: `${rule.name}:${service}`, subject: service, value, threshold: rule.threshold, active, summary: `${service}: ${counts.failures} of ${counts.calls} calls failed` };
        });
    case 'clientBudget': {
      const used = new Map<string, { plan: string; value: number }>();
      for (const c of snapshot.usage(rule.period)) {
        const entry = used.get(c.client) ?? { plan: c.plan, value: 0 };
        entry.value += rule.metric === 'operations' ? c.operations : rule.metric === 'estimatedCost' ? c.estimatedCost : c.actualCost;
        used.set(c.client, entry);
      }
      const out: Measurement[] = [];
      for (const [client, { plan, value }] of used) {
        const budget = rule.budgets.clients[client] ?? rule.budgets.plans[plan] ?? rule.budgets.default;
        if (budget === undefined) continue;
        for (const fraction of rule.thresholds) {
          const share = value / budget;
          out.push({
            ...base,
            key: `${rule.name}:${client}:${Math.round(fraction * 100)}%`,
            subject: client,
            value: share,
            threshold: fraction,
            active: share >= fraction,
            summary: `${client} used ${percent(share)} of its ${rule.period === 'day' ? 'daily' : 'hourly'} ${rule.metric} budget (${round(value)} of ${budget}; threshold ${percent(fraction)})`,
          });
        }
      }
      return out;
    }
  }
}

/**
 * Steps every alert: a condition that has held for the rule's `for` fires once; a firing alert whose condition no
 * longer holds (or is no longer measured, e.g. a new budget period) resolves once. Returns the next state.
 */
export function stepAlerts(
  rules: readonly AlertRule[],
  measurements: readonly Measurement[],
  previous: ReadonlyMap<string, AlertState>,
  now: number,
): { state: Map<string, AlertState>; events: AlertEvent[] } {
  const holdFor = new Map(rules.map((r) => [r.name, r.for]));
  const state = new Map<string, AlertState>();
  const events: AlertEvent[] = [];
  const seen = new Set<string>();
  for (const m of measurements) {
    seen.add(m.key);
    const before = previous.get(m.key);
    if (!m.active) {
      if (before?.firing) events.push(event('resolved', before, m, now));
      continue;
    }
    const since = before?.since ?? now;
    const firing = before?.firing || now - since >= (holdFor.get(m.rule) ?? 0);
    const next: AlertState = { key: m.key, rule: m.rule, since, firing, last: m };
    if (firing && !before?.firing) events.push(event('firing', next, m, now));
    state.set(m.key, next);
  }
  for (const [key, before] of previous) {
    if (!seen.has(key) && before.firing) events.push(event('resolved', before, { ...before.last, active: false }, now));
  }
  return { state, events };
}

function event(kind: AlertEvent['state'], state: AlertState, m: Measurement, now: number): AlertEvent {
  return {
    state: kind,
    rule: m.rule,
    kind: m.kind,
    key: m.key,
    subject: m.subject,
    value: m.value,
    threshold: m.threshold,
    summary: m.summary,
    startedAt: new Date(state.since).toISOString(),
    at: new Date(now).toISOString(),
  };
}

function percent(fraction: number): string {
  return `${round(fraction * 100)}%`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
