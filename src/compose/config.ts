// Config section `supergraph`: where the composed schema comes from (a file, a rover.yaml, or the fleet's Redis
// registry). docs/configuration.md#supergraph mirrors it.
import { z } from 'zod';
import { bool, duration } from '../config/fields';
import { redisUrlSchema } from '../util/redis';

const redisUrl = redisUrlSchema;

export const supergraphConfig = z
  .strictObject({
    /** A composed supergraph SDL file, reloaded on change (a broken one is logged and the last good keeps serving). */
    file: z.string().optional(),
    /** Or a rover supergraph.yaml composed at start-up. */
    rover: z.string().optional(),
    /** With `file`: watch it for changes. */
    watch: bool.default(true),
    /** With `rover`: re-compose every interval (re-fetching subgraph_url sources); 0 turns polling off. */
    pollInterval: duration.default(0),
    /** Or the Redis registry a fleet shares: `tollgate publish` writes it, every instance follows it. */
    redis: z
      .strictObject({
        url: redisUrl,
        /** Key prefix of the registry (docs/publishing.md). */
        key: z.string().min(1).default('tollgate:supergraph'),
        /** Re-read `current` this often, in case a pub/sub message was missed; 0 = only pub/sub. */
        pollInterval: duration.default(5_000),
      })
      .optional(),
  })
  .prefault({})
  .refine((s) => [s.file, s.rover, s.redis].filter((v) => v !== undefined).length <= 1, {
    message: 'set one of supergraph.file, supergraph.rover or supergraph.redis',
  });
