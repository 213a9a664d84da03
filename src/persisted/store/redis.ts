// APQ registrations in Redis, shared by every gateway on it: `<key>:<sha256>` → text, with a TTL. Keys are the
// configured prefix and a hash checked to be 64 hex characters (or computed here), never a client's raw string.
// A memory near cache (memory.ts, bounded by bytes) answers repeats without a round trip. A Redis outage is a miss:
// the client re-sends the text and is served; nothing waits longer than `commandTimeout`.
import type Redis from 'ioredis';
import { createRedisClient } from '../../util/redis';
import type { Logger } from 'pino';
import { sha256Hex } from '../manifest';
import { MemoryApqStore } from './memory';
import { APQ_HASH, type ApqStore } from './types';
import { whenRedisReady } from '../../util/redisReady';

export interface RedisApqStoreOptions {
  url: string;
  key: string;
  ttlMs: number;
  commandTimeoutMs: number;
  /** Bytes of the near cache. */
  maxBytes: number;
  logger: Logger;
}

export class RedisApqStore implements ApqStore {
  private readonly redis: Redis;
  private readonly near: MemoryApqStore;
  private lastError?: { message: string; at: string };

  constructor(private readonly options: RedisApqStoreOptions) {
    this.near = new MemoryApqStore(options.maxBytes);
    this.redis = createRedisClient(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: options.commandTimeoutMs });
    this.redis.on('error', (error: Error) => this.failed(error));
    this.redis.on('ready', () => (this.lastError = undefined));
  }

  private keyOf(hash: string): string {
    return `${this.options.key}:${hash}`;
  }

  async get(hash: string): Promise<string | undefined> {
    if (!APQ_HASH.test(hash)) return undefined;
    const near = this.near.peek(hash);
    if (near !== undefined) return near;
    try {
      const text = await this.redis.get(this.keyOf(hash));
      if (text === null) return undefined;
      // Whoever can write to Redis must not be able to make an id run other text: check before trusting it.
      if (sha256Hex(text) !== hash) {
        this.options.logger.warn({ hash }, 'APQ entry in Redis does not hash to its key; ignored');
        return undefined;
      }
      this.near.put(hash, text);
      return text;
    } catch (error) {
      this.failed(error as Error);
      return undefined;
    }
  }

  async set(hash: string, text: string): Promise<void> {
    if (!APQ_HASH.test(hash)) return;
    this.near.put(hash, text);
    try {
      await this.redis.set(this.keyOf(hash), text, 'PX', this.options.ttlMs);
    } catch (error) {
      this.failed(error as Error);
    }
  }

  /** Resolves once connected, or after `timeoutMs` (reconnection goes on in the background). */
  async ready(timeoutMs = 2_000): Promise<void> {
    await whenRedisReady(this.redis, timeoutMs);
  }

  private failed(error: Error): void {
    const repeated = this.lastError?.message === error.message;
    this.lastError = { message: error.message, at: new Date().toISOString() };
    if (!repeated) this.options.logger.warn({ err: error.message }, 'APQ store (Redis) unavailable; hash-only requests miss until it is back');
  }

  status(): Record<string, unknown> {
    return { kind: 'redis', connected: this.redis.status === 'ready', nearCache: this.near.status(), ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.near.close();
  }
}
