// The record stage of subscriptions: one recorder the subscription code reports to (SubscriptionMetrics), feeding
// the Prometheus instruments (subscriptions/metrics.ts), one access-log line per subscription when it ends, and the
// live view the dashboard shows (open subscriptions by operation and client, events per second). Never fails a
// subscription: it only counts.
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { Principal } from '../identity/principal';
import type { Registry } from 'prom-client';
import type { Protocol, SubscriptionInstruments, SubscriptionMetrics, SubscriptionRecord, SubscriptionStart } from '../subscriptions/metrics';
import { NO_INSTRUMENTS, subscriptionInstruments } from '../subscriptions/metrics';
import type { EndReason } from '../subscriptions/stream';
import { MAX_LABEL_LENGTH, truncate } from '../util/bounded';
import { cacheKey } from '../util/cacheKey';
import { ANONYMOUS_OPERATION } from './metrics';
import { ANONYMOUS_CLIENT } from './record';
import { planOf, type PlanDefaults } from './recordStage';
import { RollingSeries } from './window';

/** Events per second on the dashboard are averaged over this long: short enough to follow a burst. */
export const RATE_WINDOW_MS = 10_000;
const RATE_SLOTS = RATE_WINDOW_MS / 1000;
/** Rows of the by-operation table: the busiest groups, by open subscriptions then events per second. */
export const MAX_GROUPS_SHOWN = 20;

const COUNTERS = ['delivered', 'received', 'opened', 'ended'] as const;
const [DELIVERED, RECEIVED, OPENED, ENDED] = [0, 1, 2, 3];

/** Counts per second over the last RATE_SLOTS seconds: a few hundred bytes per group, unlike a RollingSeries. */
class RecentCount {
  private readonly stamps = new Float64Array(RATE_SLOTS).fill(-1);
  private readonly counts = new Float64Array(RATE_SLOTS);

  add(now: number): void {
    const second = Math.floor(now / 1000);
    const slot = second % RATE_SLOTS;
    if (this.stamps[slot] !== second) {
      this.stamps[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] += 1;
  }

  /** Per second, over the RATE_SLOTS seconds ending with `now`'s. */
  perSecond(now: number): number {
    const last = Math.floor(now / 1000);
    let sum = 0;
    for (let slot = 0; slot < RATE_SLOTS; slot++) if (this.stamps[slot] > last - RATE_SLOTS && this.stamps[slot] <= last) sum += this.counts[slot];
    return sum / RATE_SLOTS;
  }
}

/** Open subscriptions of one operation by one client. Removed once none is open, so the map is bounded by them. */
interface Group {
  operation: string;
  client: string;
  open: number;
  protocols: Map<string, number>;
  events: RecentCount;
}

export interface SubscriptionsView {
  open: number;
  connections: Record<string, number>;
  /** Upstream subscriptions by subgraph (each fanned out to every client of it). */
  upstreams: Record<string, number>;
  deliveredPerSecond: number;
  receivedPerSecond: number;
  /** Over the window, one value per step, oldest first. */
  series: { deliveredPerSecond: Array<number | null>; receivedPerSecond: Array<number | null>; opened: Array<number | null>; ended: Array<number | null> };
  byOperation: Array<{ operation: string; client: string; open: number; protocols: Record<string, number>; eventsPerSecond: number }>;
}

export interface SubscriptionRecorderOptions {
  registry?: Registry;
  /** The access log's logger (a child with `log: access`); undefined when `logging.accessLog` is off. */
  accessLog?: Logger;
  plans: PlanDefaults;
  onLabelOverflow?: (label: string) => void;
  now?: () => number;
}

export class SubscriptionRecorder implements SubscriptionMetrics {
  private readonly instruments: SubscriptionInstruments;
  private readonly groups = new Map<string, Group>();
  private readonly connections = new Map<string, number>();
  private readonly upstreams = new Map<string, number>();
  private readonly totals = new RollingSeries(COUNTERS);
  private readonly delivery = new RecentCount();
  private readonly reception = new RecentCount();
  private readonly now: () => number;
  private open = 0;

  constructor(private readonly options: SubscriptionRecorderOptions) {
    this.instruments = options.registry ? subscriptionInstruments(options.registry, () => options.onLabelOverflow?.('code')) : NO_INSTRUMENTS;
    this.now = options.now ?? Date.now;
  }

  connection(protocol: Protocol, delta: 1 | -1): void {
    this.instruments.connection(protocol, delta);
    bump(this.connections, protocol, delta);
  }

