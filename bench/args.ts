// `npm run bench -- [flags]`: the flags, their defaults, and their validation. Nothing runs here.
import { parseArgs } from 'node:util';

/**
 * Every target, in the default round-1 order. `+subgraph-dedupe` = subgraph-fetch dedupe only; `+dedupe` = inbound
 * and subgraph-fetch dedupe; no suffix = no dedupe at all. The names the docs used before stay as they were.
 */
export const TARGET_NAMES = [
  'apollo',
  'tollgate',
  'tollgate+subgraph-dedupe',
  'tollgate+dedupe',
  'tollgate+policies',
  'tollgate+policies+redis',
  'tollgate-exec',
  'tollgate-exec+subgraph-dedupe',
  'tollgate-exec+dedupe',
  'tollgate-exec+policies',
  'tollgate-exec-hive',
  'tollgate-exec-hive+subgraph-dedupe',
  'tollgate-exec-hive+dedupe',
  'tollgate-exec-hive+policies',
  'hive-gateway',
  'hive-gateway+subgraph-dedupe',
  'hive-gateway+dedupe',
  'no-gateway',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Scenarios other than the HTTP load: selected with --only like targets, run after them (fanoutTarget.ts). */
export const SCENARIO_NAMES = ['subscriptions-fanout', 'subscriptions-fanout-hive-gateway'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  /** Targets in round-1 order; even rounds run them reversed. @default all (the Redis one only with redis-server on PATH) */
  targets: TargetName[];
  /** Scenarios to run after the targets. @default all */
  scenarios: ScenarioName[];
  /** subscriptions-fanout: client counts, one measurement each per round. @default [100, 1000] */
  subscribers: number[];
  /** subscriptions-fanout: events published per second (offered load: × clients deliveries per second). @default 5 */
  eventRate: number;
  /** Concurrent keep-alive connections from the load generator. @default 50 */
  connections: number;
  /** Measured seconds per target per round. @default 20 */
  duration: number;
  /** Unmeasured seconds of the same load before each measurement. @default 5 */
  warmup: number;
  /** @default 2 */
  rounds: number;
  /** A .graphql operation or a .json POST body; undefined = the benchmark fixture. */
  query: string | undefined;
  /** The expected response JSON; undefined = the fixture's (with the default query) or the first good response. */
  expected: string | undefined;
  /** Don't pin processes to CPUs even when taskset works. */
  noPin: boolean;
  /**
   * Subgraphs answer each distinct request body from memory after executing it once, so they cost the gateway's
   * neighbour (CPU 1) almost nothing and the gateway is what is measured. `--no-memo` executes every request. @default true
   */
  memo: boolean;
  /** Before each measurement, wait up to this many seconds for the machine to go idle (shared machines). @default 0 */
  waitIdle: number;
  /** Print usage and exit. */
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [flags]

  --only apollo,tollgate,...               targets (default: all, in this order in round 1):
                                             apollo                       plain @apollo/gateway + @apollo/server
                                             tollgate[+subgraph-dedupe|+dedupe|+policies|+policies+redis]
                                                                          executor: apollo
                                             tollgate-exec[+subgraph-dedupe|+dedupe|+policies]
                                                                          executor: tollgate, planner: apollo
                                             tollgate-exec-hive[+subgraph-dedupe|+dedupe]
                                                                          executor: tollgate, planner: hive
                                             hive-gateway[+subgraph-dedupe|+dedupe]
                                                                          Hive Gateway + its Rust planner
                                                                          (installed on first use)
                                             no-gateway                   the HTTP ceiling, no gateway
                                             subscriptions-fanout         one subscription to N graphql-ws clients
                                                                          (--subscribers, --event-rate)
                                             subscriptions-fanout-hive-gateway
                                                                          the same through the Hive Gateway peer
                                           no suffix = no dedupe; +subgraph-dedupe = subgraph fetches only;
                                           +dedupe = inbound + subgraph fetches. +policies+redis needs
                                           redis-server on PATH (left out of the default run without it)
  --connections N                          concurrent connections (default 50)
  --subscribers N,M                        subscriptions-fanout: client counts (default 100,1000)
  --event-rate R                           subscriptions-fanout: events published per second (default 5)
  --duration S                             measured seconds per target and round (default 20)
  --warmup S                               unmeasured warm-up seconds before each measurement (default 5)
  --rounds N                               rounds; the target order reverses every other round (default 2)
  --query FILE                             .graphql operation or .json request body (default: bench fixture)
  --expected FILE                          expected response JSON (default: fixture's, or the first good response)
  --no-pin                                 don't pin the gateway to CPU 0 and the rest to CPU 1
  --no-memo                                subgraphs execute every request (default: each distinct request
                                           body is executed once, then answered from memory)
  --wait-idle S                            before each measurement, wait up to S seconds for every CPU to be <10% busy
  --help                                   this text`;

export class UsageError extends Error {}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      only: { type: 'string' },
      connections: { type: 'string' },
      subscribers: { type: 'string' },
      'event-rate': { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      query: { type: 'string' },
      expected: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      'no-memo': { type: 'boolean', default: false },
      'wait-idle': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const selected = parseSelection(values.only);
  return {
    targets: selected.targets,
    scenarios: selected.scenarios,
    subscribers: parseSubscribers(values.subscribers),
    eventRate: positiveInt('event-rate', values['event-rate'], 5),
    connections: positiveInt('connections', values.connections, 50),
    duration: positiveInt('duration', values.duration, 20),
    warmup: nonNegativeInt('warmup', values.warmup, 5),
    rounds: positiveInt('rounds', values.rounds, 2),
    query: values.query,
    expected: values.expected,
    noPin: values['no-pin'] ?? false,
    memo: !(values['no-memo'] ?? false),
    waitIdle: nonNegativeInt('wait-idle', values['wait-idle'], 0),
    help: values.help ?? false,
  };
}

function parseSelection(only: string | undefined): { targets: TargetName[]; scenarios: ScenarioName[] } {
  if (only === undefined) return { targets: [...TARGET_NAMES], scenarios: [...SCENARIO_NAMES] };
  const names = only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known: readonly string[] = [...TARGET_NAMES, ...SCENARIO_NAMES];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new UsageError(`--only: unknown target(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (names.length === 0) throw new UsageError('--only: name at least one target');
  const unique = [...new Set(names)];
  return {
    targets: unique.filter((n): n is TargetName => (TARGET_NAMES as readonly string[]).includes(n)),
    scenarios: unique.filter((n): n is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(n)),
  };
}

function parseSubscribers(raw: string | undefined): number[] {
  if (raw === undefined) return [100, 1000];
  const counts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => positiveInt('subscribers', s, 1));
  if (counts.length === 0) throw new UsageError('--subscribers: give at least one client count');
  return [...new Set(counts)];
}

function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  const n = nonNegativeInt(flag, raw, fallback);
  if (n === 0) throw new UsageError(`--${flag} must be at least 1`);
  return n;
}

function nonNegativeInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} must be a whole number, got "${raw}"`);
  return n;
}
