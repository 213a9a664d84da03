// The policy stage: decisions on the operation before any subgraph is called, in this order — field-level
// authorization (@authenticated / @requiresScopes / @policy), the cost estimate and its maximum, then the field
// rate limits and the cost budget, checked and charged together in one atomic store call. Removed fields become
// null + an error at their path; refusals answer the whole request. Per-operation work (the walk, which occurrences
// are guarded or limited, the cost model, the rewritten query) is cached; per request: identity, keys, one store call.
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import { codedError } from '../errors';
import { clientIdentity } from '../identity/client';
import type { Principal } from '../identity/principal';
import { cacheKey } from '../util/cacheKey';
import { LruCache } from '../util/lru';
import { decideAuthorization, guardOccurrences, type GuardedOccurrence } from './authorization/decide';
import { loadPolicyRules, policyCheckFor, type PolicyRules } from './authorization/policies';
import { readAuthRequirements, type AuthRequirements } from './authorization/requirements';
import { buildCostModel, type CostModel } from './cost/model';
import { CostPolicy, type CostOperation, type CostSettlement, type CostState } from './cost/policy';
import type { EntityFetch } from './cost/queryPlan';
import { clientKeyPrefix } from './ratelimit/decide';
import { readRateLimitDirectives } from './ratelimit/directives';
import { headersOf, rateLimitBatch, rateLimitVerdict } from './ratelimit/verdict';
import { limitedOccurrences, RateLimitRules, type LimitedOccurrence } from './ratelimit/rules';
import { refuse, type PolicyOutcome, type ResponseHeader } from './outcome';
import { responseKeyOrder } from './responseKeyOrder';
import { removeFields } from './rewrite';
import { settleCost } from './settle';
import { StoreUnavailableError, type CounterResult, type CounterStore, type StoreStatus } from './store';
import { errorPath, MAX_OCCURRENCES, walkOperation, type FieldOccurrence, type PathSegment } from './walk';

/** The schema the policies judge against, replaced on every supergraph (re)load. */
export interface SchemaState {
  apiSchema: GraphQLSchema;
  supergraphSdl: string;
}

export type { PolicyOutcome, PolicyRemoval, ResponseHeader } from './outcome';

export interface PolicyInput {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  principal: Principal;
  clientIp: string;
  /** The request asked for `extensions.cost` (`"extensions": {"cost": true}`). */
  wantsCost: boolean;
  requestId?: string;
}

interface OperationPlan {
  /** The cache key this plan lives under (includes variables when the walk depends on them). */
  key: string;
  occurrences: readonly FieldOccurrence[];
  guarded: readonly GuardedOccurrence[];
  limited: readonly LimitedOccurrence[];
  /** Every occurrence a policy may remove, in a fixed order: the rewrite cache is keyed by which ones are. */
  removable: readonly FieldOccurrence[];
  dependsOnVariables: boolean;
  /** The walk stopped early (limits.maxFields off and a huge operation): refused, never judged in part. */
  truncated: boolean;
  costModel?: CostModel;
  entityFetches?: readonly EntityFetch[];
  /** Marker stored under the variable-free key: look again with the variables. */
  byVariables?: boolean;
}

interface SchemaDerived {
  state: SchemaState;
  auth: AuthRequirements;
  rateLimits: RateLimitRules;
  cost: CostState;
  /** No policy can act on any request: skip the walk. */
  idle: boolean;
  operations: LruCache<string, OperationPlan>;
  rewrites: LruCache<string, { query: string; typenameHelper: boolean }>;
}

const CONTINUE = (query: string): PolicyOutcome => ({ kind: 'continue', query, removals: [], typenameHelper: false, headers: [] });

export class PolicyStage {
  private derived?: SchemaDerived;
  private readonly rules: PolicyRules;
  private readonly cost: CostPolicy;
  private lastStoreWarning = 0;

  constructor(
    private readonly config: TollgateConfig,
    private readonly logger: Logger,
    private readonly store: CounterStore,
  ) {
    this.rules = loadPolicyRules(config.authorization.policies);
    this.cost = new CostPolicy(config.cost);
  }

