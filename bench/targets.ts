// Starts a benchmark target (targetSpecs.ts says what each is) as its own child process on CPU 0: Tollgate through
// its CLI, stock Apollo Gateway + Apollo Server, the Hive Gateway peer, or the no-gateway ceiling.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { buildConfig, ConfigError } from '../src/config/load';
import type { TargetName } from './args';
import { firstJsonLine, freePort, spawnNode, stopChild, waitForHttp200, type Child, type Pinning } from './processes';
import { TARGETS, type DedupeMode, type TargetSpec } from './targetSpecs';

/** How long a gateway may take from spawn to ready. */
const READY_TIMEOUT_MS = 60_000;
export const GATEWAY_CPU = 0;

export interface TargetContext {
  repoRoot: string;
  tmpDir: string;
  supergraphFile: string;
  pinning: Pinning;
  /** The bench's redis-server, when a Redis target runs. */
  redisUrl?: string;
  /** The installed Hive Gateway peer's folder, when a hive-gateway target runs. */
  hivePeerDir?: string;
  /** The reviews subgraph's own URL (not a memo front): what no-gateway memoizes. */
  reviewsUrl: string;
  /** Notes printed once, e.g. that the gateway has no `planner` option and runs Apollo's planner anyway. */
  notes: Set<string>;
}

export interface RunningTarget {
  child: Child;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** Headers every request to this target carries (credentials). */
  headers?: Record<string, string>;
  /** Set when the target answers another request than the workload's (no-gateway: the direct subgraph query). */
  ownWorkload?: 'direct';
}

/** The target cannot run on this machine or this build (not a failure of the run): the reason says why. */
export class TargetSkipped extends Error {}

export const TARGET_DESCRIPTIONS: Record<TargetName, string> = Object.fromEntries(
  Object.entries(TARGETS).map(([name, spec]) => [name, spec.description]),
) as Record<TargetName, string>;

/** The bench's client: an API key on a plan whose limits the load never reaches, so every response stays correct. */
const BENCH_API_KEY = 'tollgate-bench-key-0123456789';

/**
 * Authentication (API key), authorization (the example policies module), a rate limit on both root fields of the
 * benchmark query and a cost maximum and budget, all enforced: every request pays for its identity, the policy walk,
 * the estimate (cached per operation), one atomic store call, the actual cost of its response and the budget's
 * reconciliation. Sized so that nothing is ever refused, so every body can still be checked.
 */
function policiesSettings(ctx: TargetContext, redis: boolean): Record<string, unknown> {
  const unreachable = { max: 1_000_000_000, window: '1h' };
  return {
    authentication: { apiKeys: { keys: [{ client: 'bench', key: BENCH_API_KEY, plan: 'bench' }] } },
    authorization: { policies: join(ctx.repoRoot, 'policies.example.js') },
    rateLimits: { mode: 'enforce', fields: { 'Query.users': unreachable, 'Query.topProducts': unreachable } },
    cost: { mode: 'enforce', plans: { bench: { max: 100_000, budget: { max: Number.MAX_SAFE_INTEGER, window: '1h' } } } },
    store: redis ? { kind: 'redis', redis: { url: ctx.redisUrl } } : { kind: 'memory' },
  };
}

function dedupeSettings(mode: DedupeMode): Record<string, unknown> {
  return { dedupe: { inbound: mode === 'inbound+subgraph' }, traffic: { all: { dedupe: mode !== 'none' } } };
}

/**
 * Environment for a gateway: the bench's own, minus what would make a gateway report to Apollo's cloud
 * (traffic must stay on 127.0.0.1), plus telemetry off.
 */
function gatewayEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' };
  for (const name of ['APOLLO_KEY', 'APOLLO_GRAPH_REF', 'APOLLO_GRAPH_ID', 'APOLLO_GRAPH_VARIANT', 'APOLLO_SCHEMA_REPORTING', 'HIVE_TOKEN', 'HIVE_REGISTRY_TOKEN']) {
    delete env[name];
  }
  return env;
}

export async function startTarget(name: TargetName, ctx: TargetContext): Promise<RunningTarget> {
  const spec = TARGETS[name];
  switch (spec.kind) {
    case 'apollo':
      return startJsonLineTarget(name, join(__dirname, 'baselineGateway.js'), [ctx.supergraphFile, '0'], ctx);
    case 'hive-gateway': {
      if (ctx.hivePeerDir === undefined) throw new TargetSkipped('the Hive Gateway peer is not installed');
      const mode = spec.dedupe ?? 'subgraph';
      const args = [ctx.supergraphFile, '0', mode === 'none' ? 'off' : 'on', mode === 'inbound+subgraph' ? 'on' : 'off'];
      return startJsonLineTarget(name, join(ctx.hivePeerDir, 'server.mjs'), args, ctx);
    }
    case 'no-gateway':
      return { ...(await startJsonLineTarget(name, join(__dirname, 'noGatewayProcess.js'), [ctx.reviewsUrl, '0'], ctx)), ownWorkload: 'direct' };
    case 'tollgate':
      return startTollgateSpec(name, spec, ctx);
  }
}

