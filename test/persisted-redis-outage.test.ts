// Persisted operations when Redis goes away mid-request: a Redis that accepts commands and never answers (a TCP hop
// that stops forwarding) and one that is killed. APQ lookups become misses (the client re-sends the text and is
// served), manifest reads fail with an error instead of waiting, and the gateway still shuts down.
import { createHash } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { manifestKeys, RedisManifestSource } from '../src/persisted/source';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { eventually, postJson, startTestGateway } from './harness';
import { startRedis, type TestRedis } from './redisServer';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const pq = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

/** A TCP hop to Redis that can stop forwarding (commands sent, no answer): a hung Redis, on demand. */
async function startStallingProxy(port: number): Promise<{ url: string; stall(on: boolean): void; close(): Promise<void> }> {
  let stalled = false;
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk) => (stalled ? held.push(() => upstream.write(chunk)) : upstream.write(chunk)));
    upstream.on('data', (chunk) => (stalled ? held.push(() => client.write(chunk)) : client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stall(on) {
      stalled = on;
      if (!on) for (const release of held.splice(0)) release();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let redis: TestRedis;
let supergraph: string;

beforeAll(async () => {
  [graph, redis] = await Promise.all([startMiniGraph(), startRedis()]);
  supergraph = composeMiniGraph(graph.catalog.url, graph.stock.url);
}, 30_000);

afterAll(async () => {
  await redis?.stop();
  await graph?.close();
});

async function writeDirectly(key: string, value: string): Promise<void> {
  const client = new Redis(redis.url);
  try {
    await client.set(key, value);
  } finally {
    client.disconnect();
  }
}

describe('a Redis that stops answering', () => {
  it('fails a manifest read instead of waiting for it (reloads are serialised, so one wait would hold them all)', async () => {
    const proxy = await startStallingProxy(redis.port);
    const keys = manifestKeys('stall:manifest');
    const text = JSON.stringify({ one: '{ warehouseCount }' });
    await writeDirectly(keys.blob(sha256(text)), text);
    await writeDirectly(keys.current, sha256(text));
    const source = new RedisManifestSource(proxy.url, 'stall:manifest', 0, 200);
    try {
      expect(await source.load()).toBe(text);
      proxy.stall(true);
      await expect(source.load()).rejects.toThrow(/timed out/i);
    } finally {
      proxy.stall(false);
      await source.close();
      await proxy.close();
    }
  });

  it('answers APQ lookups with a miss, serves the re-sent text, and shuts down', async () => {
    const proxy = await startStallingProxy(redis.port);
    const gateway = await startTestGateway(supergraph, { persistedOperations: { mode: 'apq', apq: { redis: { url: proxy.url, key: 'stall:apq', commandTimeout: '200ms' } } } });
    try {
      const query = '{ echo(text: "stored before the stall") }';
      // Written behind the gateway's back, so its near cache does not have it: the lookup must go to Redis.
      await writeDirectly(`stall:apq:${sha256(query)}`, query);
      expect((await postJson(gateway.url, pq(sha256(query)))).json).toEqual({ data: { echo: 'stored before the stall' } });
      const other = '{ echo(text: "looked up during the stall") }';
      await writeDirectly(`stall:apq:${sha256(other)}`, other);
      proxy.stall(true);
      const miss = await postJson(gateway.url, pq(sha256(other)));
      expect(miss.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      // Apollo Client's retry: the text with its hash, served although Redis can't store it.
      expect((await postJson(gateway.url, { query: other, ...pq(sha256(other)) })).json).toEqual({ data: { echo: 'looked up during the stall' } });
    } finally {
      await gateway.close();
      proxy.stall(false);
      await proxy.close();
    }
  });
});

describe('a Redis that is killed and comes back', () => {
  it('misses while it is down, serves re-sent text, and serves from Redis again once it is back', async () => {
    const gateway = await startTestGateway(supergraph, { persistedOperations: { mode: 'apq', apq: { redis: { url: redis.url, key: 'kill:apq' } } } });
    try {
      const query = '{ echo(text: "across the outage") }';
      await redis.kill();
      expect((await postJson(gateway.url, pq(sha256(query)))).json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect((await postJson(gateway.url, { query, ...pq(sha256(query)) })).json).toEqual({ data: { echo: 'across the outage' } });
      await redis.restart();
      // Registered elsewhere while this gateway reconnects: found in Redis once the connection is back.
      const later = '{ echo(text: "after the outage") }';
      await writeDirectly(`kill:apq:${sha256(later)}`, later);
      await eventually(async () => (await postJson(gateway.url, pq(sha256(later)))).json.data?.echo === 'after the outage');
    } finally {
      await gateway.close();
    }
  });
});