  upstream(subgraph: string, delta: 1 | -1): void {
    this.instruments.upstream(subgraph, delta);
    bump(this.upstreams, subgraph, delta);
  }

  event(subgraph: string): void {
    this.instruments.received(subgraph);
    const now = this.now();
    this.totals.add(now, RECEIVED);
    this.reception.add(now);
  }

  opened(start: SubscriptionStart): SubscriptionRecord {
    const startedAt = this.now();
    const { protocol, principal, subgraph } = start;
    const client = clientOf(principal);
    const operation = start.operationName === undefined ? ANONYMOUS_OPERATION : truncate(start.operationName, MAX_LABEL_LENGTH);
    // Both strings come from the client: keyed collision-free.
    const key = cacheKey(operation, client);
    let group = this.groups.get(key);
    if (!group) {
      group = { operation, client, open: 0, protocols: new Map(), events: new RecentCount() };
      this.groups.set(key, group);
    }
    group.open += 1;
    bump(group.protocols, protocol, 1);
    this.open += 1;
    this.instruments.subscription(protocol, 1);
    this.totals.add(startedAt, OPENED);
    const joined = group;
    let events = 0;
    let done = false;
    return {
      delivered: () => {
        if (done) return;
        events += 1;
        const now = this.now();
        this.instruments.delivered(protocol, subgraph);
        this.totals.add(now, DELIVERED);
        this.delivery.add(now);
        joined.events.add(now);
      },
      ended: (reason: EndReason, code: string | undefined) => {
        if (done) return;
        done = true;
        const now = this.now();
        this.open -= 1;
        joined.open -= 1;
        bump(joined.protocols, protocol, -1);
        if (joined.open <= 0 && this.groups.get(key) === joined) this.groups.delete(key);
        this.instruments.subscription(protocol, -1);
        this.instruments.ended(protocol, reason, code);
        this.totals.add(now, ENDED);
        this.options.accessLog?.info(
          {
            requestId: start.requestId,
            client,
            plan: planOf(principal, this.options.plans),
            operationName: start.operationName,
            operationType: 'subscription',
            operationHash: start.operationHash,
            protocol,
            subgraph,
            durationMs: now - startedAt,
            events,
            reason,
            ...(code === undefined ? {} : { code }),
          },
          'subscription ended',
        );
      },
    };
  }

  refused(protocol: Protocol, requestId: string, principal: Principal, errors: readonly GraphQLFormattedError[]): void {
    const raw = errors[0]?.extensions?.code;
    const code = typeof raw === 'string' ? truncate(raw, MAX_LABEL_LENGTH) : 'INTERNAL_SERVER_ERROR';
    this.instruments.refused(protocol, code);
    this.options.accessLog?.info(
      { requestId, client: clientOf(principal), plan: planOf(principal, this.options.plans), operationType: 'subscription', protocol, outcome: 'rejected', rejectionCode: code },
      'subscription refused',
    );
  }

  /** What the dashboard shows, at `now`, over the window in steps. */
  view(now: number, windowMs: number, stepMs: number): SubscriptionsView {
    const perStep = (values: Array<number | null>) => values.map((v) => (v === null ? null : v / (stepMs / 1000)));
    const rows = [...this.groups.values()]
      .map((g) => ({ operation: g.operation, client: g.client, open: g.open, protocols: Object.fromEntries(g.protocols), eventsPerSecond: g.events.perSecond(now) }))
      .sort((a, b) => b.open - a.open || b.eventsPerSecond - a.eventsPerSecond || a.operation.localeCompare(b.operation) || a.client.localeCompare(b.client))
      .slice(0, MAX_GROUPS_SHOWN);
    return {
      open: this.open,
      connections: Object.fromEntries(this.connections),
      upstreams: Object.fromEntries(this.upstreams),
      deliveredPerSecond: this.delivery.perSecond(now),
      receivedPerSecond: this.reception.perSecond(now),
      series: {
        deliveredPerSecond: perStep(this.totals.series(now, windowMs, stepMs, 'delivered')),
        receivedPerSecond: perStep(this.totals.series(now, windowMs, stepMs, 'received')),
        opened: this.totals.series(now, windowMs, stepMs, 'opened'),
        ended: this.totals.series(now, windowMs, stepMs, 'ended'),
      },
      byOperation: rows,
    };
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}

function clientOf(principal: Principal): string {
  return principal.client === undefined ? ANONYMOUS_CLIENT : truncate(principal.client, MAX_LABEL_LENGTH);
}