async function startTollgateSpec(name: TargetName, spec: TargetSpec, ctx: TargetContext): Promise<RunningTarget> {
  if (spec.policies === 'redis' && !ctx.redisUrl) throw new TargetSkipped('needs redis-server on PATH');
  const settings: Record<string, unknown> = {
    executor: spec.executor ?? 'apollo',
    ...(spec.planner === undefined ? {} : { planner: spec.planner }),
    ...dedupeSettings(spec.dedupe ?? 'none'),
    ...(spec.policies === undefined ? {} : policiesSettings(ctx, spec.policies === 'redis')),
  };
  const refusal = plannerRefusal(settings, ctx);
  if (refusal !== undefined) {
    if (spec.planner === 'hive') throw new TargetSkipped(`this Tollgate build refuses \`planner: hive\`: ${refusal}`);
    // Before the planner option existed Apollo's planner was the only one, so the target still measures what it says.
    delete settings.planner;
    ctx.notes.add(`this Tollgate build has no \`planner\` option (${refusal}); the planner: apollo targets ran without the key, on Apollo's planner, its only one`);
  }
  const running = await startTollgate(ctx, name, settings, spec.planner === 'hive');
  return spec.policies === undefined ? running : { ...running, headers: { 'x-api-key': BENCH_API_KEY } };
}

/** Tollgate's own config check, in process: the reason it rejects the `planner` key or value, if it does. */
function plannerRefusal(settings: Record<string, unknown>, ctx: TargetContext): string | undefined {
  if (settings.planner === undefined) return undefined;
  try {
    buildConfig({ ...baseSettings(ctx), ...settings }, { baseDir: ctx.tmpDir, source: 'bench settings' });
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const lines = error.message.split('\n').map((line) => line.trim());
    return lines.find((line) => /planner/i.test(line));
  }
}

function baseSettings(ctx: TargetContext): Record<string, unknown> {
  return { supergraph: { file: ctx.supergraphFile, watch: false }, logging: { level: 'warn' }, server: { csrfPrevention: { enabled: false } } };
}

export async function startTollgate(ctx: TargetContext, name: string, settings: Record<string, unknown>, hivePlanner: boolean): Promise<RunningTarget> {
  const cli = join(ctx.repoRoot, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} not found; run \`npm run build\` first`);
  const configFile = join(ctx.tmpDir, `${name.replace(/\+/g, '-')}.yaml`);
  writeFileSync(configFile, toYaml({ ...baseSettings(ctx), ...settings }));
  const port = await freePort();
  const child = spawnNode(name, cli, ['start', '--config', configFile, '--port', String(port), '--host', '127.0.0.1'], {
    cpu: GATEWAY_CPU,
    pinning: ctx.pinning,
    env: gatewayEnv(),
  });
  try {
    await untilReady(child, waitForHttp200(child, `http://127.0.0.1:${port}/ready`, READY_TIMEOUT_MS));
  } catch (error) {
    // The Rust planner is a native addon: where it cannot load, the gateway refuses to start and says why.
    const message = (error as Error).message;
    if (hivePlanner && /exited/.test(message) && /planner|router-query-planner|addon/i.test(child.output())) {
      throw new TargetSkipped(`Tollgate refused to start with planner: hive: ${lastLines(child.output(), 3)}`);
    }
    throw error;
  }
  return { child, url: `http://127.0.0.1:${port}/graphql` };
}

/** A child that binds port 0 itself and prints `{"url": ...}`, so there is no window for a port collision. */
export async function startJsonLineTarget(name: string, script: string, args: string[], ctx: TargetContext): Promise<RunningTarget> {
  const child = spawnNode(name, script, args, { cpu: GATEWAY_CPU, pinning: ctx.pinning, env: gatewayEnv() });
  const line = await untilReady(child, firstJsonLine(child, READY_TIMEOUT_MS));
  if (typeof line.url !== 'string') throw new Error(`${name}: unexpected start-up line ${JSON.stringify(line)}`);
  const url = new URL(line.url);
  // startStandaloneServer reports http://127.0.0.1:PORT/ (its root path is the endpoint); the others /graphql.
  return { child, url: `http://127.0.0.1:${url.port}${url.pathname}` };
}

/** Waits for `ready`; if it fails, stops the child first so a half-started gateway never runs next to the next one. */
async function untilReady<T>(child: Child, ready: Promise<T>): Promise<T> {
  try {
    return await ready;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}
