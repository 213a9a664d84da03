// Config section `authorization`: how @authenticated / @requiresScopes / @policy are enforced, and where the
// @policy rules live. docs/configuration.md#authorization mirrors it.
import { z } from 'zod';

/** Field-level authorization from @authenticated / @requiresScopes / @policy in the supergraph. */
export const authorizationConfig = z
  .strictObject({
    /** `filter`: remove unauthorized fields, answer the rest (null + error per path). `reject`: fail the whole request. */
    mode: z.enum(['filter', 'reject']).default('filter'),
    /** A module exporting graphql-shield rules by @policy name (path relative to the config file). */
    policies: z.string().optional(),
  })
  .prefault({});
