// One measurement: start a gateway, check one response, warm up, measure under load while tracking its memory and
// everyone's CPU, and stop it again — always, even when something in between fails.
import type { TargetName } from './args';
import { runLoad, type LoadResult } from './load';
import { busyPercent, cpuSeconds, cpuTimes, peakRss, sampleMaxRss } from './procStats';
import { stopChild } from './processes';
import type { Measurement } from './report';
import { startTarget, type TargetContext } from './targets';
import { createBodyVerifier, sameJson } from './verify';

const PROBE_TIMEOUT_MS = 30_000;

/** What responses must equal; filled from the first good response when no expected file was given. */
export interface Reference {
  expected: unknown;
  expectedText: string | undefined;
  source: string | undefined;
}

export interface MeasureOptions {
  target: TargetName;
  round: number;
  position: number;
  ctx: TargetContext;
  body: string;
  reference: Reference;
  /** For a target that answers the direct subgraph query (no-gateway): that body and its own reference. */
  direct: { body: string; reference: Reference };
  /** GET → `{"requests": n}`: requests the subgraphs' memo fronts received so far (undefined without --memo). */
  subgraphStatsUrl: string | undefined;
  connections: number;
  duration: number;
  warmup: number;
  subgraphsPid: number;
  /** Receives a function that ends the current load run early (for SIGINT), or undefined between runs. */
  setStopLoad: (stop: (() => void) | undefined) => void;
  log: (line: string) => void;
}

export async function measureOnce(o: MeasureOptions): Promise<Measurement> {
  o.log(`[round ${o.round}] ${o.target}: starting`);
  const { child, url, headers, ownWorkload } = await startTarget(o.target, o.ctx);
  try {
    const { body, reference } = ownWorkload === 'direct' ? o.direct : o;
    await probe(o, url, headers, body, reference);
    const load = (seconds: number): Promise<LoadResult> =>
      runLoad({
        url,
        body,
        headers,
        connections: o.connections,
        durationSeconds: seconds,
        verifier: createBodyVerifier(reference.expected, reference.expectedText),
        onStart: o.setStopLoad,
      });

    let warmup: LoadResult | undefined;
    if (o.warmup > 0) {
      o.log(`[round ${o.round}] ${o.target}: warming up ${o.warmup}s`);
      warmup = await load(o.warmup);
      // The warm-up's last requests were abandoned, not cancelled: let the gateway finish them first, or their CPU
      // (and subgraph calls) would count against the measured window's responses — most for the slowest gateways.
      await untilQuiet(child.pid);
    }

    o.log(`[round ${o.round}] ${o.target}: measuring ${o.duration}s with ${o.connections} connections`);
    const subgraphRequestsBefore = await subgraphRequests(o.subgraphStatsUrl);
    const cpuBefore = { gateway: cpuSeconds(child.pid), subgraphs: cpuSeconds(o.subgraphsPid), self: process.cpuUsage(), all: cpuTimes() };
    const rssSampler = sampleMaxRss(child.pid);
    const result = await load(o.duration);
    const maxSampledRssBytes = rssSampler.stop();
    const subgraphRequestsAfter = await subgraphRequests(o.subgraphStatsUrl);
    const selfCpu = process.cpuUsage(cpuBefore.self);
    const gatewayCpuAfter = cpuSeconds(child.pid);
    const subgraphsCpuAfter = cpuSeconds(o.subgraphsPid);
    const cpuBusyPct = busyPercent(cpuBefore.all, cpuTimes());
    const since = (before: number | undefined, after: number | undefined) => (before === undefined || after === undefined ? undefined : after - before);

    const measurement: Measurement = {
      target: o.target,
      round: o.round,
      position: o.position,
      responses: result.responses,
      seconds: result.seconds,
      latenciesMs: result.latenciesMs,
      badStatus: result.verify.badStatus,
      badBody: result.verify.badBody,
      connectionErrors: result.connectionErrors,
      timeouts: result.timeouts,
      peakRssBytes: peakRss(child.pid),
      maxSampledRssBytes,
      gatewayCpuSeconds: since(cpuBefore.gateway, gatewayCpuAfter),
      loadGeneratorCpuSeconds: (selfCpu.user + selfCpu.system) / 1e6,
      subgraphsCpuSeconds: since(cpuBefore.subgraphs, subgraphsCpuAfter),
      // no-gateway talks to its own memo, not to the subgraphs' fronts.
      subgraphRequests: ownWorkload === 'direct' ? undefined : since(subgraphRequestsBefore, subgraphRequestsAfter),
      cpuBusyPct,
      silentAtEndSeconds: result.silentAtEndSeconds,
      warmupResponses: warmup?.responses ?? 0,
      warmupErrors: warmup ? warmup.verify.badStatus + warmup.verify.badBody + warmup.connectionErrors + warmup.timeouts : 0,
      verify: result.verify,
    };
    const rate = result.seconds > 0 ? result.responses / result.seconds : 0;
    const errors = measurement.badStatus + measurement.badBody + measurement.connectionErrors + measurement.timeouts;
    o.log(`[round ${o.round}] ${o.target}: ${rate.toFixed(0)} req/s, ${errors} errors`);
    return measurement;
  } finally {
    o.setStopLoad(undefined);
    await stopChild(child);
  }
}

const QUIET_POLL_MS = 100;
const QUIET_MAX_MS = 10_000;

/** Waits until `pid` uses at most one clock tick of CPU in two polls in a row (or QUIET_MAX_MS passes). */
async function untilQuiet(pid: number): Promise<void> {
  const deadline = Date.now() + QUIET_MAX_MS;
  let last = cpuSeconds(pid);
  let quietPolls = 0;
  while (last !== undefined && quietPolls < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS));
    const now = cpuSeconds(pid);
    if (now === undefined) return;
    quietPolls = now - last <= 0.011 ? quietPolls + 1 : 0;
    last = now;
  }
}

/** The memo fronts' request count, or undefined when there are none or they don't answer. */
async function subgraphRequests(statsUrl: string | undefined): Promise<number | undefined> {
  if (statsUrl === undefined) return undefined;
  try {
    const response = await fetch(statsUrl, { signal: AbortSignal.timeout(5000) });
    const counts = (await response.json()) as { requests?: unknown };
    return typeof counts.requests === 'number' ? counts.requests : undefined;
  } catch {
    return undefined;
  }
}

/** One request before any load: fails fast on a broken gateway and supplies the reference when there is none. */
async function probe(o: MeasureOptions, url: string, headers: Record<string, string> | undefined, body: string, reference: Reference): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  const text = await response.text();
  if (reference.source === undefined) {
    const parsed = response.status === 200 ? tryParse(text) : undefined;
    if (!isCleanResult(parsed)) throw new Error(`${o.target}: no --expected file and its first response is not a clean result (HTTP ${response.status}): ${text.slice(0, 300)}`);
    Object.assign(reference, { expected: parsed, expectedText: text, source: `first response of ${o.target} (round ${o.round})` });
    o.log(`reference response: ${reference.source}, ${text.length} bytes`);
    return;
  }
  if (response.status !== 200 || !sameJson(text, reference.expected)) {
    o.log(`WARNING ${o.target}: the first response does not match the reference (HTTP ${response.status}): ${text.slice(0, 300)}`);
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{ data: {...} }` without `errors`: the only kind of response worth comparing every other one against. */
function isCleanResult(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const result = value as { data?: unknown; errors?: unknown };
  return typeof result.data === 'object' && result.data !== null && result.errors === undefined;
}
