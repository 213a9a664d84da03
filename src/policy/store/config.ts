// Config section `store`: where rate-limit counters and cost budgets live, and what happens when that place is
// unreachable. docs/configuration.md#store mirrors it.
import { z } from 'zod';
import { duration } from '../../config/fields';
import { redisUrlSchema } from '../../util/redis';

const redisUrl = redisUrlSchema;

export const storeConfig = z
  .strictObject({
    /** `memory`: counters in this process (one instance). `redis`: shared by every instance using the same Redis. */
    kind: z.enum(['memory', 'redis']).default('memory'),
    /** When the store can't be reached: `open` serves requests unlimited, `closed` refuses those that need it (503). */
    onUnavailable: z.enum(['open', 'closed']).default('open'),
    redis: z
      .strictObject({
        /** One Redis node: redis://[user:password@]host:port[/db]; rediss:// for TLS. */
        url: redisUrl.optional(),
        /** Or Redis Cluster: some of its nodes (the rest are discovered). */
        cluster: z.array(redisUrl).min(1).optional(),
        /** Prefixed to every key. Braces are reserved for the Cluster hash tag Tollgate puts after it. */
        keyPrefix: z.string().regex(/^[^{}]*$/, 'must not contain { or }').default('tollgate:'),
        /** Longest wait for one store call; then the call fails (and `onUnavailable` applies). */
        commandTimeout: duration.default(250),
        /** Longest wait for a connection at start-up and on each reconnect attempt. */
        connectTimeout: duration.default(2000),
      })
      .refine((r) => (r.url === undefined) !== (r.cluster === undefined), { message: 'set exactly one of store.redis.url or store.redis.cluster' })
      .optional(),
  })
  .prefault({})
  .refine((s) => s.kind !== 'redis' || s.redis !== undefined, { message: 'store.kind: redis needs store.redis.url or store.redis.cluster' });

export type StoreConfig = z.output<typeof storeConfig>;
