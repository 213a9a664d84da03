// Demand control for one request (the cost policy; the stage in ../stage.ts calls it): the estimate (cached per operation and variables), the plan's maximum, the
// budget charge handed to the store with the rate limits, and — after execution — the actual cost, the
// reconciliation of the charge, and `extensions.cost`. Pure logic lives in estimate.ts / actual.ts.
import type { GraphQLSchema } from 'graphql';
import { codedError } from '../../errors';
import { refuse, type PolicyRefusal } from '../refusal';
import { LruCache } from '../../util/lru';
import { fixedWindow } from '../ratelimit/decide';
import type { CounterOp, CounterResult } from '../store/types';
import type { FieldOccurrence } from '../walk';
import { cacheKey } from '../../util/cacheKey';
import { actualCost } from './actual';
import { costForPlan, type CostConfig, type PlanCostConfig } from './config';
import { readCostDirectives } from './directives';
import { bounded, estimateCost, type CostEstimate } from './estimate';
import type { CostModel, CostSchema } from './model';
import { actualEntityCost, EntityFetchPlanner, estimatedEntityCost, type EntityFetch } from './queryPlan';

/** What the response path needs after execution; `actual` is set by the engine's response plugin. */
export interface CostSettlement {
  model: CostModel;
  estimate: CostEstimate;
  estimated: number;
  entityFetches?: readonly EntityFetch[];
  entityWeight: number;
  variables: Record<string, unknown> | undefined;
  max?: number;
  /** `windowEnd` lets the reconciliation recreate a counter that is gone (expired, evicted, a restarted Redis). */
  budget?: { key: string; charged: number; max: number; count: number; resetSeconds: number; windowEnd: number };
  /** Put `extensions.cost` on the response. */
  extensions: boolean;
  /** Fields the rate limits removed after the estimate: not in the actual cost. */
  removed?: ReadonlySet<FieldOccurrence>;
  actual?: number;
}

export interface CostState {
  cost: CostSchema;
  planner?: EntityFetchPlanner;
  estimates: LruCache<string, { estimate: CostEstimate; estimated: number }>;
}

export type CostAssessment =
  | { kind: 'skip' }
  /** `refusals`: what the plan's limits refuse, in order; the stage decides (measure/enforce) what they do. */
  | { kind: 'ok'; settlement: CostSettlement; budgetOp?: CounterOp; refusals: PolicyRefusal[] };

/** The operation-level facts the estimate needs; `model` and `entityFetches` are cached on it by the stage. */
export interface CostOperation {
  model: () => CostModel;
  entityFetches: () => readonly EntityFetch[];
  dependsOnVariables: boolean;
}

export class CostPolicy {
  constructor(private readonly config: CostConfig) {}

  schemaState(apiSchema: GraphQLSchema, supergraphSdl: string): CostState {
    return {
      cost: { schema: apiSchema, directives: readCostDirectives(supergraphSdl), listSize: this.config.listSize, requiresCache: new Map() },
      planner: this.config.strategy === 'planned' ? new EntityFetchPlanner(supergraphSdl) : undefined,
      estimates: new LruCache(5000),
    };
  }

  /** Estimates, checks the maximum, and prepares the budget charge. `excludedKey` identifies `excluded` for the cache. */
  assess(
    state: CostState,
    operation: CostOperation,
    request: { plan: string; wantsCost: boolean; clientPrefix: string; variables: Record<string, unknown> | undefined; now: number; excluded?: ReadonlySet<FieldOccurrence>; excludedKey: string },
  ): CostAssessment {
    const limits: PlanCostConfig = costForPlan(this.config, request.plan);
    const extensions = this.config.extensions === 'always' || (this.config.extensions === 'requested' && request.wantsCost);
    if (!this.config.enabled || (limits.max === undefined && !limits.budget && !extensions)) return { kind: 'skip' };

    const model = operation.model();
    const cacheKey = estimateCacheKey(model, request.excludedKey, operation.dependsOnVariables ? JSON.stringify(request.variables ?? {}) : undefined);
    let cached = state.estimates.get(cacheKey);
    if (!cached) {
      const estimate = estimateCost(model, state.cost, request.variables, request.excluded);
      const entityFetches = state.planner ? operation.entityFetches() : undefined;
      const entities = entityFetches ? estimatedEntityCost(entityFetches, model, estimate, request.variables, this.config.entityWeight) : 0;
      cached = { estimate, estimated: bounded(Math.ceil(estimate.cost + entities)) };
      state.estimates.set(cacheKey, cached);
    }
    const { estimate, estimated } = cached;
    const settlement: CostSettlement = {
      model,
      estimate,
      estimated,
      entityFetches: state.planner ? operation.entityFetches() : undefined,
      entityWeight: this.config.entityWeight,
      variables: request.variables,
      max: limits.max,
      extensions,
    };
    const costExtension = extensions ? { cost: { estimated, ...(limits.max !== undefined ? { max: limits.max } : {}) } } : undefined;
    const refusals: PolicyRefusal[] = [];
    if (estimate.problems.length > 0) {
      // Served in measure mode: the budget is still charged (the estimate sized such lists as if the value were absent).
      const message = `The operation's cost cannot be estimated: ${estimate.problems.join('; ')}.`;
      refusals.push(refuse('COST_QUERY_PARSE_FAILURE', [codedError('COST_QUERY_PARSE_FAILURE', message)], [], costExtension));
    }
    if (limits.max !== undefined && estimated > limits.max) {
      const message = `Operation estimated cost ${estimated} exceeded configured maximum ${limits.max}.`;
      refusals.push(refuse('COST_ESTIMATED_TOO_EXPENSIVE', [codedError('COST_ESTIMATED_TOO_EXPENSIVE', message, { cost: { estimated, max: limits.max } })], [], costExtension));
    }
    if (!limits.budget) return { kind: 'ok', settlement, refusals };
    if (estimated > limits.budget.max) {
      // No window will ever hold it: a 400, not a 429 whose Retry-After would send the client back for nothing.
      const message = `Operation estimated cost ${estimated} exceeds the plan's whole budget of ${limits.budget.max} per ${limits.budget.window}; no window can fit it.`;
      const cost = { estimated, budget: { limit: limits.budget.max } };
      refusals.push(refuse('COST_ESTIMATED_TOO_EXPENSIVE', [codedError('COST_ESTIMATED_TOO_EXPENSIVE', message, { cost })], [], costExtension));
    }
    const window = fixedWindow(limits.budget.window, request.now);
    const budgetOp: CounterOp = { key: `${request.clientPrefix}:budget:${limits.budget.window}:${window.index}`, kind: 'charge', amount: estimated, max: limits.budget.max, windowEnd: window.end };
    return { kind: 'ok', settlement, budgetOp, refusals };
  }

