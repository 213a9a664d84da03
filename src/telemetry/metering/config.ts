// Config section `metering`: usage counts for billing, per client and plan, per UTC hour.
// docs/configuration.md#metering mirrors it.
import { z } from 'zod';
import { bool, duration } from '../../config/fields';
import { redisUrlSchema } from '../../util/redis';

const redisUrl = redisUrlSchema;

/** Usage metering for billing: operations, cost and calls per client and plan, per UTC hour (docs/operations.md). */
export const meteringConfig = z
  .strictObject({
    enabled: bool.default(true),
    /** Keep the counts in Redis: durable, and shared by every gateway on it. Without it they stay in memory. */
    redis: z.strictObject({ url: redisUrl, key: z.string().min(1).default('{tollgate}:metering') }).optional(),
    /** How often counts are written to Redis; also the most a crash (not a graceful stop) can lose. */
    flushInterval: duration.default(10_000),
    /** How long an hour's counts are kept in Redis. */
    retention: duration.default(400 * 86_400_000),
  })
  .prefault({});
