// Persisted operations shared through one real redis-server: two gateways share APQ registrations (one registers,
// the other serves the hash), entries that do not hash to their key are never served, and a manifest published with
// `tollgate persisted publish` reaches both gateways (pub/sub), validated against the served supergraph first.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { runPersistedCommand } from '../src/cli/persisted';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { eventually, http, postJson, startTestGateway, tempDir } from './harness';
import { startRedis, type TestRedis } from './redisServer';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const pq = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let redis: TestRedis;
let supergraph: string;
let a: Gateway;
let b: Gateway;
let dir: string;

beforeAll(async () => {
  [graph, redis] = await Promise.all([startMiniGraph(), startRedis()]);
  supergraph = composeMiniGraph(graph.catalog.url, graph.stock.url);
  dir = tempDir();
  writeFileSync(join(dir, 'supergraph.graphql'), supergraph);
  const config = {
    persistedOperations: {
      mode: 'apq' as const,
      apq: { redis: { url: redis.url, key: 'test:apq', ttl: '1h' } },
      manifest: { redis: { url: redis.url, key: 'test:manifest', pollInterval: 0 } },
    },
  };
  [a, b] = await Promise.all([startTestGateway(supergraph, config), startTestGateway(supergraph, config)]);
}, 30_000);

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
  await graph?.close();
});

async function persistedCli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runPersistedCommand(args, { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) }, env: {}, cwd: dir });
  return { code, stdout, stderr };
}

describe('two gateways on one Redis', () => {
  it('serve by hash on one gateway what was registered on the other', async () => {
    const query = '{ products { id name } }';
    const hash = sha256(query);
    expect((await postJson(b.url, pq(hash))).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await postJson(a.url, { query, ...pq(hash) });
    expect(registered.json.data.products).toHaveLength(2);
    const served = await http(`${b.url}?extensions=${encodeURIComponent(JSON.stringify(pq(hash).extensions))}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(served.json).toEqual(registered.json);
    // Stored under the prefix and the hash, with the TTL.
    const client = new Redis(redis.url);
    try {
      expect(await client.get(`test:apq:${hash}`)).toBe(query);
      const ttl = await client.pttl(`test:apq:${hash}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    } finally {
      client.disconnect();
    }
  });

  it('never serves an entry whose text does not hash to its key (a poisoned store)', async () => {
    const hash = sha256('{ warehouseCount }');
    const client = new Redis(redis.url);
    try {
      await client.set(`test:apq:${hash}`, 'mutation { rename(id: "1", name: "pwned") { id } }');
    } finally {
      client.disconnect();
    }
    expect((await postJson(a.url, pq(hash))).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('store nothing for a mismatched registration', async () => {
    const hash = sha256('{ products { id } }');
    expect((await postJson(a.url, { query: '{ warehouseCount }', ...pq(hash) })).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const client = new Redis(redis.url);
    try {
      expect(await client.exists(`test:apq:${hash}`)).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});

describe('tollgate persisted publish to Redis', () => {
  beforeAll(() => {
    writeFileSync(
      join(dir, 'tollgate.yaml'),
      `supergraph:\n  file: supergraph.graphql\npersistedOperations:\n  mode: safelist\n  manifest:\n    redis:\n      url: ${redis.url}\n      key: test:manifest\n`,
    );
  });

  it('publishes a manifest both gateways serve at once, by its ids', async () => {
    writeFileSync(join(dir, 'relay.json'), JSON.stringify({ 'count-v1': 'query Count { warehouseCount }' }));
    const published = await persistedCli('publish', 'relay.json');
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/^Published manifest [0-9a-f]{12} \(map, 1 operations\)/);
    for (const gateway of [a, b]) {
      await eventually(async () => (await postJson(gateway.url, { documentId: 'count-v1' })).json.data?.warehouseCount === 3);
    }
    expect((await http(`${a.baseUrl}/ready`)).json.persistedOperations.manifest).toMatchObject({ source: 'redis', loaded: true, operations: 1, invalid: { count: 0 } });
  });

  it('refuses a manifest with an operation the supergraph does not validate, unless --allow-invalid', async () => {
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ 'count-v2': 'query Count { warehouseCount }', 'weight-v1': '{ products { weight } }' }));
    const refused = await persistedCli('publish', 'broken.json', '--format', 'json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'refused', invalid: [{ id: 'weight-v1', errors: ['Cannot query field "weight" on type "Product".'] }] });
    // Still the previous manifest.
    expect((await postJson(a.url, { documentId: 'count-v2' })).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await persistedCli('publish', 'broken.json', '--allow-invalid')).code).toBe(0);
    await eventually(async () => (await http(`${b.baseUrl}/ready`)).json.persistedOperations.manifest.invalid.count === 1);
    expect((await postJson(b.url, { documentId: 'count-v2' })).json.data).toEqual({ warehouseCount: 3 });
  });

  it('explains what is wrong with a file that is not a manifest', async () => {
    writeFileSync(join(dir, 'nope.json'), '[1, 2]');
    const result = await persistedCli('publish', 'nope.json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a manifest: a manifest is a JSON object');
    expect((await persistedCli('publish')).stderr).toContain('usage: tollgate persisted publish');
  });
});