  /** Called when a supergraph is loaded; everything cached for the previous one is dropped. */
  setSchema(state: SchemaState): void {
    const auth = readAuthRequirements(state.supergraphSdl);
    const missing = [...auth.policyNames].filter((name) => !(name in this.rules));
    if (missing.length > 0) {
      this.logger.warn({ policies: missing }, '@policy names without a rule in authorization.policies; fields guarded by them are always denied');
    }
    const directives = readRateLimitDirectives(state.supergraphSdl);
    const known = (coordinate: string) => {
      const [type, field] = coordinate.split('.');
      const found = state.apiSchema.getType(type);
      return !!found && 'getFields' in found && field in found.getFields();
    };
    const rateLimits = new RateLimitRules(this.config.rateLimits.enabled ? directives.fields : new Map(), this.config.rateLimits.enabled ? this.config.rateLimits.fields : {}, known);
    const problems = [...directives.problems.map((p) => `${p.coordinate}: ${p.message}`), ...rateLimits.problems];
    if (problems.length > 0) this.logger.warn({ problems }, 'rate limits that cannot apply');
    const { cost } = this.config;
    const costConfigured = cost.enabled && (cost.extensions === 'always' || [cost.all, ...Object.values(cost.plans)].some((p) => p.max !== undefined || p.budget));
    this.derived = {
      state,
      auth,
      rateLimits,
      cost: this.cost.schemaState(state.apiSchema, state.supergraphSdl),
      idle: auth.isEmpty && rateLimits.isEmpty && !costConfigured,
      operations: new LruCache(2000),
      rewrites: new LruCache(2000),
    };
  }

  async run(input: PolicyInput): Promise<PolicyOutcome> {
    const derived = this.derived;
    const { cost: costConfig, rateLimits: rateLimitConfig } = this.config;
    if (!derived || (derived.idle && !(input.wantsCost && costConfig.enabled && costConfig.extensions === 'requested'))) return CONTINUE(input.query);
    const plan = this.planFor(derived, input);
    if (plan.truncated) {
      // Fail closed: a policy that saw only part of the operation could let a guarded field through.
      const message = `The operation selects more than ${MAX_OCCURRENCES} fields once its fragments are expanded; policies cannot check it.`;
      return refuse('MAX_FIELDS_LIMIT', [codedError('MAX_FIELDS_LIMIT', message, { max: MAX_OCCURRENCES })]);
    }
    const removed = new Set<FieldOccurrence>();
    const errors = new Map<FieldOccurrence, GraphQLFormattedError>();

    // ── authorization ────────────────────────────────────────────────────────
    if (plan.guarded.length > 0) {
      const denied = await decideAuthorization(plan.guarded, input.principal, policyCheckFor(this.rules, input.variables));
      for (const occurrence of denied) {
        removed.add(occurrence);
        errors.set(occurrence, unauthorizedError(occurrence.coordinate, occurrence.segments));
      }
      if (denied.length > 0 && this.config.authorization.mode === 'reject') return refuse('UNAUTHORIZED_FIELD_OR_TYPE', outermost(removed).map((o) => errors.get(o)!));
    }

    // ── cost: estimate and maximum (pure) ────────────────────────────────────
    const client = clientIdentity(input.principal, input.clientIp, this.config.clients);
    const clientPrefix = clientKeyPrefix(this.config.store.redis?.keyPrefix ?? 'tollgate:', client.id);
    const now = Date.now();
    const cost = this.cost.assess(derived.cost, this.costOperation(derived, plan, input), {
      plan: client.plan,
      wantsCost: input.wantsCost,
      clientPrefix,
      variables: input.variables,
      now,
      excluded: removed.size > 0 ? removed : undefined,
      excludedKey: removed.size > 0 ? plan.removable.map((o) => (removed.has(o) ? 1 : 0)).join('') : '',
    });
    if (cost.kind === 'reject') return cost;
    const settlement = cost.kind === 'ok' ? cost.settlement : undefined;
    if (cost.kind === 'ok' && cost.violation) this.measured(input, client, 'cost', cost.violation);

    // ── rate limits + budget: one atomic store call ──────────────────────────
    const batch = rateLimitBatch(plan.limited, derived.rateLimits, { plan: client.plan, clientPrefix, variables: input.variables, now, removed });
    const budgetOp = cost.kind === 'ok' ? cost.budgetOp : undefined;
    const ops = budgetOp ? [...batch.ops, budgetOp] : batch.ops;
    let headers: ResponseHeader[] = [];
    if (ops.length > 0) {
      const enforceLimits = rateLimitConfig.mode === 'enforce';
      const rejectWhole = enforceLimits && rateLimitConfig.onLimit === 'reject';
      let results: CounterResult[] | undefined;
      try {
        results = await this.store.apply(ops, { requireAllHits: rejectWhole, now });
      } catch (error) {
        const enforcing = (batch.ops.length > 0 && enforceLimits) || (budgetOp !== undefined && costConfig.mode === 'enforce');
        const refusal = this.storeFailed(error, enforcing);
        if (refusal) return refusal;
      }
      if (results) {
        const verdict = rateLimitVerdict(batch, results, now);
        if (enforceLimits) headers = headersOf(verdict.decisions, false);
        if (verdict.refused.length > 0) {
          if (!enforceLimits) this.measured(input, client, 'rate limit', verdict.refused.map((o) => o.coordinate).join(', '));
          else if (rejectWhole) return refuse('RATE_LIMITED', outermost(new Set(verdict.refused)).map((o) => verdict.errors.get(o)!), headersOf(verdict.decisions, true));
          else {
            for (const occurrence of verdict.refused) {
              removed.add(occurrence);
              errors.set(occurrence, verdict.errors.get(occurrence)!);
            }
            if (settlement) settlement.removed = new Set(verdict.refused);
          }
        }
        if (budgetOp && settlement) {
          const budget = this.cost.budgetVerdict(settlement, budgetOp, results[batch.ops.length], now);
          if (budget.reject) return budget.reject;
          if (budget.violation) this.measured(input, client, 'cost budget', budget.violation);
        }
      }
    }

    // ── removals → the query actually executed ───────────────────────────────
    if (removed.size === 0) return { kind: 'continue', query: input.query, removals: [], typenameHelper: false, headers, cost: settlement };
    const shown = outermost(removed);
    const rewrite = this.rewriteFor(derived, plan, input, removed, shown);
    for (const occurrence of shown) orderSiblings(occurrence.segments, input);
    const removals = shown.map((occurrence) => ({ segments: occurrence.segments, error: errors.get(occurrence)! }));
    return { kind: 'continue', query: rewrite.query, removals, typenameHelper: rewrite.typenameHelper, headers, cost: settlement };
  }

