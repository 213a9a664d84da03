// Operation usage shared by a fleet, in Redis: every instance flushes its counts here; `tollgate check` reads them.
// Keys under `<key>:` — `seen` (sorted set, member → last seen ms), `count` and `query` (hashes by member).
import type Redis from 'ioredis';
import { createRedisClient } from '../../util/redis';
import type { UsageSink } from './recorder';
import type { OperationUsage, UsageSource } from './types';

/**
 * One script per flush, so concurrent instances never interleave: ZADD GT keeps the newest last-seen time,
 * HINCRBY adds this instance's counts, and the oldest members beyond `max` go (with their counts and text).
 * ARGV: max, then (member, lastSeen, delta, query or "") per entry.
 */
const FLUSH_SCRIPT = `
for i = 2, #ARGV, 4 do
  redis.call('ZADD', KEYS[1], 'GT', ARGV[i + 1], ARGV[i])
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 2])
  if ARGV[i + 3] ~= '' then redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 3]) end
end
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
if excess > 0 then
  local gone = redis.call('ZPOPMIN', KEYS[1], excess)
  for j = 1, #gone, 2 do
    redis.call('HDEL', KEYS[2], gone[j])
    redis.call('HDEL', KEYS[3], gone[j])
  end
end
return 1
`;

/** A member names one (query hash, client, operation name): JSON, so any client or name round-trips. */
function memberOf(usage: OperationUsage): string {
  return JSON.stringify([usage.queryHash, usage.client, usage.name ?? null]);
}

function parseMember(member: string): { queryHash: string; client: string; name?: string } | undefined {
  try {
    const [queryHash, client, name] = JSON.parse(member) as [unknown, unknown, unknown];
    if (typeof queryHash !== 'string' || typeof client !== 'string') return undefined;
    return typeof name === 'string' ? { queryHash, client, name } : { queryHash, client };
  } catch {
    return undefined;
  }
}

export interface RedisUsageStoreOptions {
  url: string;
  /** Key prefix. @default tollgate:usage */
  key?: string;
  /** Entries kept in Redis across the fleet. */
  maxOperations: number;
}

export class RedisUsageStore implements UsageSink, UsageSource {
  private readonly redis: Redis;
  private readonly keys: { seen: string; count: string; query: string };

  constructor(private readonly options: RedisUsageStoreOptions) {
    // A command waits for at most one reconnect while Redis is down, then fails; the recorder keeps the counts.
    this.redis = createRedisClient(options.url, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => {
      /* reported by the failing command; ioredis reconnects by itself */
    });
    const key = options.key ?? 'tollgate:usage';
    this.keys = { seen: `${key}:seen`, count: `${key}:count`, query: `${key}:query` };
  }

  async flush(deltas: ReadonlyArray<{ usage: OperationUsage; withQuery: boolean }>): Promise<void> {
    const args: Array<string | number> = [this.options.maxOperations];
    for (const { usage, withQuery } of deltas) args.push(memberOf(usage), usage.lastSeen, usage.count, withQuery ? usage.query : '');
    await this.redis.eval(FLUSH_SCRIPT, 3, this.keys.seen, this.keys.count, this.keys.query, ...args);
  }

  async recentOperations(since: number): Promise<OperationUsage[]> {
    const flat = await this.redis.zrevrangebyscore(this.keys.seen, '+inf', since, 'WITHSCORES');
    if (flat.length === 0) return [];
    const members: string[] = [];
    const seen: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      members.push(flat[i]);
      seen.push(Number(flat[i + 1]));
    }
    const [counts, queries] = await Promise.all([this.redis.hmget(this.keys.count, ...members), this.redis.hmget(this.keys.query, ...members)]);
    const out: OperationUsage[] = [];
    members.forEach((member, i) => {
      const parsed = parseMember(member);
      const query = queries[i];
      // An entry whose text was trimmed away by another instance can't be validated; skip it.
      if (!parsed || query === null) return;
      out.push({ ...parsed, query, count: Number(counts[i] ?? 0), lastSeen: seen[i] });
    });
    return out;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
