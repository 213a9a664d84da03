// The one place ioredis clients are made, and the one check of a Redis URL in config. A target is one node
// (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS) or a Cluster (some of its nodes; the rest are
// discovered). Callers pass the client options their use needs (offline queue, timeouts); what a client is for
// and which keys it touches stay with them.
//
// Cluster in config: the rate-limit store (`store.redis.cluster`) — its keys carry one hash tag per client, so each
// Lua batch stays in one slot. The other Redis users take `url` only, for now: the publish registry (MULTI + EVAL
// over several untagged keys) and persisted manifests (SET + PUBLISH in one MULTI) would be refused cross-slot by a
// Cluster, and renaming their keys would orphan what is stored; the supergraph and manifest watchers SUBSCRIBE
// (sharded pub/sub on a Cluster); metering and usage run pipelines and scripts over several keys. Their clients are
// built here, so giving one `cluster:` is a config key plus hash-tagged key names, not another way to make a client.
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { z } from 'zod';

/** How long a disconnecting socket may take to close before it is destroyed (ioredis' default: 2 s). */
const DISCONNECT_TIMEOUT_MS = 100;

/** A Redis URL in config: `redis://…` or `rediss://…` (TLS). */
export const redisUrlSchema = z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL');

export type RedisTarget = string | { url?: string; cluster?: readonly string[] };

export type RedisClient = Redis | Cluster;

/**
 * A client for `target` with `options` (for a Cluster: applied to each node's connection; `enableOfflineQueue` and
 * `retryStrategy` go to the Cluster itself, as `enableOfflineQueue` and `clusterRetryStrategy`).
 */
export function createRedisClient(target: string, options?: RedisOptions): Redis;
export function createRedisClient(target: RedisTarget, options?: RedisOptions): RedisClient;
export function createRedisClient(target: RedisTarget, given: RedisOptions = {}): RedisClient {
  const { url, cluster } = typeof target === 'string' ? { url: target, cluster: undefined } : target;
  // ioredis arms a timer on disconnect() that only the socket's next 'close' clears; a socket that closed already (a
  // Redis that went away) never sends one, and the default 2 s timer held the process open after close().
  const options: RedisOptions = { disconnectTimeout: DISCONNECT_TIMEOUT_MS, ...given };
  if (cluster && cluster.length > 0) {
    const { enableOfflineQueue, retryStrategy, ...nodeOptions } = options;
    const clusterOptions: ClusterOptions = {
      // The per-node connections keep their queue, which Cluster needs for slot discovery.
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
      redisOptions: { ...nodeOptions, ...authFrom(cluster[0]) },
    };
    return new Cluster(
      cluster.map((node) => {
        const parsed = new URL(node);
        return { host: parsed.hostname, port: Number(parsed.port || 6379) };
      }),
      clusterOptions,
    );
  }
  if (!url) throw new Error('a Redis target needs a url or cluster nodes');
  return new Redis(url, options);
}

/** User and password from a redis:// URL, for Cluster nodes (which take host and port separately). */
function authFrom(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const parsed = new URL(url);
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/** A content-addressed record in Redis: `current` holds a hash, `blob(hash)` the text it names, `channel` announces a new one. */
export interface PointerKeys {
  readonly current: string;
  readonly channel: string;
  blob(hash: string): string;
}

/** Reads the text `current` names; `cached` (the last read) comes back as is while the hash is unchanged (one GET). */
export async function readPointed(redis: Redis, keys: PointerKeys, cached: { hash: string; text: string } | undefined, nothingYet: string): Promise<{ hash: string; text: string }> {
  const hash = await redis.get(keys.current);
  if (hash === null) throw new Error(nothingYet);
  if (cached?.hash === hash) return cached;
  const text = await redis.get(keys.blob(hash));
  if (text === null) throw new Error(`${keys.current} names ${hash}, but ${keys.blob(hash)} is missing`);
  return { hash, text };
}

/**
 * Watches `channel` on a connection of its own (a subscribed one can run nothing else): `onMessage` for each message,
 * `onReady` after every (re)connect, since a message may have been missed meanwhile. Errors are left to the
 * reconnection (the callers poll as well); the SUBSCRIBE is not awaited, as with Redis down it would wait for the
 * reconnect. Returns the stop.
 */
export function watchChannel(target: RedisTarget, channel: string, onMessage: (message: string) => void, onReady: () => void): () => void {
  const subscriber = createRedisClient(target);
  subscriber.on('error', () => undefined);
  subscriber.on('message', (from: string, message: string) => {
    if (from === channel) onMessage(message);
  });
  subscriber.on('ready', onReady);
  subscriber.subscribe(channel).catch(() => undefined);
  return () => subscriber.disconnect();
}
