// The policy stage: decisions on the operation before any subgraph is called, in this order — field-level
// authorization (@authenticated / @requiresScopes / @policy), the cost estimate and its maximum, then the field
// rate limits and the cost budget, checked and charged together in one atomic store call. Removed fields become
// null + an error at their path; refusals answer the whole request. Per-operation work (the walk, which occurrences
// are guarded or limited, the cost model, the rewritten query) is cached; per request: identity, keys, one store call.
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import { codedError } from '../errors';
import { clientIdentity } from '../identity/client';
import type { Principal } from '../identity/principal';
import { LruCache } from '../util/lru';
import { decideAuthorization } from './authorization/decide';
import { loadPolicyRules, policyCheckFor, type PolicyRules } from './authorization/policies';
import { readAuthRequirements } from './authorization/requirements';
import { CostPolicy, type CostSettlement } from './cost/policy';
import { costOperation, orderSiblings, outermost, planFor, rewriteFor, type OperationInput, type SchemaDerived, type SchemaState } from './operationPlan';
import type { PolicyOutcome } from './outcome';
import { refuse, type PolicyRefusal, type ResponseHeader } from './refusal';
import { clientKeyPrefix } from './ratelimit/decide';
import { readRateLimitDirectives } from './ratelimit/directives';
import { headersOf, rateLimitBatch, rateLimitVerdict } from './ratelimit/verdict';
import { RateLimitRules } from './ratelimit/rules';
import { settleCost } from './settle';
import { StoreUnavailableError, type CounterResult, type CounterStore, type StoreStatus } from './store';
import { errorPath, MAX_OCCURRENCES, type FieldOccurrence, type PathSegment } from './walk';

export type { SchemaState } from './operationPlan';

export type { PolicyOutcome, PolicyRemoval, ResponseHeader } from './outcome';

export interface PolicyInput extends OperationInput {
  principal: Principal;
  clientIp: string;
  /** The request asked for `extensions.cost` (`"extensions": {"cost": true}`). */
  wantsCost: boolean;
  requestId?: string;
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
    /** The clock windows, budgets and Retry-After are read from; tests set it instead of waiting for a window. */
    private readonly now: () => number = Date.now,
  ) {
    this.rules = loadPolicyRules(config.authorization.policies);
    this.cost = new CostPolicy(config.cost);
  }

  /** Called when a supergraph is loaded; everything cached for the previous one is dropped. */
  setSchema(state: SchemaState): void {
    const auth = readAuthRequirements(state.supergraphSdl);
    const missing = [...auth.policyNames].filter((name) => !(name in this.rules.byName));
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
    const plan = planFor(derived, input);
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
    const now = this.now();
    const cost = this.cost.assess(derived.cost, costOperation(derived, plan, input), {
      plan: client.plan,
      wantsCost: input.wantsCost,
      clientPrefix,
      variables: input.variables,
      now,
      excluded: removed.size > 0 ? removed : undefined,
      excludedKey: removed.size > 0 ? plan.removable.map((o) => (removed.has(o) ? 1 : 0)).join('') : '',
    });
    const settlement = cost.kind === 'ok' ? cost.settlement : undefined;
    if (cost.kind === 'ok') {
      const refusal = this.enforced(costConfig.mode, 'cost', cost.refusals, input, client);
      if (refusal) return refusal;
    }

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
        if (verdict.refused.length > 0 && enforceLimits && !rejectWhole) {
          // onLimit: filter — the refused fields become null + RATE_LIMITED, the rest runs.
          for (const occurrence of verdict.refused) {
            removed.add(occurrence);
            errors.set(occurrence, verdict.errors.get(occurrence)!);
          }
          if (settlement) settlement.removed = new Set(verdict.refused);
        } else if (verdict.refused.length > 0) {
          const whole = refuse('RATE_LIMITED', outermost(new Set(verdict.refused)).map((o) => verdict.errors.get(o)!), headersOf(verdict.decisions, true));
          const refusal = this.enforced(rateLimitConfig.mode, 'rate limit', [whole], input, client, verdict.refused.map((o) => o.coordinate).join(', '));
          if (refusal) return refusal;
        }
        if (budgetOp && settlement) {
          const spent = this.cost.budgetVerdict(settlement, budgetOp, results[batch.ops.length], now);
          const refusal = this.enforced(costConfig.mode, 'cost budget', spent ? [spent] : [], input, client);
          if (refusal) return refusal;
        }
      }
    }

    // ── removals → the query actually executed ───────────────────────────────
    if (removed.size === 0) return { kind: 'continue', query: input.query, removals: [], typenameHelper: false, headers, cost: settlement };
    const shown = outermost(removed);
    const rewrite = rewriteFor(derived, plan, input, removed, shown);
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

  /** A store call failed: logged (at most every 10 s) and counted in /ready; `closed` refuses what needed the store. */
  private storeFailed(error: unknown, enforcing: boolean): PolicyOutcome | undefined {
    if (!(error instanceof StoreUnavailableError)) throw error;
    const now = this.now();
    if (now - this.lastStoreWarning > 10_000) {
      this.lastStoreWarning = now;
      this.logger.warn({ err: error, onUnavailable: this.config.store.onUnavailable, store: this.store.status() }, 'rate-limit store unavailable');
    }
    if (this.config.store.onUnavailable !== 'closed' || !enforcing) return undefined;
    return refuse('RATE_LIMIT_STORE_UNAVAILABLE', [codedError('RATE_LIMIT_STORE_UNAVAILABLE', 'Rate limits and cost budgets cannot be checked right now; retry shortly.')], [['retry-after', '1']]);
  }

  /**
   * Measure or enforce, decided here and only here: enforcing, the first refusal answers the request; measuring,
   * the request goes on and the log says what would have been refused (`detail`, else the refusals' messages).
   */
  private enforced(mode: 'measure' | 'enforce', policy: string, refusals: readonly PolicyRefusal[], input: PolicyInput, client: { id: string; plan: string }, detail?: string): PolicyRefusal | undefined {
    if (refusals.length === 0) return undefined;
    if (mode === 'enforce') return refusals[0];
    detail ??= refusals.map((r) => r.errors[0]?.message ?? r.code).join(' ');
    this.logger.info({ requestId: input.requestId, client: client.id, plan: client.plan, policy, detail }, `${policy}: would refuse (measure mode)`);
    return undefined;
  }
}

function unauthorizedError(coordinate: string, segments: readonly PathSegment[]): GraphQLFormattedError {
  return codedError('UNAUTHORIZED_FIELD_OR_TYPE', `Unauthorized field or type: ${coordinate}`, { coordinate }, errorPath(segments));
}
