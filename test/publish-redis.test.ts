// The Redis side of publishing, in-process against a real redis-server: fleet-wide usage counts read by
// `tollgate check`, the Redis registry store, and a gateway following it by polling when pub/sub is missed
// and through a Redis outage.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import pino from 'pino';
import { runPublishCommand, type PublishCommand } from '../src/cli/publish';
import { buildConfig } from '../src/config/load';
import { startGateway, type RunningGateway } from '../src/gateway';
import { registryKeys } from '../src/publish/store/redisKeys';
import { UsageRecorder } from '../src/telemetry/usage/recorder';
import { RedisUsageStore } from '../src/telemetry/usage/redisUsageStore';
import { CATALOG_V2, catalogWith, startPublishGraph, writeRoverProject, type PublishGraph } from './fixtures/publishGraph';
import { compose, eventually, http, postJson, tempDir } from './harness';
import { startRedis, type TestRedis } from './redisServer';

let redis: TestRedis;
let client: Redis;
let graph: PublishGraph;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  graph = await startPublishGraph();
  dir = tempDir('tollgate-redis-');
  writeRoverProject(dir, { catalog: graph.catalog.url, stock: graph.stock.url });
  writeFileSync(join(dir, 'v2.graphql'), CATALOG_V2);
});

afterAll(async () => {
  client?.disconnect();
  await graph?.close();
  await redis?.stop();
});

