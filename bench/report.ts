// Turns per-round measurements into per-target aggregates, the markdown tables and the bottleneck notes.
// Pure: no I/O here; output.ts adds the context, prints and writes the JSON.
import type { TargetName } from './args';
import type { VerifyStats } from './verify';

export interface Measurement {
  target: TargetName;
  round: number;
  /** Position of this target within its round, 1-based. */
  position: number;
  responses: number;
  seconds: number;
  latenciesMs: number[];
  badStatus: number;
  badBody: number;
  connectionErrors: number;
  timeouts: number;
  /** VmHWM of the gateway at the end of the measurement: its peak RSS since it started, in bytes. */
  peakRssBytes: number | undefined;
  /** Highest RSS sampled every 100 ms during the measured window, in bytes. */
  maxSampledRssBytes: number | undefined;
  /** CPU seconds used during the measured window. */
  gatewayCpuSeconds: number | undefined;
  loadGeneratorCpuSeconds: number;
  subgraphsCpuSeconds: number | undefined;
  /** Requests the subgraphs received during the measured window (counted by the memo fronts; undefined without). */
  subgraphRequests?: number | undefined;
  /** How busy each CPU was during the measured window, whoever used it (index = CPU number). */
  cpuBusyPct: number[] | undefined;
  /** Seconds between the last response and the end of the run; more than a few means the gateway stalled. */
  silentAtEndSeconds: number;
  warmupResponses: number;
  warmupErrors: number;
  verify: VerifyStats;
}

export interface TargetSummary {
  target: TargetName;
  rounds: number;
  responses: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  badStatus: number;
  badBody: number;
  connectionErrors: number;
  timeouts: number;
  peakRssMb: number | undefined;
  /** CPU used as a percentage of one core, averaged over the measured seconds. */
  gatewayCpuPct: number | undefined;
  /** Gateway CPU time per response: unlike req/s, barely moved by other processes competing for the core. */
  gatewayCpuMsPerRequest: number | undefined;
  loadGeneratorCpuPct: number;
  subgraphsCpuPct: number | undefined;
  /** Per CPU, percent busy during the measured windows (weighted by their length). */
  cpuBusyPct: number[] | undefined;
  /** CPU used by processes that are not part of the bench (other users, builds), in % of one core. */
  otherProcessesCpuPct: number | undefined;
  /** When pinned: that foreign CPU use on CPU 0 (the gateway's core) and on CPU 1 (subgraphs + load generator). */
  otherPerCpuPct: [number, number] | undefined;
  ratioVsApollo: number | undefined;
  /** Subgraph requests per response during the measured windows: what fetch dedupe and batching save. */
  subgraphCallsPerRequest: number | undefined;
  /** How correct bodies compared with the expected file's bytes. */
  serializations: string[];
  errorSamples: string[];
}

const MB = 1024 * 1024;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function definedSum(values: Array<number | undefined>): number | undefined {
  return values.some((v) => v === undefined) ? undefined : sum(values as number[]);
}

export function errorCount(m: Pick<Measurement, 'badStatus' | 'badBody' | 'connectionErrors' | 'timeouts'>): number {
  return m.badStatus + m.badBody + m.connectionErrors + m.timeouts;
}

