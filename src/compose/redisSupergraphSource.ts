// A gateway's supergraph from the Redis registry (`supergraph.redis`): `load` reads the `current` hash and the blob
// it names; `subscribe` wakes the gateway on each publish (pub/sub). Key layout: src/publish/store/redisKeys.ts.
import type Redis from 'ioredis';
import { createRedisClient, readPointed, watchChannel } from '../util/redis';
import type { Logger } from 'pino';
import { registryKeys, type RegistryKeys } from '../publish/store/redisKeys';
import { whenRedisReady } from '../util/redisReady';

export interface RedisSupergraphSourceOptions {
  url: string;
  key: string;
  logger: Logger;
}

export class RedisSupergraphSource {
  private readonly redis: Redis;
  private readonly keys: RegistryKeys;
  /** The blob last read: a poll that finds the same `current` costs one GET. */
  private cached?: { hash: string; text: string };

  constructor(private readonly options: RedisSupergraphSourceOptions) {
    this.keys = registryKeys(options.key);
    // Fail a load fast while Redis is down (the last good supergraph keeps serving); ioredis reconnects by itself.
    this.redis = createRedisClient(options.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => {
      /* a failed load reports it, in the log and /ready */
    });
  }

  /** The supergraph `current` names. Throws when nothing is published yet, the blob is missing or Redis is down. */
  async load(): Promise<string> {
    await this.connected();
    this.cached = await readPointed(this.redis, this.keys, this.cached, `no supergraph published yet in Redis (${this.keys.current} is not set); run \`tollgate publish\``);
    return this.cached.text;
  }

  /** Waits briefly for the connection (at start-up it is still opening; commands are not queued). */
  private async connected(timeoutMs = 2_000): Promise<void> {
    await whenRedisReady(this.redis, timeoutMs);
  }

  /** Calls `wake` on every publish message; ioredis re-subscribes after a reconnect. Returns the unsubscribe. */
  async subscribe(wake: (reason: string) => void): Promise<() => Promise<void>> {
    // After a reconnect, a publish may have been missed: look now rather than at the next poll.
    const stop = watchChannel(this.options.url, this.keys.channel, (hash) => wake(`published ${hash.slice(0, 12)}`), () => wake('redis reconnected'));
    return async () => stop();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
