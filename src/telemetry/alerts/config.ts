// Config section `alerts`: the rules, how often they are evaluated, and the webhook episodes are sent to.
// docs/configuration.md#alerts and docs/operations.md#alerts mirror it.
import { z } from 'zod';
import { duration, int } from '../../config/fields';

/** Longest window an alert rule may look back over (the rolling windows keep this much, per second). */
export const MAX_ALERT_WINDOW_MS = 15 * 60_000;

const windowDuration = duration.pipe(z.number().min(1000, 'at least 1s').max(MAX_ALERT_WINDOW_MS, 'at most 15m'));
const ruleBase = {
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-"'),
  /** The condition must hold this long before the alert fires. */
  for: duration.default(0),
};

/** One alert rule; `kind` picks what it watches. Docs: docs/operations.md#alerts. */
const alertRule = z.discriminatedUnion('kind', [
  z.strictObject({
    ...ruleBase,
    kind: z.literal('errorRate'),
    /** Fraction (0–1) of requests answered with errors (partial or failed; client rejections don't count). */
    threshold: z.number().gt(0).max(1),
    window: windowDuration.default(300_000),
    /** Fewer requests in the window never fire. */
    minRequests: int(1).default(20),
  }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('p99Latency'),
    threshold: duration,
    window: windowDuration.default(300_000),
    minRequests: int(1).default(20),
  }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('subgraphDown'),
    /** One subgraph or REST service; every one (each its own alert) when absent. */
    subgraph: z.string().optional(),
    /** Fraction of its calls that failed (unavailable, timeout, bad response). */
    threshold: z.number().gt(0).max(1).default(1),
    window: windowDuration.default(60_000),
    minCalls: int(1).default(3),
  }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('clientBudget'),
    /** What the budget counts: actual cost units, estimated cost units, or operations. */
    metric: z.enum(['actualCost', 'estimatedCost', 'operations']).default('actualCost'),
    /** The budget's period (UTC): its usage starts from zero at each hour or day. */
    period: z.enum(['hour', 'day']).default('day'),
    /** Budgets per client (first) and per plan; `default` for anyone else (none: not watched). */
    budgets: z
      .strictObject({
        clients: z.record(z.string(), z.number().positive()).default({}),
        plans: z.record(z.string(), z.number().positive()).default({}),
        default: z.number().positive().optional(),
      })
      .prefault({}),
    /** Fractions of the budget that fire, each its own episode. */
    thresholds: z.array(z.number().gt(0).max(10)).min(1).default([0.8, 1]),
  }),
]);
export type AlertRule = z.infer<typeof alertRule>;

/** Alert rules, evaluated periodically; each episode is sent once to the webhook and the log, and again when it resolves. */
export const alertsConfig = z
  .strictObject({
    evaluationInterval: duration.default(15_000),
    webhook: z
      .strictObject({
        url: z.string().url(),
        headers: z.record(z.string(), z.string()).default({}),
        /** Deadline for one POST. */
        timeout: duration.default(5_000),
        /** Further attempts after a failed POST (network error, 5xx or 429), with exponential backoff. */
        retries: int(0, 10).default(3),
        /** Wait before the first retry; doubled for each next one. */
        backoff: duration.default(1_000),
      })
      .optional(),
    rules: z.array(alertRule).default([]),
  })
  .prefault({})
  .refine((a) => new Set(a.rules.map((r) => r.name)).size === a.rules.length, { message: 'alert rule names must be unique' });