export function summarize(measurements: Measurement[], order: TargetName[], pinned: boolean): TargetSummary[] {
  const summaries = order.flatMap((target): TargetSummary[] => {
    const runs = measurements.filter((m) => m.target === target);
    if (runs.length === 0) return [];
    const latencies = Float64Array.from(runs.flatMap((m) => m.latenciesMs)).sort();
    const seconds = sum(runs.map((m) => m.seconds));
    const pct = (cpu: number | undefined) => (cpu === undefined || seconds === 0 ? undefined : (100 * cpu) / seconds);
    const peaks = runs.map((m) => m.peakRssBytes).filter((v): v is number => v !== undefined);
    const responses = sum(runs.map((m) => m.responses));
    const busy = weightedBusy(runs);
    const ours = definedSum([
      definedSum(runs.map((m) => m.gatewayCpuSeconds)),
      sum(runs.map((m) => m.loadGeneratorCpuSeconds)),
      definedSum(runs.map((m) => m.subgraphsCpuSeconds)),
    ]);
    const oursPct = pct(ours);
    const gatewayCpu = definedSum(runs.map((m) => m.gatewayCpuSeconds));
    const subgraphCalls = definedSum(runs.map((m) => m.subgraphRequests));
    const gatewayCpuPct = pct(gatewayCpu);
    const loadGeneratorCpuPct = pct(sum(runs.map((m) => m.loadGeneratorCpuSeconds))) ?? 0;
    const subgraphsCpuPct = pct(definedSum(runs.map((m) => m.subgraphsCpuSeconds)));
    const otherPerCpuPct: [number, number] | undefined =
      pinned && busy !== undefined && busy.length >= 2 && gatewayCpuPct !== undefined && subgraphsCpuPct !== undefined
        ? [Math.max(0, busy[0] - gatewayCpuPct), Math.max(0, busy[1] - loadGeneratorCpuPct - subgraphsCpuPct)]
        : undefined;
    const counts = {
      badStatus: sum(runs.map((m) => m.badStatus)),
      badBody: sum(runs.map((m) => m.badBody)),
      connectionErrors: sum(runs.map((m) => m.connectionErrors)),
      timeouts: sum(runs.map((m) => m.timeouts)),
    };
    return [
      {
        target,
        rounds: runs.length,
        responses,
        seconds,
        reqPerSec: seconds > 0 ? responses / seconds : 0,
        p50Ms: percentile(latencies, 50),
        p90Ms: percentile(latencies, 90),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.length > 0 ? latencies[latencies.length - 1] : NaN,
        errors: errorCount(counts),
        ...counts,
        peakRssMb: peaks.length > 0 ? Math.max(...peaks) / MB : undefined,
        gatewayCpuPct,
        gatewayCpuMsPerRequest: gatewayCpu === undefined || responses === 0 ? undefined : (1000 * gatewayCpu) / responses,
        loadGeneratorCpuPct,
        subgraphsCpuPct,
        cpuBusyPct: busy,
        otherProcessesCpuPct: busy === undefined || oursPct === undefined ? undefined : Math.max(0, sum(busy) - oursPct),
        otherPerCpuPct,
        ratioVsApollo: undefined,
        subgraphCallsPerRequest: subgraphCalls === undefined || responses === 0 ? undefined : subgraphCalls / responses,
        serializations: [...new Set(runs.flatMap((m) => m.verify.serializations))],
        errorSamples: [...new Set(runs.flatMap((m) => m.verify.samples))].slice(0, 3),
      },
    ];
  });
  const apollo = summaries.find((s) => s.target === 'apollo');
  for (const s of summaries) s.ratioVsApollo = apollo && apollo.reqPerSec > 0 ? s.reqPerSec / apollo.reqPerSec : undefined;
  return summaries;
}

/** CPU busy (all cores) not used by the gateway, load generator or subgraphs, in % of one core. */
function otherProcessesPct(m: Measurement): number | undefined {
  const ours = definedSum([m.gatewayCpuSeconds, m.loadGeneratorCpuSeconds, m.subgraphsCpuSeconds]);
  if (m.cpuBusyPct === undefined || ours === undefined || m.seconds === 0) return undefined;
  return Math.max(0, sum(m.cpuBusyPct) - (100 * ours) / m.seconds);
}

/** Average busy % per CPU over several windows, weighted by window length. */
function weightedBusy(runs: Measurement[]): number[] | undefined {
  if (runs.some((m) => m.cpuBusyPct === undefined)) return undefined;
  const seconds = sum(runs.map((m) => m.seconds));
  if (seconds === 0) return undefined;
  const cpus = Math.max(...runs.map((m) => m.cpuBusyPct?.length ?? 0));
  return Array.from({ length: cpus }, (_, cpu) => sum(runs.map((m) => (m.cpuBusyPct?.[cpu] ?? 0) * m.seconds)) / seconds);
}

