// Usage counts in Redis: one hash per UTC hour (`<prefix>:<YYYYMMDDHH>`), a field per client, plan and metric.
// A batch is applied by one Lua script — all its increments or none — guarded by a marker key of its id, so a
// flush retried after an ambiguous failure (timeout, dropped connection after EVAL) never counts twice.
import type Redis from 'ioredis';
import { createRedisClient } from '../../util/redis';
import { emptyCounts, countsKey, HOUR_MS, type MeteredBatch, type MeteredCounts } from './counts';
import type { MeteringStore } from './store';

/** KEYS[1] = the batch marker, KEYS[2..] = hour hashes. ARGV = marker TTL, retention, then (key index, field, delta, 'i'|'f') quads. */
const APPLY_BATCH = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 3, #ARGV, 4 do
  local key = KEYS[tonumber(ARGV[i])]
  if ARGV[i + 3] == 'f' then
    redis.call('HINCRBYFLOAT', key, ARGV[i + 1], ARGV[i + 2])
  else
    redis.call('HINCRBY', key, ARGV[i + 1], ARGV[i + 2])
  end
end
for k = 2, #KEYS do redis.call('PEXPIRE', KEYS[k], ARGV[2]) end
return 1
`;

const COMMAND_TIMEOUT_MS = 5_000;
/** Batch markers outlive any retry of the same batch by far. */
const MARKER_TTL_SECONDS = 7 * 86_400;
const SEP = '\u001f';
const CALL_PREFIX = 'call:';

type RedisWithUsage = Redis & { tollgateApplyUsage(numKeys: number, ...args: Array<string | number>): Promise<number> };

export interface RedisMeteringStoreOptions {
  url: string;
  keyPrefix: string;
  retentionMs: number;
}

export class RedisMeteringStore implements MeteringStore {
  private readonly redis: RedisWithUsage;

  constructor(private readonly options: RedisMeteringStoreOptions) {
    // Fail fast while Redis is away (the meter keeps the batch and retries) instead of queueing commands forever.
    const redis = createRedisClient(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
    redis.on('error', () => undefined); // reported by the failed flush, not as an unhandled event
    redis.defineCommand('tollgateApplyUsage', { lua: APPLY_BATCH });
    this.redis = redis as RedisWithUsage;
  }

  hourKey(hour: number): string {
    const d = new Date(hour);
    const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}`;
    return `${this.options.keyPrefix}:${stamp}`;
  }

  /**
   * Waits (up to the command timeout) for the first connection: with the offline queue off, commands sent before
   * it fail. A connection that was lost fails at once; the meter retries at its next flush.
   */
  private async connected(): Promise<void> {
    const redis = this.redis;
    if (redis.status === 'ready') return;
    if (redis.status !== 'connecting' && redis.status !== 'connect' && redis.status !== 'wait') {
      throw new Error(`Redis at ${redactUrl(this.options.url)} is not reachable (${redis.status})`);
    }
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const timer = setTimeout(() => done(new Error(`Redis at ${redactUrl(this.options.url)} is not reachable`)), COMMAND_TIMEOUT_MS);
      redis.once('ready', onReady);
    });
  }

  async add(batch: MeteredBatch): Promise<void> {
    if (batch.counts.length === 0) return;
    await this.connected();
    const keys = [`${this.options.keyPrefix}:batch:${batch.id}`];
    const keyIndex = new Map<number, number>();
    const args: Array<string | number> = [MARKER_TTL_SECONDS, this.options.retentionMs];
    for (const c of batch.counts) {
      let index = keyIndex.get(c.hour);
      if (index === undefined) {
        keys.push(this.hourKey(c.hour));
        index = keys.length;
        keyIndex.set(c.hour, index);
      }
      const field = (metric: string) => `${sanitize(c.client)}${SEP}${sanitize(c.plan)}${SEP}${metric}`;
      const push = (metric: string, delta: number, float = false) => {
        if (delta !== 0) args.push(index, field(metric), delta, float ? 'f' : 'i');
      };
      push('operations', c.operations);
      push('errors', c.errors);
      push('rejected', c.rejected);
      // Cost units may be fractional (weights); HINCRBYFLOAT keeps them exact enough for billing sums.
      push('estimatedCost', c.estimatedCost, true);
      push('actualCost', c.actualCost, true);
      for (const service in c.calls) push(`${CALL_PREFIX}${service}`, c.calls[service]);
    }
    await this.redis.tollgateApplyUsage(keys.length, ...keys, ...args);
  }

  async read(from: number, to: number): Promise<MeteredCounts[]> {
    const hours: number[] = [];
    for (let hour = from - (from % HOUR_MS); hour < to; hour += HOUR_MS) hours.push(hour);
    if (hours.length === 0) return [];
    await this.connected();
    const pipeline = this.redis.pipeline();
    for (const hour of hours) pipeline.hgetall(this.hourKey(hour));
    const replies = (await pipeline.exec()) ?? [];
    const out = new Map<string, MeteredCounts>();
    replies.forEach(([error, fields], i) => {
      if (error) throw error;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) {
        const [client, plan, metric] = field.split(SEP);
        if (metric === undefined) continue;
        const key = countsKey(hours[i], client, plan);
        let c = out.get(key);
        if (!c) {
          c = emptyCounts(hours[i], client, plan);
          out.set(key, c);
        }
        const n = Number(value);
        if (metric.startsWith(CALL_PREFIX)) c.calls[metric.slice(CALL_PREFIX.length)] = n;
        else if (metric === 'operations' || metric === 'errors' || metric === 'rejected' || metric === 'estimatedCost' || metric === 'actualCost') c[metric] = n;
      }
    });
    return [...out.values()];
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The field separator can't appear inside a name (names come from config and JWT claims). */
function sanitize(name: string): string {
  return name.includes(SEP) ? name.split(SEP).join('_') : name;
}