  /** After execution: reconciles the budget to the actual cost and adds `extensions.cost` (see settle.ts). */
  settle = (settlement: CostSettlement, actual: number | undefined): Promise<Record<string, unknown> | undefined> =>
    settleCost(settlement, actual, this.store, (error) => this.logger.warn({ err: error }, 'cost budget reconciliation failed'));

  storeStatus(): StoreStatus {
    return this.store.status();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private planFor(derived: SchemaDerived, input: PolicyInput): OperationPlan {
    // Collision-free by construction (src/util/cacheKey.ts): two different operations never share a plan.
    const key = cacheKey(input.operationName, input.query);
    const cached = derived.operations.get(key);
    if (cached && !cached.byVariables) return cached;
    const variablesKey = cacheKey(input.operationName, input.query, JSON.stringify(input.variables ?? {}));
    if (cached) {
      const forVariables = derived.operations.get(variablesKey);
      if (forVariables) return forVariables;
    }
    const walk = walkOperation(derived.state.apiSchema, input.document, input.operation, input.variables ?? {});
    // @skip/@include on variables change which fields are there: such plans are per variable values.
    const planKey = walk.usesConditionalVariables ? variablesKey : key;
    const guarded = guardOccurrences(walk.occurrences, derived.auth);
    const limited = limitedOccurrences(walk.occurrences, derived.rateLimits);
    const plan: OperationPlan = {
      key: planKey,
      occurrences: walk.occurrences,
      guarded,
      limited,
      removable: [...new Set([...guarded.map((g) => g.occurrence), ...limited.map((l) => l.occurrence)])],
      dependsOnVariables: walk.occurrences.some((o) => o.argsUseVariables),
      truncated: walk.truncated,
    };
    if (walk.usesConditionalVariables) derived.operations.set(key, { ...plan, key, byVariables: true });
    derived.operations.set(planKey, plan);
    return plan;
  }

  private costOperation(derived: SchemaDerived, plan: OperationPlan, input: PolicyInput): CostOperation {
    return {
      dependsOnVariables: plan.dependsOnVariables,
      model: () => (plan.costModel ??= buildCostModel(plan.occurrences, input.operation, derived.cost.cost)),
      entityFetches: () => {
        if (!plan.entityFetches) {
          try {
            plan.entityFetches = derived.cost.planner?.entityFetches(input.document, input.operationName) ?? [];
          } catch {
            plan.entityFetches = []; // the operation does not validate; the engine will answer it
          }
        }
        return plan.entityFetches;
      },
    };
  }

  /** The printed operation without the removed fields, cached per (operation, which fields are removed). */
  private rewriteFor(derived: SchemaDerived, plan: OperationPlan, input: PolicyInput, removed: ReadonlySet<FieldOccurrence>, shown: readonly FieldOccurrence[]) {
    const rewriteKey = cacheKey(plan.key, plan.removable.map((o) => (removed.has(o) ? 1 : 0)).join(''));
    let rewrite = derived.rewrites.get(rewriteKey);
    if (!rewrite) {
      const needsTypename = new Set<SelectionSetNode>();
      for (const occurrence of shown) {
        occurrence.segments.forEach((segment, i) => {
          const parentSet = i === 0 ? input.operation.selectionSet : occurrence.segments[i - 1].node.selectionSet;
          if (segment.onlyTypes && parentSet) needsTypename.add(parentSet);
        });
      }
      const rewritten = removeFields(input.document, input.operation, new Set(shown.map((o) => o.node)), needsTypename);
      rewrite = { query: rewritten.query, typenameHelper: rewritten.usesTypenameHelper };
      derived.rewrites.set(rewriteKey, rewrite);
    }
    return rewrite;
  }

  /** A store call failed: logged (at most every 10 s) and counted in /ready; `closed` refuses what needed the store. */
  private storeFailed(error: unknown, enforcing: boolean): PolicyOutcome | undefined {
    if (!(error instanceof StoreUnavailableError)) throw error;
    const now = Date.now();
    if (now - this.lastStoreWarning > 10_000) {
      this.lastStoreWarning = now;
      this.logger.warn({ err: error, onUnavailable: this.config.store.onUnavailable, store: this.store.status() }, 'rate-limit store unavailable');
    }
    if (this.config.store.onUnavailable !== 'closed' || !enforcing) return undefined;
    return refuse('RATE_LIMIT_STORE_UNAVAILABLE', [codedError('RATE_LIMIT_STORE_UNAVAILABLE', 'Rate limits and cost budgets cannot be checked right now; retry shortly.')], [['retry-after', '1']]);
  }

  private measured(input: PolicyInput, client: { id: string; plan: string }, policy: string, detail: string): void {
    this.logger.info({ requestId: input.requestId, client: client.id, plan: client.plan, policy, detail }, `${policy}: would refuse (measure mode)`);
  }
}

/** Gives each segment of a removed field the key order of its selection set (once: segments live in the cached plan). */
function orderSiblings(segments: readonly PathSegment[], input: PolicyInput): void {
  for (let i = 0; i < segments.length; i++) {
    if (segments[i].siblingKeys) continue;
    const parentSet = i === 0 ? input.operation.selectionSet : segments[i - 1].node.selectionSet;
    if (parentSet) segments[i].siblingKeys = responseKeyOrder(parentSet, input.document);
  }
}

/** A field inside a removed field is gone with it: only the outermost removal on each path is reported. */
function outermost(removed: ReadonlySet<FieldOccurrence>): FieldOccurrence[] {
  const shown: FieldOccurrence[] = [];
  for (const occurrence of removed) {
    let inside = false;
    for (let parent = occurrence.parent; parent && !inside; parent = parent.parent) inside = removed.has(parent);
    if (!inside) shown.push(occurrence);
  }
  return shown;
}

function unauthorizedError(coordinate: string, segments: readonly PathSegment[]): GraphQLFormattedError {
  return codedError('UNAUTHORIZED_FIELD_OR_TYPE', `Unauthorized field or type: ${coordinate}`, { coordinate }, errorPath(segments));
}
