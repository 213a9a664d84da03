// Config section `rateLimits`: field-level rate limits by coordinate, over or instead of the supergraph's
// @rateLimit, with per-plan sizes. docs/configuration.md#ratelimits mirrors it.
import { z } from 'zod';
import { bool, duration, int } from '../../config/fields';

export const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;

const window = duration.refine((ms) => ms >= 1000, 'a rate-limit window is at least 1s');

/** A plan's own size for a field's limit, or `unlimited`. */
const planLimit = z.union([z.literal('unlimited'), z.strictObject({ max: int(0).optional(), window: window.optional() })]);

/** One field's limit: the keys of graphql-rate-limit's @rateLimit, plus per-plan sizes. Each key overrides the directive's. */
const fieldLimit = z.strictObject({
  /** Calls admitted per window (per client and identity-argument values). */
  max: int(0).optional(),
  /** Window length, e.g. "1m". Windows are fixed and aligned to the epoch. */
  window: window.optional(),
  /** Arguments whose values make separate counters (dotted paths into input objects: "input.id"). */
  identityArgs: z.array(z.string().min(1)).optional(),
  /** A list argument whose length is the number of calls (e.g. `ids` of a batch field). */
  arrayLengthField: z.string().min(1).optional(),
  /** Refused calls don't count toward the limit. */
  uncountRejected: bool.optional(),
  /** The error message instead of the default. */
  message: z.string().min(1).optional(),
  /** Per plan: another max and/or window, or `unlimited`. Plans not listed use the values above. */
  plans: z.record(z.string(), planLimit).default({}),
});

export const rateLimitsConfig = z
  .strictObject({
    /** Off: @rateLimit and `fields` are ignored. */
    enabled: bool.default(true),
    /** `measure`: count and log what would be refused, refuse nothing. `enforce`: refuse. */
    mode: z.enum(['measure', 'enforce']).default('enforce'),
    /** `filter`: an over-limit field is null with RATE_LIMITED at its path, the rest is answered. `reject`: HTTP 429 for the whole request. */
    onLimit: z.enum(['filter', 'reject']).default('filter'),
    /** Limits by field coordinate ("Query.search"); a field's @rateLimit applies where it has no entry. */
    fields: z.record(z.string().regex(COORDINATE, 'expected a field coordinate like "Query.search"'), fieldLimit).default({}),
  })
  .prefault({});

export type RateLimitsConfig = z.output<typeof rateLimitsConfig>;