  /** Reads the budget charge's result into the settlement; a charge the store refused becomes a 429 refusal. */
  budgetVerdict(settlement: CostSettlement, op: CounterOp, result: CounterResult, now: number): PolicyRefusal | undefined {
    const resetSeconds = Math.max(1, Math.ceil((op.windowEnd - now) / 1000));
    const remaining = Math.max(0, op.max - result.count);
    if (result.admitted) {
      settlement.budget = { key: op.key, charged: op.amount, max: op.max, count: result.count, resetSeconds, windowEnd: op.windowEnd };
      return undefined;
    }
    const message = `The cost budget is spent: this operation is estimated at ${settlement.estimated}, ${remaining} of ${op.max} remain; the budget refills in ${resetSeconds}s.`;
    const budget = { limit: op.max, remaining, reset: resetSeconds };
    return refuse(
      'COST_BUDGET_EXCEEDED',
      [codedError('COST_BUDGET_EXCEEDED', message, { cost: { estimated: settlement.estimated, budget }, retryAfter: resetSeconds })],
      [
        ['ratelimit-limit', String(op.max)],
        ['ratelimit-remaining', String(remaining)],
        ['ratelimit-reset', String(resetSeconds)],
        ['retry-after', String(resetSeconds)],
      ],
      settlement.extensions ? { cost: { estimated: settlement.estimated, ...(settlement.max !== undefined ? { max: settlement.max } : {}), budget } } : undefined,
    );
  }
}

/** Per model, a number that no other model gets: the estimate cache keys on it, never on client-controlled text. */
const modelIds = new WeakMap<CostModel, number>();
let nextModelId = 0;

/**
 * The estimate cache's key: which operation (its model's identity — one per cached operation plan, so two
 * operations can never share an entry however their text is built), which fields were removed, and the variables
 * when the estimate reads them. Length-prefixed parts, so no part's content can pass for a boundary.
 */
export function estimateCacheKey(model: CostModel, excludedKey: string, variablesJson: string | undefined): string {
  let id = modelIds.get(model);
  if (id === undefined) modelIds.set(model, (id = nextModelId++));
  return cacheKey(id, excludedKey, variablesJson);
}

/** The actual cost of a response (called once per execution by the engine's response plugin). */
/** `merged`: `data` is the executor's merged tree (see actualCost), measured without shaping it first. */
export function measureActualCost(settlement: CostSettlement, data: unknown, merged = false): number {
  let actual = actualCost(settlement.model, settlement.estimate, data, settlement.removed, merged);
  if (settlement.entityFetches) actual += actualEntityCost(settlement.entityFetches, data, settlement.variables, settlement.entityWeight);
  return bounded(Math.ceil(actual));
}

/** `extensions.cost` for the response, once the budget is reconciled. */
export function costExtension(settlement: CostSettlement, actual: number | undefined, count: number | undefined): Record<string, unknown> {
  const budget = settlement.budget;
  return {
    estimated: settlement.estimated,
    ...(actual !== undefined ? { actual } : {}),
    ...(settlement.max !== undefined ? { max: settlement.max } : {}),
    ...(budget ? { budget: { limit: budget.max, remaining: Math.max(0, budget.max - (count ?? budget.count)), reset: budget.resetSeconds } } : {}),
  };
}
