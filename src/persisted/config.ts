// Config section `persistedOperations`: APQ, trusted-document manifests (safelists) and the mode each caller gets.
// docs/configuration.md#persistedoperations and docs/persisted-operations.md mirror it.
import { z } from 'zod';
import { bool, duration, size } from '../config/fields';
import { redisUrlSchema } from '../util/redis';

export const PERSISTED_MODES = ['off', 'apq', 'safelist', 'audit'] as const;
export type PersistedMode = (typeof PERSISTED_MODES)[number];
const mode = z.enum(PERSISTED_MODES);

const redisUrl = redisUrlSchema;

export const persistedOperationsConfig = z
  .strictObject({
    /**
     * `off`: every request carries its text (hash-only → PERSISTED_QUERY_NOT_SUPPORTED). `apq`: Automatic Persisted
     * Queries, plus manifest ids. `safelist`: only manifest operations run. `audit`: like `apq`, and operations not
     * in the manifest are logged and counted (the step before `safelist`).
     */
    mode: mode.default('off'),
    /** Mode per plan, then per client (a client's entry wins): e.g. an internal API key may send any query. */
    overrides: z
      .strictObject({
        plans: z.record(z.string(), mode).default({}),
        clients: z.record(z.string(), mode).default({}),
      })
      .prefault({}),
    /** With `safelist`: sent text that is exactly a manifest operation's body runs (as that operation). */
    allowMatchingText: bool.default(false),
    /**
     * With `safelist`: operations are sent by id only; text without an id is refused (PERSISTED_QUERY_ID_REQUIRED),
     * even text that is a manifest body (Apollo Router's `safelist.require_id`). Excludes `allowMatchingText`.
     */
    requireId: bool.default(false),
    /** The manifest (Apollo, Relay or GraphQL Codegen format): from a file (hot-reloaded) or from Redis. */
    manifest: z
      .strictObject({
        /** A manifest file, reloaded on change; a broken version is logged and the last good one kept. */
        file: z.string().optional(),
        /** With `file`: watch it for changes. */
        watch: bool.default(true),
        /** Or the manifest `tollgate persisted publish` writes to Redis for a fleet. */
        redis: z
          .strictObject({
            url: redisUrl,
            key: z.string().min(1).default('tollgate:persisted'),
            /** Re-read the current manifest this often, in case a pub/sub message was missed; 0 = only pub/sub. */
            pollInterval: duration.default(5_000),
          })
          .optional(),
      })
      .prefault({})
      .refine((m) => m.file === undefined || m.redis === undefined, { message: 'set one of manifest.file or manifest.redis' }),
    /** Where APQ registrations live: each instance's memory (LRU), or Redis shared by the fleet (with a TTL). */
    apq: z
      .strictObject({
        /** Memory kept for registered texts, per instance (with Redis: the near cache in front of it). */
        maxBytes: size.default(32 * 1024 * 1024),
        redis: z
          .strictObject({
            url: redisUrl,
            key: z.string().min(1).default('tollgate:apq'),
            /** How long a registration lives in Redis (renewed by nothing: clients re-register after it expires). */
            ttl: duration.default(24 * 3_600_000),
            /** Deadline for one Redis call; a slower lookup answers PERSISTED_QUERY_NOT_FOUND (the client re-sends the text). */
            commandTimeout: duration.default(1_000),
          })
          .optional(),
      })
      .prefault({}),
  })
  .prefault({})
  .refine((p) => !(p.requireId && p.allowMatchingText), { message: '`requireId` refuses all text, so `allowMatchingText` would never apply: set one of them' })
  .refine(
    (p) => {
      const modes = [p.mode, ...Object.values(p.overrides.plans), ...Object.values(p.overrides.clients)];
      return !modes.some((m) => m === 'safelist' || m === 'audit') || p.manifest.file !== undefined || p.manifest.redis !== undefined;
    },
    { message: '`safelist` and `audit` need a manifest: set persistedOperations.manifest.file or manifest.redis' },
  );

export type PersistedOperationsConfig = z.output<typeof persistedOperationsConfig>;
