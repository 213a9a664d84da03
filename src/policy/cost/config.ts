// Config section `cost`: demand control — a static cost estimate per operation (cost spec @cost/@listSize),
// a per-operation maximum and per-client budgets over time, by plan. docs/configuration.md#cost mirrors it.
import { z } from 'zod';
import { bool, duration, int } from '../../config/fields';

const budget = z.strictObject({
  /** Cost units a client may spend per window. */
  max: int(1),
  /** Window length, e.g. "1m"; fixed windows aligned to the epoch (the budget refills at each window's start). */
  window: duration.refine((ms) => ms >= 1000, 'a budget window is at least 1s'),
});

/** One plan's limits (or the defaults in `all`). */
const planCost = z.strictObject({
  /** Most an operation's estimate may be → COST_ESTIMATED_TOO_EXPENSIVE (400). Unset: no maximum. */
  max: int(0).optional(),
  /** Cost units per window for each client of the plan → COST_BUDGET_EXCEEDED (429). Unset: no budget. */
  budget: budget.optional(),
});
export type PlanCostConfig = z.output<typeof planCost>;

export const costConfig = z
  .strictObject({
    /** Off: no estimate, no maximum, no budget, no extension. */
    enabled: bool.default(true),
    /** `measure`: estimate, charge budgets and log what would be refused; refuse nothing. `enforce`: refuse. */
    mode: z.enum(['measure', 'enforce']).default('enforce'),
    /** `static`: the estimate from the operation alone. `planned`: plus each entity fetch of the query plan (per representation). */
    strategy: z.enum(['static', 'planned']).default('static'),
    /** Size assumed for a list without @listSize (or without a slicing argument value and assumedSize). */
    listSize: int(0).default(10),
    /** With `planned`: cost units per entity representation sent to a subgraph. */
    entityWeight: int(0).default(1),
    /** Defaults for every plan. */
    all: planCost.prefault({}),
    /** Per plan, over `all` key by key. */
    plans: z.record(z.string(), planCost).default({}),
    /** Cost in the response's `extensions.cost`: `never`, when the request asks (`"extensions": {"cost": true}`), or `always`. */
    extensions: z.enum(['never', 'requested', 'always']).default('requested'),
  })
  .prefault({});

export type CostConfig = z.output<typeof costConfig>;

/** A plan's maximum and budget: its own entries over `all`. */
export function costForPlan(config: CostConfig, plan: string): PlanCostConfig {
  const own = config.plans[plan];
  return { max: own?.max ?? config.all.max, budget: own?.budget ?? config.all.budget };
}
