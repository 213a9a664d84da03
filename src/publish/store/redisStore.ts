// The registry in Redis, for a fleet: every gateway with `supergraph.redis` reads `current` and the blob it names,
// woken by a pub/sub message on each commit (and polling as a fallback). Key layout: redisKeys.ts.
import type Redis from 'ioredis';
import { createRedisClient } from '../../util/redis';
import { referencedBlobs, type HistoryEntry } from '../history';
import { registryKeys, type RegistryKeys } from './redisKeys';
import { DEFAULT_HISTORY_LIMIT, PublishConflictError, type RegistryStore } from './types';

/**
 * One atomic step per commit: refuse when the newest version moved (returns it) or the new supergraph's blob is
 * gone (-2: collected meanwhile; the caller writes it again), else append the entries, point `current` at the new
 * supergraph, tell every gateway, and trim the history — returning the trimmed entries so their blobs can go.
 * KEYS: history, current, new supergraph blob. ARGV: expected version, history limit, channel, new hash, entries…
 */
const COMMIT_SCRIPT = `
local head = redis.call('LINDEX', KEYS[1], -1)
local version = 0
if head then version = cjson.decode(head).version end
if version ~= tonumber(ARGV[1]) then return version end
if redis.call('EXISTS', KEYS[3]) == 0 then return -2 end
for i = 5, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('SET', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[3], ARGV[4])
local excess = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[2])
if excess <= 0 then return {} end
local trimmed = redis.call('LRANGE', KEYS[1], 0, excess - 1)
redis.call('LTRIM', KEYS[1], excess, -1)
return trimmed
`;

export interface RedisStoreOptions {
  url: string;
  key?: string;
  historyLimit?: number;
}

export class RedisRegistryStore implements RegistryStore {
  readonly description: string;
  private readonly redis: Redis;
  private readonly keys: RegistryKeys;

  constructor(private readonly options: RedisStoreOptions) {
    this.keys = registryKeys(options.key);
    this.description = `redis ${options.key ?? 'tollgate:supergraph'}`;
    // A CLI run or an admin request should fail fast when Redis is down, not queue commands.
    this.redis = createRedisClient(options.url, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
    this.redis.on('error', () => {
      /* surfaced by the failing command */
    });
  }

  async history(): Promise<HistoryEntry[]> {
    const raw = await this.redis.lrange(this.keys.history, 0, -1);
    return raw.map((json) => JSON.parse(json) as HistoryEntry);
  }

  async served(): Promise<{ hash: string; sdl: string } | undefined> {
    const hash = await this.redis.get(this.keys.current);
    return hash ? { hash, sdl: await this.readBlob(hash) } : undefined;
  }

  async readBlob(hash: string): Promise<string> {
    const sdl = await this.redis.get(this.keys.blob(hash));
    if (sdl === null) throw new Error(`blob ${hash} is missing from ${this.description}`);
    return sdl;
  }

  async commit(entries: readonly HistoryEntry[], blobs: ReadonlyMap<string, string>, expectedVersion: number): Promise<void> {
    const head = entries.at(-1);
    if (!head) return;
    for (let attempt = 0; ; attempt++) {
      const write = this.redis.multi();
      for (const [hash, sdl] of blobs) write.set(this.keys.blob(hash), sdl, 'NX');
      await write.exec();
      const result = (await this.redis.eval(
        COMMIT_SCRIPT,
        3,
        this.keys.history,
        this.keys.current,
        this.keys.blob(head.hash),
        expectedVersion,
        this.options.historyLimit ?? DEFAULT_HISTORY_LIMIT,
        this.keys.channel,
        head.hash,
        ...entries.map((e) => JSON.stringify(e)),
      )) as number | string[];
      if (result === -2 && attempt < 2) continue;
      if (typeof result === 'number') throw new PublishConflictError(expectedVersion, result);
      await this.collectGarbage(result.map((json) => JSON.parse(json) as HistoryEntry)).catch(() => undefined);
      return;
    }
  }

  /** Deletes the blobs only trimmed entries used (best effort: a failure only leaves garbage behind). */
  private async collectGarbage(trimmed: HistoryEntry[]): Promise<void> {
    if (trimmed.length === 0) return;
    const kept = referencedBlobs(await this.history());
    const current = await this.redis.get(this.keys.current);
    if (current) kept.add(current);
    const unused = [...referencedBlobs(trimmed)].filter((hash) => !kept.has(hash));
    if (unused.length > 0) await this.redis.del(...unused.map((hash) => this.keys.blob(hash)));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
