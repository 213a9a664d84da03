// The per-operation plan of the policy stage: one walk of the operation (cached per query text and operation name,
// or per variable values when @skip/@include read them), which occurrences are guarded or limited, the cost model
// and entity fetches built on first use, and the rewritten query per set of removed fields. No I/O, no clock.
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { cacheKey } from '../util/cacheKey';
import type { LruCache } from '../util/lru';
import { guardOccurrences, type GuardedOccurrence } from './authorization/decide';
import type { AuthRequirements } from './authorization/requirements';
import { buildCostModel, type CostModel } from './cost/model';
import type { CostOperation, CostState } from './cost/policy';
import type { EntityFetch } from './cost/queryPlan';
import { limitedOccurrences, type LimitedOccurrence, type RateLimitRules } from './ratelimit/rules';
import { responseKeyOrder } from './responseKeyOrder';
import { removeFields } from './rewrite';
import { walkOperation, type FieldOccurrence, type PathSegment } from './walk';

/** The schema the policies judge against, replaced on every supergraph (re)load. */
export interface SchemaState {
  apiSchema: GraphQLSchema;
  supergraphSdl: string;
}

/** What the plan reads of a request: the operation, its text and its variables. */
export interface OperationInput {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

export interface OperationPlan {
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

/** Everything derived from one supergraph, with the caches that live as long as it does. */
export interface SchemaDerived {
  state: SchemaState;
  auth: AuthRequirements;
  rateLimits: RateLimitRules;
  cost: CostState;
  /** No policy can act on any request: skip the walk. */
  idle: boolean;
  operations: LruCache<string, OperationPlan>;
  rewrites: LruCache<string, { query: string; typenameHelper: boolean }>;
}

export function planFor(derived: SchemaDerived, input: OperationInput): OperationPlan {
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


export function costOperation(derived: SchemaDerived, plan: OperationPlan, input: OperationInput): CostOperation {
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
export function rewriteFor(derived: SchemaDerived, plan: OperationPlan, input: OperationInput, removed: ReadonlySet<FieldOccurrence>, shown: readonly FieldOccurrence[]) {
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


/** Gives each segment of a removed field the key order of its selection set (once: segments live in the cached plan). */
export function orderSiblings(segments: readonly PathSegment[], input: OperationInput): void {
  for (let i = 0; i < segments.length; i++) {
    if (segments[i].siblingKeys) continue;
    const parentSet = i === 0 ? input.operation.selectionSet : segments[i - 1].node.selectionSet;
    if (parentSet) segments[i].siblingKeys = responseKeyOrder(parentSet, input.document);
  }
}

/** A field inside a removed field is gone with it: only the outermost removal on each path is reported. */
export function outermost(removed: ReadonlySet<FieldOccurrence>): FieldOccurrence[] {
  const shown: FieldOccurrence[] = [];
  for (const occurrence of removed) {
    let inside = false;
    for (let parent = occurrence.parent; parent && !inside; parent = parent.parent) inside = removed.has(parent);
    if (!inside) shown.push(occurrence);
  }
  return shown;
}
