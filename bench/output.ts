// What a finished bench run reports: the markdown printed on stdout and bench/results/latest.json.
// Tables and aggregates come from report.ts; this file adds the run's context (command, machine, settings).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import type { BenchOptions } from './args';
import type { Workload } from './fixtures';
import type { Reference } from './measure';
import type { Pinning } from './processes';
import { renderFanoutSection } from './fanoutReport';
import type { FanoutMeasurement } from './fanoutTarget';
import { checkIssueTargets, renderChecks, renderIssueTable } from './issueTable';
import { bottleneckNotes, cpuTable, resultsTable, roundsTable, type Measurement, type TargetSummary } from './report';
import { TARGET_DESCRIPTIONS } from './targets';

export interface BenchRun {
  options: BenchOptions;
  workload: Workload;
  reference: Reference;
  pinning: Pinning;
  /** Per-CPU busy % sampled before anything started: how quiet the machine was. */
  idleBusyPct: number[] | undefined;
  measurements: Measurement[];
  summaries: TargetSummary[];
  /** Measurements that could not run (a gateway failed to start, a probe failed). */
  failures: string[];
  /** Targets left out of this run and why (peer not installable, option not in this build, no redis-server). */
  skipped: string[];
  /** One-off remarks from starting targets (e.g. a config key this build does not know). */
  notes: string[];
  /** Versions of the gateways compared, e.g. "@apollo/gateway 2.14.4". */
  versions: string[];
  /** The subscriptions-fanout scenario's measurements (empty when it did not run). */
  fanout: FanoutMeasurement[];
}

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  const script = process.argv[1] ?? '';
  const direct = `node ${relative(process.cwd(), script) || script}${args ? ` ${args}` : ''}`;
  return process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args ? ` -- ${args}` : ''}  (${direct})` : direct;
}

function environment(run: BenchRun) {
  const { options } = run;
  return {
    command: commandLine(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    nodeEnv: process.env.NODE_ENV ?? '(unset)',
    pinning: run.pinning.note,
    idleBusyPct: run.idleBusyPct?.map((p) => Math.round(p)),
    connections: options.connections,
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    rounds: options.rounds,
    waitIdleSeconds: options.waitIdle,
    memo: options.memo,
  };
}

export function renderReport(run: BenchRun): string {
  const { summaries, measurements } = run;
  const env = environment(run);
  const idle = env.idleBusyPct === undefined ? '' : `; CPUs busy before start: ${env.idleBusyPct.map((p) => `${p}%`).join(' / ')}`;
  const lines = [
    '',
    '## Tollgate benchmark',
    '',
    `- command: \`${env.command}\``,
    `- node ${env.node}, ${env.cpus} × ${env.cpu}, NODE_ENV=${env.nodeEnv}`,
    `- ${env.connections} connections, ${env.durationSeconds}s measured after ${env.warmupSeconds}s warm-up, ${env.rounds} round(s), order reversed every other round` +
      (env.waitIdleSeconds > 0 ? `, waiting up to ${env.waitIdleSeconds}s for idle CPUs before each` : ''),
    `- pinning: ${env.pinning}${idle}`,
    `- request: ${run.workload.bodySource}; every response compared with ${run.reference.source ?? 'n/a'}`,
    `- subgraphs: ${env.memo ? 'memoized (each distinct request body executed once, then answered from memory)' : 'executing every request (--no-memo)'}`,
    ...(run.versions.length > 0 ? [`- versions: ${run.versions.join(', ')}`] : []),
  ];
  const fanout = run.fanout.length > 0 ? ['', ...renderFanoutSection(run.fanout, { rate: run.options.eventRate, duration: run.options.duration, warmup: run.options.warmup, pinned: run.pinning.enabled })] : [];
  // Only the subscription scenario ran: no HTTP tables to show.
  if (run.options.targets.length === 0 && measurements.length === 0) return finish([...lines, ...fanout], run);
  lines.push(
    '',
    "### the issue's table",
    '',
    renderIssueTable(summaries),
    '',
    "CPU/req vs apollo = apollo's gateway CPU ms per request ÷ this target's (higher is better). subgraph calls/req = requests",
    'the subgraphs received per response (memo fronts count them; n/a with --no-memo).',
    '',
    "### the issue's targets (informative: they never change the exit code)",
    '',
    ...renderChecks(checkIssueTargets(summaries)),
    '',
    '### all targets',
    '',
    resultsTable(summaries),
    '',
    'errors = non-200 + wrong body + connection errors + timeouts. peak RSS = max VmHWM of the gateway process over its rounds.',
    'gateway CPU ms/req = its CPU time / responses: the cost per request, steadier than req/s when the machine is shared.',
    '',
    'CPU, % of one core over the measured seconds (other = CPU busy not used by anything the bench started, e.g. builds or tests running alongside):',
    '',
    cpuTable(summaries),
    '',
    '### per round',
    '',
    roundsTable(measurements),
    '',
    '### targets',
    '',
    ...summaries.map((s) => `- ${s.target}: ${TARGET_DESCRIPTIONS[s.target]}; correct bodies vs expected bytes: ${s.serializations.join(', ') || 'none'}`),
  );
  lines.push(...fanout);
  const notes = bottleneckNotes(summaries, measurements, run.pinning.enabled);
  if (notes.length > 0) lines.push('', '### notes', '', ...notes.map((n) => `- ${n}`));
  const withErrors = summaries.filter((s) => s.errors > 0);
  const warmupErrors = measurements.filter((m) => m.warmupErrors > 0);
  if (withErrors.length > 0 || warmupErrors.length > 0) lines.push('', '### errors', '');
  for (const s of withErrors) {
    lines.push(`- ${s.target}: ${s.badStatus} non-200, ${s.badBody} wrong body, ${s.connectionErrors} connection errors, ${s.timeouts} timeouts`);
    for (const sample of s.errorSamples) lines.push(`  - \`${sample.replace(/\s+/g, ' ')}\``);
  }
  for (const m of warmupErrors) lines.push(`- warm-up (not counted), round ${m.round} ${m.target}: ${m.warmupErrors} errors`);
  return finish(lines, run);
}

/** Failures, skipped targets and remarks: the report's tail, whatever ran. */
function finish(lines: string[], run: BenchRun): string {
  const { failures } = run;
  if (failures.length > 0) lines.push('', '### failures', '', ...failures.map((f) => `- ${f.split('\n')[0]}`));
  if (run.skipped.length > 0) lines.push('', '### skipped', '', ...run.skipped.map((s) => `- ${s}`));
  if (run.notes.length > 0) lines.push('', '### remarks', '', ...run.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

/** Writes <repo>/bench/results/latest.json (per-round latencies reduced to a count) and returns its path. */
export function writeResults(repoRoot: string, run: BenchRun): string {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  const rounds = run.measurements.map(({ latenciesMs, ...rest }) => ({ ...rest, latencySamples: latenciesMs.length }));
  const results = {
    date: new Date().toISOString(),
    environment: environment(run),
    request: run.workload.bodySource,
    reference: run.reference.source,
    targets: run.summaries,
    issueTargets: checkIssueTargets(run.summaries),
    rounds,
    failures: run.failures,
    skipped: run.skipped,
    notes: run.notes,
    versions: run.versions,
    subscriptionsFanout: run.fanout.map(({ errorSamples, ...rest }) => ({ ...rest, errorSamples: errorSamples.slice(0, 5) })),
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
