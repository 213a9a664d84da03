// `npm run bench`: example subgraphs in one process, then each gateway under test in its own (stock Apollo Gateway,
// Tollgate in each executor / planner / dedupe mode, the Hive Gateway peer, the no-gateway ceiling), loaded by
// autocannon in turn; then the subscription fan-out scenario (fanoutTarget.ts); prints a markdown report (with the
// issue's table and targets) and writes JSON.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ExampleSubgraphName } from '../subgraphs';
import { parseBenchArgs, UsageError, USAGE, type BenchOptions } from './args';
import { findRepoRoot, fixtureDir, loadWorkload } from './fixtures';
import { HIVE_FANOUT_SCENARIO, measureFanout, type FanoutMeasurement } from './fanoutTarget';
import { ensureHivePeer } from './hivePeer';
import { measureOnce, type Reference } from './measure';
import { renderReport, writeResults, type BenchRun } from './output';
import { busyPercent, cpuTimes } from './procStats';
import { startBenchRedis } from './redis';
import { firstJsonLine, killAllNow, setUpPinning, spawnNode, stopAll, stopChild } from './processes';
import { summarize, type Measurement } from './report';
import { composeBenchSupergraph } from './supergraph';
import { TargetSkipped, type TargetContext } from './targets';
import { TARGETS } from './targetSpecs';

const SUBGRAPHS_CPU = 1;
const SUBGRAPHS_READY_MS = 30_000;
/** Pause between gateways so the last one's sockets and memory are gone before the next starts. */
const SETTLE_MS = 1000;
/** How long the machine's CPU use is sampled before starting anything, to warn about a busy machine. */
const IDLE_CHECK_MS = 2000;
/** --wait-idle: every CPU below this % busy (over IDLE_CHECK_MS) counts as idle. */
const IDLE_PCT = 10;

const log = (line: string) => console.error(line);
let tmpDir: string | undefined;
let stopLoad: (() => void) | undefined;
let interrupted = false;

