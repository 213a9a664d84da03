// The gateways under test and how each one is started as its own child process on CPU 0: Tollgate through its
// CLI (inbound dedupe off or on; with authentication, authorization, rate limits and cost enforced, on the memory
// store or on Redis), and stock Apollo Gateway + Apollo Server as the baseline.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { TargetName } from './args';
import { firstJsonLine, freePort, spawnNode, stopChild, waitForHttp200, type Child, type Pinning } from './processes';

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
}

export interface RunningTarget {
  child: Child;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** Headers every request to this target carries (credentials). */
  headers?: Record<string, string>;
}

export const TARGET_DESCRIPTIONS: Record<TargetName, string> = {
  apollo: '@apollo/gateway + @apollo/server standalone, default settings',
  tollgate: 'tollgate start, dedupe off (dedupe.inbound and traffic.all.dedupe false)',
  'tollgate-exec': 'as tollgate (dedupe off), with executor: tollgate (Tollgate\'s own plan executor)',
  'tollgate+dedupe': 'tollgate start, dedupe on (inbound and subgraph fetches)',
  'tollgate+policies':
    'as tollgate (dedupe off), plus API-key authentication, the authorization policies module, a rate limit on both root fields and a cost maximum + budget, all enforced; memory store',
  'tollgate+policies+redis': 'as tollgate+policies, with the limits and the budget on a local redis-server',
};

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

/**
 * Environment for a gateway: the bench's own, minus what would make a gateway report to Apollo's cloud
 * (traffic must stay on 127.0.0.1), plus telemetry off.
 */
function gatewayEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' };
  for (const name of ['APOLLO_KEY', 'APOLLO_GRAPH_REF', 'APOLLO_GRAPH_ID', 'APOLLO_GRAPH_VARIANT', 'APOLLO_SCHEMA_REPORTING']) delete env[name];
  return env;
}

export async function startTarget(name: TargetName, ctx: TargetContext): Promise<RunningTarget> {
  switch (name) {
    case 'apollo':
      return startApollo(ctx);
    case 'tollgate+policies':
    case 'tollgate+policies+redis': {
      const redis = name === 'tollgate+policies+redis';
      if (redis && !ctx.redisUrl) throw new Error(`${name} needs redis-server on PATH`);
      // Compared with "tollgate": the same fast path (no dedupe), plus every policy.
      const running = await startTollgate(ctx, name, { dedupe: { inbound: false }, traffic: { all: { dedupe: false } }, ...policiesSettings(ctx, redis) });
      return { ...running, headers: { 'x-api-key': BENCH_API_KEY } };
    }
    default: {
      // "tollgate" measures the fast path alone: no sharing of work between requests at all (inbound and
      // subgraph-fetch dedupe off); "tollgate+dedupe" turns both on, as a gateway serving many clients would.
      const dedupe = name === 'tollgate+dedupe';
      const executor = name === 'tollgate-exec' ? 'tollgate' : 'apollo';
      return startTollgate(ctx, name, { executor, dedupe: { inbound: dedupe }, traffic: { all: { dedupe } } });
    }
  }
}

async function startTollgate(ctx: TargetContext, name: TargetName, settings: Record<string, unknown>): Promise<RunningTarget> {
  const cli = join(ctx.repoRoot, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} not found; run \`npm run build\` first`);
  const configFile = join(ctx.tmpDir, `${name.replace(/\+/g, '-')}.yaml`);
  writeFileSync(
    configFile,
    toYaml({
      supergraph: { file: ctx.supergraphFile, watch: false },
      logging: { level: 'warn' },
      server: { csrfPrevention: { enabled: false } },
      ...settings,
    }),
  );
  const port = await freePort();
  const child = spawnNode(name, cli, ['start', '--config', configFile, '--port', String(port), '--host', '127.0.0.1'], {
    cpu: GATEWAY_CPU,
    pinning: ctx.pinning,
    env: gatewayEnv(),
  });
  await untilReady(child, waitForHttp200(child, `http://127.0.0.1:${port}/ready`, READY_TIMEOUT_MS));
  return { child, url: `http://127.0.0.1:${port}/graphql` };
}

async function startApollo(ctx: TargetContext): Promise<RunningTarget> {
  // Port 0: the baseline binds a free port itself and prints its URL, so there is no window for a collision.
  const child = spawnNode('apollo', join(__dirname, 'baselineGateway.js'), [ctx.supergraphFile, '0'], {
    cpu: GATEWAY_CPU,
    pinning: ctx.pinning,
    env: gatewayEnv(),
  });
  const line = await untilReady(child, firstJsonLine(child, READY_TIMEOUT_MS));
  if (typeof line.url !== 'string') throw new Error(`apollo: unexpected start-up line ${JSON.stringify(line)}`);
  const url = new URL(line.url);
  // startStandaloneServer reports http://127.0.0.1:PORT/; the GraphQL endpoint is its root path.
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
