// A fleet: two real gateway processes (`tollgate start`) on one real redis-server. Before the first publish they
// are not ready; a publish reaches both within seconds with no failed request during the swap; a broken supergraph
// injected into Redis is refused while both keep serving (and say so in logs and /ready); rollback reaches both.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { registryKeys } from '../src/publish/store/redisKeys';
import { CATALOG_V2, startPublishGraph, writeRoverProject, type PublishGraph } from './fixtures/publishGraph';
import { closedPort, eventually, http, postJson, tempDir } from './harness';
import { startRedis, type TestRedis } from './redisServer';

const MAIN = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const KEY = 'fleet:supergraph';
/** "Within seconds": generous, since CI machines are slow; pub/sub normally makes it well under one. */
const ROLL_OUT_BOUND_MS = 15_000;

interface GatewayProcess {
  url: string;
  base: string;
  child: ChildProcess;
  logs: string[];
}

let redis: TestRedis;
let client: Redis;
let graph: PublishGraph;
let dir: string;
const gateways: GatewayProcess[] = [];

function tollgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: dir, env: { ...process.env, TOLLGATE_ACTOR: 'fleet-test' }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

async function startGatewayProcess(): Promise<GatewayProcess> {
  const port = await closedPort();
  const child = spawn(process.execPath, [MAIN, 'start', '--config', 'tollgate.yaml', '--port', String(port)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => (await http(`${base}/health`).catch(() => undefined))?.status === 200, 15_000);
  return { url: `${base}/graphql`, base, child, logs };
}

const ready = (g: GatewayProcess) => http(`${g.base}/ready`);
const query = (g: GatewayProcess, q: string) => postJson(g.url, { query: q });

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  graph = await startPublishGraph();
  dir = tempDir('tollgate-fleet-');
  writeRoverProject(dir, { catalog: graph.catalog.url, stock: graph.stock.url });
  writeFileSync(join(dir, 'catalog-v2.graphql'), CATALOG_V2);
  writeFileSync(
    join(dir, 'tollgate.yaml'),
    `supergraph:\n  redis: { url: "${redis.url}", key: "${KEY}", pollInterval: 1s }\nlogging:\n  level: info\n`,
  );
  gateways.push(await startGatewayProcess(), await startGatewayProcess());
}, 60_000);

afterAll(async () => {
  await Promise.all(
    gateways.map(
      (g) =>
        new Promise<void>((resolve) => {
          if (g.child.exitCode !== null) return resolve();
          g.child.once('exit', () => resolve());
          g.child.kill('SIGTERM');
        }),
    ),
  );
  client?.disconnect();
  await graph?.close();
  await redis?.stop();
});

it('is not ready before the first publish, then both instances serve the seeded supergraph', async () => {
  for (const g of gateways) {
    // The first look at Redis may still be under way when the listener answers.
    await eventually(async () => (await ready(g)).json.supergraph.lastError !== undefined, ROLL_OUT_BOUND_MS);
    const reply = await ready(g);
    expect(reply.status).toBe(503);
    expect(reply.json.supergraph.lastError.message).toContain('no supergraph published yet');
    expect((await query(g, '{ products { name } }')).json.errors[0].extensions.code).toBe('SUPERGRAPH_NOT_READY');
  }
  // Without --schema, publish takes the subgraph's schema from rover.yaml: seeding a fleet.
  const seeded = await tollgate('publish', 'catalog', '--config', 'tollgate.yaml');
  expect(seeded).toMatchObject({ code: 0 });
  expect(seeded.stdout).toContain('recorded version 1: rover.yaml before the first publish');
  expect(seeded.stdout).toContain('no further version: the supergraph is what version 1 records');
  expect(seeded.stdout).not.toContain('nothing to publish');
  for (const g of gateways) await eventually(async () => (await ready(g)).status === 200, ROLL_OUT_BOUND_MS);
  const hash = await client.get(registryKeys(KEY).current);
  for (const g of gateways) expect((await ready(g)).json.supergraph.hash).toBe(hash);
});

