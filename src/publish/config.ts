// Config section `publish`: schema checks, publishing and history, and the admin keys for /admin.
// docs/configuration.md#publish mirrors it.
import { z } from 'zod';
import { duration, int, size } from '../config/fields';

/** An admin API key for /admin (publishing): hashed like API keys; optionally limited to some subgraphs. */
const adminKeyConfig = z
  .strictObject({
    client: z.string().min(1),
    key: z.string().min(16, 'admin keys must be at least 16 characters').optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'expected 64 hex characters').optional(),
    /** Subgraphs this key may check and publish; absent = all, plus rollback. */
    subgraphs: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((k) => (k.key === undefined) !== (k.sha256 === undefined), { message: 'give exactly one of `key` or `sha256`' });

/** Publishing subgraph schemas: `tollgate check|publish|rollback|history` and the /admin endpoint. */
export const publishConfig = z
  .strictObject({
    /** The subgraphs and their schemas before anything is published (path relative to the config file). */
    rover: z.string().default('rover.yaml'),
    /** With supergraph.file: where history entries and SDL blobs go. Default: `history/` beside the supergraph file. */
    historyDir: z.string().optional(),
    /** Versions kept; older ones (and SDLs only they use) are deleted. */
    historyLimit: int(2).default(100),
    /** How far back "recently used" operations go for checks. */
    usageWindow: duration.default(7 * 86_400_000),
    admin: z
      .strictObject({
        /** Keys for /admin/*; none = the admin endpoint is off (404). */
        keys: z.array(adminKeyConfig).default([]),
        /** Largest /admin request body (a schema). */
        bodyLimit: size.default(10 * 1024 * 1024),
      })
      .prefault({}),
  })
  .prefault({});
