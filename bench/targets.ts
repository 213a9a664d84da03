// The gateways under test and how each one is started as its own child process on CPU 0: Tollgate through its
// CLI (inbound dedupe off or on), and stock Apollo Gateway + Apollo Server as the baseline.
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
}

export interface RunningTarget {
  child: Child;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
}

export const TARGET_DESCRIPTIONS: Record<TargetName, string> = {
  apollo: '@apollo/gateway + @apollo/server standalone, default settings',
  tollgate: 'tollgate start, dedupe off (dedupe.inbound and traffic.all.dedupe false)',
  'tollgate+dedupe': 'tollgate start, dedupe on (inbound and subgraph fetches)',
};

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
  return name === 'apollo' ? startApollo(ctx) : startTollgate(ctx, name === 'tollgate+dedupe');
}

async function startTollgate(ctx: TargetContext, inboundDedupe: boolean): Promise<RunningTarget> {
  const cli = join(ctx.repoRoot, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} not found; run \`npm run build\` first`);
  const configFile = join(ctx.tmpDir, `tollgate${inboundDedupe ? '-dedupe' : ''}.yaml`);
  writeFileSync(
    configFile,
    toYaml({
      supergraph: { file: ctx.supergraphFile, watch: false },
      logging: { level: 'warn' },
      server: { csrfPrevention: { enabled: false } },
      // "tollgate" measures the fast path alone: no sharing of work between requests at all (inbound and
      // subgraph-fetch dedupe off); "tollgate+dedupe" turns both on, as a gateway serving many clients would.
      dedupe: { inbound: inboundDedupe },
      traffic: { all: { dedupe: inboundDedupe } },
    }),
  );
  const port = await freePort();
  const name = inboundDedupe ? 'tollgate+dedupe' : 'tollgate';
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