it('rolls a publish out to both instances within seconds, with no failed request during the swap', async () => {
  let stop = false;
  let sent = 0;
  const failures: string[] = [];
  const load = (async () => {
    // A bounded loop: until the new field is served everywhere, or the bound passes.
    const deadline = Date.now() + ROLL_OUT_BOUND_MS + 5_000;
    while (!stop && Date.now() < deadline) {
      const replies = await Promise.all(gateways.map((g) => query(g, '{ products { id name stock } }').catch((error: Error) => ({ status: 0, json: { error: error.message } }))));
      for (const reply of replies) {
        sent += 1;
        const products = reply.json?.data?.products;
        if (reply.status !== 200 || reply.json.errors || products?.length !== 2 || products[1].stock !== 20) failures.push(JSON.stringify(reply.json));
      }
    }
  })();

  const started = Date.now();
  const published = await tollgate('publish', 'catalog', '--schema', 'catalog-v2.graphql', '--config', 'tollgate.yaml');
  expect(published.code).toBe(0);
  expect(published.stdout).toMatch(/published version 2 .* by fleet-test: catalog: 1 addition/);
  for (const g of gateways) {
    await eventually(async () => (await query(g, '{ products { color } }')).json.data?.products?.[0]?.color === 'oak', ROLL_OUT_BOUND_MS);
  }
  const rolledOutMs = Date.now() - started;
  stop = true;
  await load;

  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThan(10);
  expect(rolledOutMs).toBeLessThan(ROLL_OUT_BOUND_MS);
  for (const g of gateways) expect(g.logs.join('')).toContain('supergraph reloaded');
});

it('keeps serving the last good supergraph when a broken one is injected into Redis, and says so', async () => {
  const keys = registryKeys(KEY);
  const good = await client.get(keys.current);
  const broken = 'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query } type Query { oops: Nope }';
  const brokenHash = createHash('sha256').update(broken).digest('hex');
  await client.set(keys.blob(brokenHash), broken);
  await client.set(keys.current, brokenHash);
  await client.publish(keys.channel, brokenHash);

  try {
    for (const g of gateways) {
      await eventually(async () => (await ready(g)).json.supergraph.lastError?.hash === brokenHash, ROLL_OUT_BOUND_MS);
      const reply = await ready(g);
      expect(reply.status).toBe(200);
      expect(reply.json.supergraph.hash).toBe(good);
      expect((await query(g, '{ products { name color } }')).json.data.products[1]).toEqual({ name: 'Chair', color: 'red' });
      // The log comes over the child's stdout, which may land after /ready already shows the error.
      await eventually(() => g.logs.join('').includes('supergraph reload failed; still serving the last good supergraph'), ROLL_OUT_BOUND_MS);
    }
  } finally {
    // Put the good one back, as `tollgate publish` would have left it (also when this test failed: the next one rolls back).
    await client.set(keys.current, good!);
  }
});

it('rolls back every instance with `tollgate rollback`', async () => {
  const result = await tollgate('rollback', '--config', 'tollgate.yaml');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/rolled back to version 1 .* recorded as version 3 by fleet-test/);
  for (const g of gateways) {
    await eventually(async () => (await query(g, '{ products { color } }')).json.errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED', ROLL_OUT_BOUND_MS);
    const status = (await ready(g)).json.supergraph;
    expect(status.lastError).toBeUndefined();
    expect(status.hash).toBe(await client.get(registryKeys(KEY).current));
  }
  const history = JSON.parse((await tollgate('history', '--config', 'tollgate.yaml', '--format', 'json')).stdout);
  expect(history.entries.map((e: { version: number; action: string }) => `${e.version}:${e.action}`)).toEqual(['3:rollback', '2:publish', '1:baseline']);
  expect(history.entries[0].current).toBe(true);
  expect(history.served).toEqual({ hash: await client.get(registryKeys(KEY).current), version: 3 });
});