function installCleanup(): void {
  // Whatever happens, no child outlives the bench and the temp dir goes.
  process.on('exit', () => {
    killAllNow();
    if (tmpDir !== undefined) rmSync(tmpDir, { recursive: true, force: true });
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`\n${signal}: stopping the load and every child process…`);
    stopLoad?.();
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Round 1 runs the targets in the given order, round 2 reversed, and so on, so no target always goes first. */
function roundOrder<T>(targets: T[], round: number): T[] {
  return round % 2 === 1 ? [...targets] : [...targets].reverse();
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  installCleanup();
  const repoRoot = findRepoRoot();
  const workload = loadWorkload(repoRoot, options.query, options.expected);
  const pinning = setUpPinning(options.noPin);
  tmpDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  log(`pinning: ${pinning.note}`);
  const idleBusyPct = await machineBusy();
  if (idleBusyPct !== undefined) {
    const busy = idleBusyPct.some((p) => p >= 10);
    log(`before start, the CPUs were ${idleBusyPct.map((p) => `${p.toFixed(0)}%`).join(' / ')} busy${busy ? ' — the machine is not quiet; expect noisy numbers' : ''}`);
  }
  log(`request: ${workload.bodySource}; expected: ${workload.expectedSource ?? 'first good response'}`);

  const subgraphs = spawnNode('subgraphs', join(__dirname, 'subgraphsProcess.js'), options.memo ? ['--memo'] : [], { cpu: SUBGRAPHS_CPU, pinning });
  const announced = await firstJsonLine(subgraphs, SUBGRAPHS_READY_MS);
  const urls = announced.urls as Record<ExampleSubgraphName, string>;
  const direct = announced.direct as Record<ExampleSubgraphName, string>;
  const subgraphStatsUrl = typeof announced.statsUrl === 'string' ? announced.statsUrl : undefined;
  log(`subgraphs (pid ${subgraphs.pid}): ${Object.values(urls).join(' ')}${options.memo ? ' (memo fronts)' : ''}`);
  const supergraphFile = join(tmpDir, 'supergraph.graphql');
  writeFileSync(supergraphFile, composeBenchSupergraph(urls));

  const skipped: string[] = [];
  const skip = (targets: string[], reason: string) => {
    options.targets = options.targets.filter((t) => !targets.includes(t));
    for (const target of targets) skipped.push(`${target}: ${reason.split('\n')[0]}`);
    log(`SKIPPED ${targets.join(', ')}: ${reason}`);
  };

  // The Redis target's store: one redis-server next to the subgraphs (CPU 1), shared by all its rounds.
  let redisUrl: string | undefined;
  if (options.targets.includes('tollgate+policies+redis')) {
    const redis = await startBenchRedis({ cpu: SUBGRAPHS_CPU, pinning });
    if (redis) {
      redisUrl = redis.url;
      log(`redis-server (pid ${redis.child.pid}): ${redis.url}`);
    } else {
      skip(['tollgate+policies+redis'], 'redis-server is not on PATH (apt-get install redis-server)');
    }
  }

  // The Hive Gateway peer: its own package, installed on first use.
  const versions = [`@apollo/gateway ${packageVersion(join(repoRoot, 'node_modules', '@apollo', 'gateway'))}`];
  let hivePeerDir: string | undefined;
  const hiveTargets = options.targets.filter((t) => TARGETS[t].kind === 'hive-gateway');
  const hiveScenario = options.scenarios.includes(HIVE_FANOUT_SCENARIO);
  if (hiveTargets.length > 0 || hiveScenario) {
    const peer = await ensureHivePeer(repoRoot, log);
    if (peer.ok) {
      hivePeerDir = peer.dir;
      versions.push(peer.versions);
      log(`hive-gateway peer: ${peer.versions}`);
    } else {
      skip(hiveTargets, `the Hive Gateway peer is unavailable: ${peer.reason}`);
      if (hiveScenario) {
        options.scenarios = options.scenarios.filter((s) => s !== HIVE_FANOUT_SCENARIO);
        skipped.push(`${HIVE_FANOUT_SCENARIO}: the Hive Gateway peer is unavailable: ${peer.reason.split('\n')[0]}`);
      }
    }
  }

  // The no-gateway ceiling answers the fixture's direct subgraph query; its reference is its first answer.
  const directFile = join(fixtureDir(repoRoot), 'direct-request.json');
  if (options.targets.includes('no-gateway') && !existsSync(directFile)) skip(['no-gateway'], `${directFile} is missing`);
  const directBody = existsSync(directFile) ? readFileSync(directFile, 'utf8').trim() : '';
  if (options.targets.length === 0 && options.scenarios.length === 0) return 1;

  const reference: Reference = { expected: workload.expected, expectedText: workload.expectedText, source: workload.expectedSource };
  const directReference: Reference = { expected: undefined, expectedText: undefined, source: undefined };
  const notes = new Set<string>();
  const ctx: TargetContext = { repoRoot, tmpDir, supergraphFile, pinning, redisUrl, hivePeerDir, reviewsUrl: direct.reviews, notes };
  const measurements: Measurement[] = [];
  const failures: string[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order = roundOrder(options.targets, round);
    for (const [index, target] of order.entries()) {
      if (interrupted) break;
      // Skipped in an earlier round or earlier in this one: it would be skipped again for the same reason.
      if (!options.targets.includes(target)) continue;
      if (options.waitIdle > 0) await waitForIdle(options.waitIdle);
      try {
        measurements.push(
          await measureOnce({
            ...options,
            target,
            round,
            position: index + 1,
            ctx,
            body: workload.body,
            reference,
            direct: { body: directBody, reference: directReference },
            subgraphStatsUrl,
            subgraphsPid: subgraphs.pid,
            setStopLoad: (stop) => (stopLoad = stop),
            log,
          }),
        );
      } catch (error) {
        if (error instanceof TargetSkipped) {
          skip([target], error.message);
          continue;
        }
        const message = `[round ${round}] ${target}: ${(error as Error).message}`;
        failures.push(message);
        log(`FAILED ${message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    }
  }
  // The subscription fan-out scenarios: each client count once per round (largest first in even rounds), Tollgate
  // and the Hive Gateway peer alternating like the targets.
  const fanout: FanoutMeasurement[] = [];
  for (let round = 1; round <= options.rounds && !interrupted && options.scenarios.length > 0; round++) {
    const counts = round % 2 === 1 ? options.subscribers : [...options.subscribers].reverse();
    for (const clients of counts) {
      for (const scenario of roundOrder(options.scenarios, round)) {
        if (interrupted) break;
        if (options.waitIdle > 0) await waitForIdle(options.waitIdle);
        try {
          fanout.push(await measureFanout({ scenario, ctx, round, clients, rate: options.eventRate, warmup: options.warmup, duration: options.duration, reviewsUrl: direct.reviews, subgraphStatsUrl, log }));
        } catch (error) {
          const message = `[round ${round}] ${scenario} (${clients} clients): ${(error as Error).message}`;
          failures.push(message);
          log(`FAILED ${message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      }
    }
  }
  if (subgraphStatsUrl !== undefined) {
    // Few executed requests = the memo worked: every gateway asked the same few distinct questions again and again.
    const counts = await fetch(subgraphStatsUrl, { signal: AbortSignal.timeout(5000) }).then((r) => r.json() as Promise<{ requests: number; forwarded: number }>, () => undefined);
    if (counts !== undefined) notes.add(`subgraph memo fronts: ${counts.requests} requests over the run, ${counts.forwarded} of them executed by the subgraphs`);
  }
  await stopChild(subgraphs);

  const run: BenchRun = {
    options,
    workload,
    reference,
    pinning,
    idleBusyPct,
    measurements,
    failures,
    skipped,
    notes: [...notes],
    versions,
    fanout,
    summaries: summarize(measurements, options.targets, pinning.enabled),
  };
  console.log(renderReport(run));
  const resultsFile = writeResults(repoRoot, run);
  log(`results written to ${relative(process.cwd(), resultsFile) || resultsFile}`);

  const answered = measurements.reduce((n, m) => n + m.verify.ok, 0);
  if (failures.length > 0) return 1;
  if (fanout.length > 0 && fanout.every((m) => m.delivered === 0)) {
    log('no subscription event was delivered');
    return 1;
  }
  if (measurements.length > 0 && answered === 0) {
    log('every response was wrong');
    return 1;
  }
  return 0;
}

/** The version in a package's package.json, or "?" when it cannot be read. */
function packageVersion(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

/** Per-CPU busy % over a short idle window, before the bench starts anything. */
async function machineBusy(): Promise<number[] | undefined> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, IDLE_CHECK_MS));
  return busyPercent(before, cpuTimes());
}

/** Waits until every CPU is under IDLE_PCT busy, or gives up after `seconds` and says so. */
async function waitForIdle(seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let busy = await machineBusy();
  while (busy !== undefined && busy.some((p) => p >= IDLE_PCT) && Date.now() < deadline && !interrupted) {
    busy = await machineBusy();
  }
  if (busy !== undefined && busy.some((p) => p >= IDLE_PCT)) log(`machine still busy (${busy.map((p) => `${p.toFixed(0)}%`).join(' / ')}) after ${seconds}s; measuring anyway`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Don't wait on anything autocannon or undici may still hold open.
    void stopAll().finally(() => process.exit(code));
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`bench: ${error.message}`);
    else console.error('bench failed:', error);
    void stopAll().finally(() => process.exit(1));
  },
);