async function cli(command: PublishCommand, configYaml: string, ...args: string[]) {
  writeFileSync(join(dir, 'tollgate.yaml'), configYaml);
  let stdout = '';
  let stderr = '';
  const code = await runPublishCommand(command, args, {
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    env: { TOLLGATE_ACTOR: 'ci@test' },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe('usage in Redis', () => {
  it('adds up the counts of several instances and keeps at most maxOperations entries', async () => {
    const key = 'test:usage:sum';
    const stores = [0, 1].map(() => new RedisUsageStore({ url: redis.url, key, maxOperations: 2 }));
    const recorders = stores.map((sink) => new UsageRecorder({ maxOperations: 10, sink }));
    try {
      recorders[0].record('query A { a }', 'A', 'web');
      recorders[0].record('query A { a }', 'A', 'web');
      recorders[1].record('query A { a }', 'A', 'web');
      await Promise.all(recorders.map((r) => r.flush()));
      const [a] = await stores[0].recentOperations(0);
      expect(a).toMatchObject({ name: 'A', client: 'web', count: 3, query: 'query A { a }' });

      recorders[1].record('{ b }', undefined, 'ios');
      await new Promise((resolve) => setTimeout(resolve, 5));
      recorders[1].record('{ c }', undefined, 'ios');
      await recorders[1].flush();
      const kept = await stores[0].recentOperations(0);
      expect(kept.map((o) => o.query)).toEqual(['{ c }', '{ b }']);
      expect(await client.hlen(`${key}:query`)).toBe(2);
    } finally {
      await Promise.all(recorders.map((r) => r.stop()));
    }
  });

  it('lets `tollgate check` see what a gateway recorded, without any gateway running', async () => {
    const supergraphFile = join(dir, 'supergraph.graphql');
    writeFileSync(
      supergraphFile,
      compose([
        { name: 'catalog', url: graph.catalog.url, sdl: CATALOG_V2 },
        { name: 'stock', url: graph.stock.url, sdl: (await import('./fixtures/publishGraph')).STOCK_SDL },
      ]),
    );
    const usage = { redis: { url: redis.url, key: 'test:usage:gw' }, flushInterval: '50ms' };
    const gateway = await startGateway(buildConfig({ server: { port: 0 }, supergraph: { file: supergraphFile }, usage }, { baseDir: dir }), { logger: pino({ level: 'silent' }) });
    try {
      for (let i = 0; i < 4; i++) await postJson(gateway.url, { query: 'query Colors { products { name color } }' });
      await postJson(gateway.url, { query: 'query Sizes { products { size } }' });
      // Flushed on the recorder's timer, not by the requests.
      await eventually(async () => (await client.zcard('test:usage:gw:seen')) === 2);
    } finally {
      await gateway.close();
    }
    writeFileSync(join(dir, 'nocolor.graphql'), catalogWith('  color: String\n', '', CATALOG_V2));
    const config = `supergraph:\n  rover: rover.yaml\nusage:\n  redis: { url: "${redis.url}", key: "test:usage:gw" }\n`;
    // rover.yaml has v1 (no color): check against a registry that has v2 would be the real flow; here the
    // operations that use `color` are invalid today, so they must not be blamed on the candidate.
    const againstRover = await cli('check', config, 'catalog', '--schema', 'nocolor.graphql');
    expect(againstRover.stdout).toContain('2 checked, 0 would break');

    const fileConfig = `supergraph:\n  file: supergraph.graphql\nusage:\n  redis: { url: "${redis.url}", key: "test:usage:gw" }\n`;
    expect((await cli('publish', fileConfig, 'catalog', '--schema', 'v2.graphql')).code).toBe(0);
    const check = await cli('check', fileConfig, 'catalog', '--schema', 'nocolor.graphql');
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/2 checked, 1 would break:\n {4}Colors {2}client anonymous {2}4 calls/);
    expect(check.stdout).toContain('Cannot query field "color" on type "Product".');
  });
});

describe('a gateway following the Redis registry', () => {
  const key = 'test:registry:follow';
  /** The CLI's config: the same registry the gateway follows. */
  const registryYaml = () => `supergraph:\n  redis: { url: "${redis.url}", key: "${key}" }\n`;
  let gateway: RunningGateway;

  afterAll(async () => {
    await gateway?.close();
  });

  it('waits for the first publish, then serves it', async () => {
    const config = buildConfig({ server: { port: 0 }, supergraph: { redis: { url: redis.url, key, pollInterval: '200ms' } } }, { baseDir: dir });
    let started = false;
    const starting = startGateway(config, { logger: pino({ level: 'silent' }) }).finally(() => (started = true));
    // Nothing is published yet: it keeps waiting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started).toBe(false);
    expect((await cli('publish', registryYaml(), 'catalog', '--schema', 'v2.graphql')).code).toBe(0);
    gateway = await starting;
    const ready = await http(gateway.url.replace('/graphql', '/ready'));
    expect(ready.json.supergraph).toMatchObject({ loaded: true, hash: await client.get(registryKeys(key).current) });
    expect((await postJson(gateway.url, { query: '{ products { color } }' })).json.data.products[0].color).toBe('oak');
  });

  it('picks up a version whose pub/sub message was missed, by polling', async () => {
    const keys = registryKeys(key);
    const sdl = compose([
      { name: 'catalog', url: graph.catalog.url, sdl: catalogWith('  weight: Int\n', '', CATALOG_V2) },
      { name: 'stock', url: graph.stock.url, sdl: (await import('./fixtures/publishGraph')).STOCK_SDL },
    ]);
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(sdl).digest('hex');
    await client.set(keys.blob(hash), sdl);
    await client.set(keys.current, hash); // no PUBLISH
    await eventually(() => gateway.supergraph.status.hash === hash, 5_000);
    expect((await postJson(gateway.url, { query: '{ products { weight } }' })).json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('keeps serving through a Redis outage, says so in /ready, and follows again once Redis is back', async () => {
    const serving = gateway.supergraph.status.hash;
    await redis.kill();
    await eventually(() => gateway.supergraph.status.lastError !== undefined, 5_000);
    const ready = await http(gateway.url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(200);
    expect(ready.json.supergraph).toMatchObject({ loaded: true, hash: serving, lastError: { message: expect.any(String) } });
    expect((await postJson(gateway.url, { query: '{ products { name } }' })).json.data.products).toHaveLength(2);

    await redis.restart();
    // The restarted server is empty (no persistence): publish again, as an operator would.
    const again = await cli('publish', registryYaml(), 'catalog', '--schema', 'v2.graphql');
    expect(again.code).toBe(0);
    await eventually(async () => (await postJson(gateway.url, { query: '{ products { color weight } }' })).json.data?.products?.[0]?.weight === 30, 10_000);
    expect(gateway.supergraph.status.lastError).toBeUndefined();
  });
});
