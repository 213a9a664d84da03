// The dashboard's JSON feed: the last five minutes of this gateway's traffic from the live windows, today's top
// clients from usage metering (all gateways on the usage store), alerts, the supergraph in service, and this
// gateway's open subscriptions (telemetry/subscriptions.ts; null when subscriptions are off).
import type { SupergraphStatus } from '../compose/liveSupergraph';
import type { AlertScheduler } from '../telemetry/alerts/scheduler';
import type { AlertEvent } from '../telemetry/alerts/evaluate';
import type { LiveWindows } from '../telemetry/liveWindows';
import { DAY_MS, rollUp } from '../telemetry/metering/counts';
import type { BillingMeter } from '../telemetry/metering/meter';
import type { SubscriptionRecorder, SubscriptionsView } from '../telemetry/subscriptions';
import { quantileMs } from '../telemetry/window';

export const FEED_WINDOW_MS = 5 * 60_000;
export const FEED_STEP_MS = 5_000;
/** Top clients are read from the usage store at most this often (it may be Redis). */
const CLIENTS_CACHE_MS = 5_000;
const TOP_CLIENTS = 10;

export interface DashboardFeed {
  generatedAt: string;
  windowSeconds: number;
  stepSeconds: number;
  requests: {
    perSecond: number;
    total: number;
    errors: number;
    rejected: number;
    errorRate: number | null;
    p50Ms: number | null;
    p95Ms: number | null;
    p99Ms: number | null;
    series: { requestsPerSecond: Array<number | null>; errorRate: Array<number | null>; p99Ms: Array<number | null> };
  };
  rateLimited: { total: number; series: Array<number | null> };
  services: Array<{ name: string; kind: string; calls: number; callsPerSecond: number; errorRate: number | null; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; series: { p95Ms: Array<number | null> } }>;
  topClients: Array<{ client: string; plan: string; operations: number; errors: number; rejected: number; estimatedCost: number; actualCost: number }>;
  alerts: { firing: Array<{ key: string; rule: string; summary: string; since: string }>; recent: AlertEvent[] };
  supergraph: { hash?: string; loadedAt?: string; reloads: number };
  subscriptions: SubscriptionsView | null;
}

export interface FeedSources {
  windows: LiveWindows;
  alerts?: AlertScheduler;
  meter?: BillingMeter;
  supergraph: () => SupergraphStatus;
  subscriptions?: SubscriptionRecorder;
}

export function createDashboardFeed(sources: FeedSources): (now: number) => Promise<DashboardFeed> {
  let clients: { at: number; rows: DashboardFeed['topClients'] } | undefined;

  const topClients = async (now: number): Promise<DashboardFeed['topClients']> => {
    if (!sources.meter) return [];
    if (clients && now - clients.at < CLIENTS_CACHE_MS) return clients.rows;
    const today = rollUp(await sources.meter.read(now - (now % DAY_MS), now + 1), 'day');
    const cost = (c: { actualCost: number; estimatedCost: number }) => c.actualCost || c.estimatedCost;
    const rows = today
      .sort((a, b) => cost(b) - cost(a) || b.operations - a.operations)
      .slice(0, TOP_CLIENTS)
      .map(({ client, plan, operations, errors, rejected, estimatedCost, actualCost }) => ({ client, plan, operations, errors, rejected, estimatedCost, actualCost }));
    clients = { at: now, rows };
    return rows;
  };

  return async (now) => {
    const { windows } = sources;
    const window = windows.requests.totals(now, FEED_WINDOW_MS);
    const c = window.counts;
    const lastMinute = windows.requests.totals(now, 60_000).counts.requests;
    const perStep = (values: Array<number | null>) => values.map((v) => (v === null ? null : v / (FEED_STEP_MS / 1000)));
    const requestsSeries = windows.requests.series(now, FEED_WINDOW_MS, FEED_STEP_MS, 'requests');
    const errorSeries = windows.requests.series(now, FEED_WINDOW_MS, FEED_STEP_MS, 'errors');
    return {
      generatedAt: new Date(now).toISOString(),
      windowSeconds: FEED_WINDOW_MS / 1000,
      stepSeconds: FEED_STEP_MS / 1000,
      requests: {
        perSecond: lastMinute / 60,
        total: c.requests,
        errors: c.errors,
        rejected: c.rejected,
        errorRate: c.requests > 0 ? c.errors / c.requests : null,
        p50Ms: quantileMs(window.histogram, 0.5) ?? null,
        p95Ms: quantileMs(window.histogram, 0.95) ?? null,
        p99Ms: quantileMs(window.histogram, 0.99) ?? null,
        series: {
          requestsPerSecond: perStep(requestsSeries),
          errorRate: requestsSeries.map((n, i) => (n ? (errorSeries[i] ?? 0) / n : 0)),
          p99Ms: windows.requests.series(now, FEED_WINDOW_MS, FEED_STEP_MS, { quantile: 0.99 }),
        },
      },
      rateLimited: { total: c.limited, series: windows.requests.series(now, FEED_WINDOW_MS, FEED_STEP_MS, 'limited') },
      services: [...windows.services]
        .map(([name, { kind, series }]) => {
          const totals = series.totals(now, FEED_WINDOW_MS);
          const calls = totals.counts.calls;
          return {
            name,
            kind,
            calls,
            callsPerSecond: series.totals(now, 60_000).counts.calls / 60,
            errorRate: calls > 0 ? totals.counts.failures / calls : null,
            p50Ms: quantileMs(totals.histogram, 0.5) ?? null,
            p95Ms: quantileMs(totals.histogram, 0.95) ?? null,
            p99Ms: quantileMs(totals.histogram, 0.99) ?? null,
            series: { p95Ms: series.series(now, FEED_WINDOW_MS, FEED_STEP_MS * 3, { quantile: 0.95 }) },
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
      topClients: await topClients(now),
      alerts: {
        firing: (sources.alerts?.firing() ?? []).map((s) => ({ key: s.key, rule: s.rule, summary: s.last.summary, since: new Date(s.since).toISOString() })),
        recent: sources.alerts?.recent.slice(0, 20) ?? [],
      },
      supergraph: (({ hash, loadedAt, reloads }) => ({ hash, loadedAt, reloads }))(sources.supergraph()),
      subscriptions: sources.subscriptions?.view(now, FEED_WINDOW_MS, FEED_STEP_MS) ?? null,
    };
  };
}
