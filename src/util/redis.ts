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
export function createRedisClient(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  const { url, cluster } = typeof target === 'string' ? { url: target, cluster: undefined } : target;
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