const fixed = (value: number | undefined, digits: number): string => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function table(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? ':--' : '--:'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function resultsTable(summaries: TargetSummary[]): string {
  return table(
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MB', 'ratio vs apollo (req/s)', 'gateway CPU ms/req'],
    summaries.map((s) => [
      s.target,
      fixed(s.reqPerSec, 0),
      fixed(s.p50Ms, 1),
      fixed(s.p99Ms, 1),
      String(s.errors),
      fixed(s.peakRssMb, 0),
      s.ratioVsApollo === undefined ? 'n/a' : `${s.ratioVsApollo.toFixed(2)}x`,
      fixed(s.gatewayCpuMsPerRequest, 2),
    ]),
  );
}

/** CPU use in % of one core during the measured windows; "other" is everything not started by the bench. */
export function cpuTable(summaries: TargetSummary[]): string {
  const cpus = Math.max(0, ...summaries.map((s) => s.cpuBusyPct?.length ?? 0));
  const perCpu = summaries.some((s) => s.otherPerCpuPct !== undefined);
  return table(
    [
      'target',
      'gateway',
      'load generator',
      'subgraphs',
      ...Array.from({ length: cpus }, (_, i) => `CPU ${i} busy`),
      ...(perCpu ? ['other on CPU 0', 'other on CPU 1'] : []),
      'other, total',
    ],
    summaries.map((s) => [
      s.target,
      fixed(s.gatewayCpuPct, 0),
      fixed(s.loadGeneratorCpuPct, 0),
      fixed(s.subgraphsCpuPct, 0),
      ...Array.from({ length: cpus }, (_, i) => fixed(s.cpuBusyPct?.[i], 0)),
      ...(perCpu ? [fixed(s.otherPerCpuPct?.[0], 0), fixed(s.otherPerCpuPct?.[1], 0)] : []),
      fixed(s.otherProcessesCpuPct, 0),
    ]),
  );
}

export function roundsTable(measurements: Measurement[]): string {
  return table(
    ['round', '#', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'VmHWM MB', 'gateway CPU %', 'gateway CPU ms/req', 'load gen CPU %', 'other procs CPU %'],
    measurements.map((m) => {
      const sorted = Float64Array.from(m.latenciesMs).sort();
      const pct = (cpu: number | undefined) => (cpu === undefined || m.seconds === 0 ? undefined : (100 * cpu) / m.seconds);
      return [
        String(m.round),
        String(m.position),
        m.target,
        fixed(m.seconds > 0 ? m.responses / m.seconds : 0, 0),
        fixed(percentile(sorted, 50), 1),
        fixed(percentile(sorted, 99), 1),
        String(errorCount(m)),
        fixed(m.peakRssBytes === undefined ? undefined : m.peakRssBytes / MB, 0),
        fixed(pct(m.gatewayCpuSeconds), 0),
        fixed(m.gatewayCpuSeconds === undefined || m.responses === 0 ? undefined : (1000 * m.gatewayCpuSeconds) / m.responses, 2),
        fixed(pct(m.loadGeneratorCpuSeconds), 0),
        fixed(otherProcessesPct(m), 0),
      ];
    }),
  );
}

/** A gap this long between the last response and the end of a run is reported as a stall. */
const STALL_SECONDS = 3;
/** Foreign CPU use (% of a core) above which a run is called noisy. */
const NOISE_PCT = 10;

/** Plain-language warnings about stalls and about what may have limited the numbers, computed from CPU use. */
export function bottleneckNotes(summaries: TargetSummary[], measurements: Measurement[], pinned: boolean): string[] {
  const notes: string[] = [];
  for (const m of measurements) {
    if (m.silentAtEndSeconds >= STALL_SECONDS) {
      notes.push(`round ${m.round} ${m.target}: no response in the last ${m.silentAtEndSeconds.toFixed(1)}s of the run — the gateway stalled or hung; requests still in flight were not counted`);
    }
  }
  for (const s of summaries) {
    const cpu1 = pinned ? s.cpuBusyPct?.[1] : undefined;
    const cpu1Saturated = cpu1 !== undefined && cpu1 >= 90;
    const gatewayBusy = s.gatewayCpuPct !== undefined && s.gatewayCpuPct >= 85;
    // Foreign load on the gateway's own core distorts req/s directly; on CPU 1 it slows subgraphs and the client.
    const otherOnGateway = s.otherPerCpuPct?.[0] ?? s.otherProcessesCpuPct;
    const otherOnRest = s.otherPerCpuPct?.[1];
    const noisy = (otherOnGateway ?? 0) >= NOISE_PCT || (otherOnRest ?? 0) >= NOISE_PCT;
    if ((otherOnGateway ?? 0) >= NOISE_PCT) {
      const where = s.otherPerCpuPct ? "of CPU 0, the gateway's core" : 'of a core';
      notes.push(`${s.target}: processes outside the bench used ${fixed(otherOnGateway, 0)}% ${where}; treat its numbers as noisy (req/s understated)`);
    } else if (otherOnRest !== undefined && otherOnRest >= NOISE_PCT) {
      notes.push(
        `${s.target}: processes outside the bench used ${fixed(otherOnRest, 0)}% of CPU 1 (subgraphs + load generator)` +
          (gatewayBusy
            ? `; the gateway's core stayed clean and it was CPU-bound (${fixed(s.gatewayCpuPct, 0)}%), so req/s should hold, latency may be inflated`
            : `; the gateway was not CPU-bound (${fixed(s.gatewayCpuPct, 0)}%), so treat its numbers as noisy`),
      );
    }
    if (s.loadGeneratorCpuPct >= 70) {
      const limit = cpu1Saturated ? ` and CPU 1 was ${fixed(cpu1, 0)}% busy, so this req/s is a lower bound for the gateway` : '';
      notes.push(`${s.target}: the load generator (autocannon + body checks) used ${fixed(s.loadGeneratorCpuPct, 0)}% of a core${limit}`);
    } else if (cpu1Saturated && !gatewayBusy && !noisy) {
      notes.push(`${s.target}: CPU 1 was ${fixed(cpu1, 0)}% busy while the gateway used ${fixed(s.gatewayCpuPct, 0)}% of CPU 0: CPU 1, not the gateway, limited this run`);
    }
    if (s.gatewayCpuPct !== undefined && !gatewayBusy && !cpu1Saturated && !noisy) {
      notes.push(`${s.target}: the gateway used only ${fixed(s.gatewayCpuPct, 0)}% of its core; something other than its CPU (latency, subgraphs) limited it`);
    }
  }
  return notes;
}
