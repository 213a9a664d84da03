// Config section `usage`: operation usage recorded for `tollgate check` (not billing: that is `metering`).
// docs/configuration.md#usage mirrors it.
import { z } from 'zod';
import { bool, duration, int } from '../../config/fields';
import { redisUrlSchema } from '../../util/redis';

const redisUrl = redisUrlSchema;

/** Operation usage (name, query hash, client, count, last seen) recorded after each response, for `tollgate check`. */
export const usageConfig = z
  .strictObject({
    enabled: bool.default(true),
    /** Distinct (client, operation, query) entries kept, in memory per instance and in Redis for the fleet. */
    maxOperations: int(1).default(5_000),
    /** With `redis`: how often each instance adds its counts there. */
    flushInterval: duration.default(5_000),
    /** Share usage across the fleet (and with `tollgate check`) in Redis; without it, usage stays in memory. */
    redis: z.strictObject({ url: redisUrl, key: z.string().min(1).default('tollgate:usage') }).optional(),
  })
  .prefault({});
