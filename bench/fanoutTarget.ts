// The `subscriptions-fanout` scenario, one measurement: Tollgate started through its CLI on CPU 0 (subscriptions to
// the reviews subgraph opened at its own WebSocket) — or the Hive Gateway peer (`subscriptions-fanout-hive-gateway`,
// bench/peers/hive-gateway/server.mjs with graphql-ws) — N clients driven by fanout.ts from the bench process (CPU 1), and
// the gateway's CPU and RSS read around the measured window, plus how many upstream subscriptions the gateway holds
// (its /metrics) and the subgraph sees (the subgraphs process's stats): fan-out means one for the one operation.
import { join } from 'node:path';
import { runFanoutLoad, percentileOf } from './fanout';
import { cpuSeconds, peakRss } from './procStats';
import { stopChild } from './processes';
import type { ScenarioName } from './args';
import { startJsonLineTarget, startTollgate, TargetSkipped, type RunningTarget, type TargetContext } from './targets';

export const FANOUT_SCENARIO = 'subscriptions-fanout';
export const HIVE_FANOUT_SCENARIO = 'subscriptions-fanout-hive-gateway';

export interface FanoutOptions {
  scenario: ScenarioName;
  ctx: TargetContext;
  round: number;
  clients: number;
  rate: number;
  warmup: number;
  duration: number;
  /** The reviews subgraph's own http:// URL (publishing, and its ws:// for the gateway's upstream). */
  reviewsUrl: string;
  /** The subgraphs process's stats (memo mode): reports `reviewSubscriptions`. */
  subgraphStatsUrl: string | undefined;
  log: (line: string) => void;
}

export interface FanoutMeasurement {
  scenario: ScenarioName;
  clients: number;
  round: number;
  rate: number;
  published: number;
  expected: number;
  delivered: number;
  seconds: number;
  publishedPerSec: number;
  deliveredPerSec: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  gatewayCpuSeconds: number | undefined;
  /** Gateway CPU ms per 1,000 delivered events. */
  cpuMsPer1000: number | undefined;
  peakRssBytes: number | undefined;
  /** Upstream subscriptions at the end of the window: the gateway's gauge, and what the subgraph counts. */
  upstreamsGateway: number | undefined;
  upstreamsSubgraph: number | undefined;
  wrongEvents: number;
  endedEarly: number;
  publishErrors: number;
  errorSamples: string[];
}

export async function measureFanout(o: FanoutOptions): Promise<FanoutMeasurement> {
  const name = `${o.scenario}-${o.clients}`;
  o.log(`[round ${o.round}] ${name}: starting`);
  const upstreamUrl = o.reviewsUrl.replace(/^http/, 'ws');
  let started: RunningTarget;
  if (o.scenario === HIVE_FANOUT_SCENARIO) {
    if (o.ctx.hivePeerDir === undefined) throw new TargetSkipped('the Hive Gateway peer is not installed');
    // Its defaults (subgraph-fetch dedupe on, as Tollgate's), plus graphql-ws and the reviews subgraph's WebSocket.
    started = await startJsonLineTarget(name, join(o.ctx.hivePeerDir, 'server.mjs'), [o.ctx.supergraphFile, '0', 'on', 'off', `reviews=${upstreamUrl}`], o.ctx);
  } else {
    const settings = {
      executor: 'tollgate',
      subscriptions: {
        // Every bench client is anonymous on 127.0.0.1, i.e. one client for the per-client caps.
        maxPerClient: 1_000_000,
        maxConnectionsPerClient: 1_000_000,
        connectionInitTimeout: '30s',
        subgraphs: { reviews: { url: upstreamUrl } },
      },
    };
    started = await startTollgate(o.ctx, name, settings, false);
  }
  const { child, url } = started;
  try {
    const base = url.slice(0, url.lastIndexOf('/graphql'));
    let cpuBefore: number | undefined;
    let cpuAfter: number | undefined;
    let upstreamsGateway: number | undefined;
    let upstreamsSubgraph: number | undefined;
    const load = await runFanoutLoad({
      wsUrl: url.replace(/^http/, 'ws'),
      publishUrl: o.reviewsUrl,
      clients: o.clients,
      rate: o.rate,
      warmupSeconds: o.warmup,
      durationSeconds: o.duration,
      log: o.log,
      onWindow: async (edge) => {
        if (edge === 'start') {
          o.log(`[round ${o.round}] ${name}: measuring ${o.duration}s at ${o.rate} events/s to ${o.clients} clients`);
          cpuBefore = cpuSeconds(child.pid);
          return;
        }
        cpuAfter = cpuSeconds(child.pid);
        // Hive Gateway has no such gauge here: the subgraph's count alone tells.
        upstreamsGateway = o.scenario === HIVE_FANOUT_SCENARIO ? undefined : await gaugeValue(`${base}/metrics`, 'tollgate_subscription_upstreams_open', 'subgraph="reviews"');
        upstreamsSubgraph = await reviewSubscriptions(o.subgraphStatsUrl);
      },
    });
    const gatewayCpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    const measurement: FanoutMeasurement = {
      scenario: o.scenario,
      clients: o.clients,
      round: o.round,
      rate: o.rate,
      published: load.published,
      expected: load.expected,
      delivered: load.delivered,
      seconds: load.seconds,
      publishedPerSec: load.publishSeconds > 0 ? load.published / load.publishSeconds : 0,
      deliveredPerSec: load.seconds > 0 ? load.delivered / load.seconds : 0,
      p50Ms: percentileOf(load.latenciesMs, 50),
      p99Ms: percentileOf(load.latenciesMs, 99),
      maxMs: load.latenciesMs.length > 0 ? load.latenciesMs[load.latenciesMs.length - 1] : undefined,
      gatewayCpuSeconds,
      cpuMsPer1000: gatewayCpuSeconds === undefined || load.delivered === 0 ? undefined : (gatewayCpuSeconds * 1e6) / load.delivered,
      peakRssBytes: peakRss(child.pid),
      upstreamsGateway,
      upstreamsSubgraph,
      wrongEvents: load.wrongEvents,
      endedEarly: load.endedEarly,
      publishErrors: load.publishErrors,
      errorSamples: load.errorSamples,
    };
    o.log(`[round ${o.round}] ${name}: ${measurement.deliveredPerSec.toFixed(0)} events/s delivered, ${load.delivered}/${load.expected}, p99 ${measurement.p99Ms?.toFixed(1) ?? '–'} ms`);
    return measurement;
  } finally {
    await stopChild(child);
  }
}

/** One sample's value from a Prometheus text page, or undefined. */
export async function gaugeValue(metricsUrl: string, name: string, labels: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
    return parseSample(text, name, labels);
  } catch {
    return undefined;
  }
}

export function parseSample(text: string, name: string, labels: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.indexOf('}');
    if (!line.slice(name.length + 1, close).split(',').includes(labels)) continue;
    const value = Number(line.slice(close + 1).trim().split(' ')[0]);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

async function reviewSubscriptions(statsUrl: string | undefined): Promise<number | undefined> {
  if (statsUrl === undefined) return undefined;
  try {
    const stats = (await (await fetch(statsUrl, { signal: AbortSignal.timeout(5_000) })).json()) as { reviewSubscriptions?: unknown };
    return typeof stats.reviewSubscriptions === 'number' ? stats.reviewSubscriptions : undefined;
  } catch {
    return undefined;
  }
}
