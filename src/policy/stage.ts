// The policy stage: decisions on the operation before any subgraph is called. Today: field-level
// authorization from the supergraph's @authenticated / @requiresScopes / @policy. Per-operation work
// (the walk, which occurrences are guarded, the rewritten query) is cached; per request only the guarded
// occurrences are checked against the principal.
import type { DocumentNode, FieldNode, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import type { Principal } from '../identity/principal';
import { LruCache } from '../util/lru';
import { decideAuthorization, guardOccurrences, type GuardedOccurrence } from './authorization/decide';
import { loadPolicyRules, policyCheckFor, type PolicyRules } from './authorization/policies';
import { readAuthRequirements, type AuthRequirements } from './authorization/requirements';
import { removeFields } from './rewrite';
import { errorPath, walkOperation, type PathSegment } from './walk';

/** The schema the policies judge against, replaced on every supergraph (re)load. */
export interface SchemaState {
  apiSchema: GraphQLSchema;
  supergraphSdl: string;
}

export interface PolicyRemoval {
  segments: readonly PathSegment[];
  error: GraphQLFormattedError;
}

export type PolicyOutcome =
  | { kind: 'continue'; query: string; removals: readonly PolicyRemoval[]; typenameHelper: boolean }
  | { kind: 'reject'; status: number; errors: GraphQLFormattedError[] };

export interface PolicyInput {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  principal: Principal;
}

interface OperationPlan {
  /** The cache key this plan lives under (includes variables when the walk depends on them). */
  key: string;
  guarded: readonly GuardedOccurrence[];
  /** Marker stored under the variable-free key: look again with the variables. */
  byVariables?: boolean;
}

interface SchemaDerived {
  state: SchemaState;
  auth: AuthRequirements;
  operations: LruCache<string, OperationPlan>;
  rewrites: LruCache<string, { query: string; removals: PolicyRemoval[]; typenameHelper: boolean }>;
}

export class PolicyStage {
  private derived?: SchemaDerived;
  private readonly rules: PolicyRules;

  constructor(
    private readonly config: TollgateConfig,
    private readonly logger: Logger,
  ) {
    this.rules = loadPolicyRules(config.authorization.policies);
  }

  /** Called when a supergraph is loaded; everything cached for the previous one is dropped. */
  setSchema(state: SchemaState): void {
    const auth = readAuthRequirements(state.supergraphSdl);
    const missing = [...auth.policyNames].filter((name) => !(name in this.rules));
    if (missing.length > 0) {
      this.logger.warn({ policies: missing }, '@policy names without a rule in authorization.policies; fields guarded by them are always denied');
    }
    this.derived = { state, auth, operations: new LruCache(2000), rewrites: new LruCache(2000) };
  }

  async run(input: PolicyInput): Promise<PolicyOutcome> {
    const derived = this.derived;
    if (!derived || derived.auth.isEmpty) return { kind: 'continue', query: input.query, removals: [], typenameHelper: false };

    const plan = this.planFor(derived, input);
    if (plan.guarded.length === 0) return { kind: 'continue', query: input.query, removals: [], typenameHelper: false };

    const decided = await decideAuthorization(plan.guarded, input.principal, policyCheckFor(this.rules, input.variables));
    if (decided.length === 0) return { kind: 'continue', query: input.query, removals: [], typenameHelper: false };
    // A field inside a removed field is gone with it: report only the outermost removal on each path.
    const deniedNodes = new Set<FieldNode>(decided.map((o) => o.node));
    const denied = decided.filter((o) => !o.segments.slice(0, -1).some((segment) => deniedNodes.has(segment.node)));

    const errors = denied.map((occurrence) => unauthorizedError(occurrence.coordinate, occurrence.segments));
    if (this.config.authorization.mode === 'reject') return { kind: 'reject', status: 403, errors };

    const rewriteKey = `${plan.key}\u0001${plan.guarded.map((g) => (deniedNodes.has(g.occurrence.node) ? 1 : 0)).join('')}`;
    let rewrite = derived.rewrites.get(rewriteKey);
    if (!rewrite) {
      const needsTypename = new Set<SelectionSetNode>();
      for (const occurrence of denied) {
        occurrence.segments.forEach((segment, i) => {
          const parentSet = i === 0 ? input.operation.selectionSet : occurrence.segments[i - 1].node.selectionSet;
          if (segment.onlyTypes && parentSet) needsTypename.add(parentSet);
        });
      }
      const rewritten = removeFields(input.document, input.operation, deniedNodes, needsTypename);
      rewrite = {
        query: rewritten.query,
        removals: denied.map((occurrence, i) => ({ segments: occurrence.segments, error: errors[i] })),
        typenameHelper: rewritten.usesTypenameHelper,
      };
      derived.rewrites.set(rewriteKey, rewrite);
    }
    return { kind: 'continue', query: rewrite.query, removals: rewrite.removals, typenameHelper: rewrite.typenameHelper };
  }

  private planFor(derived: SchemaDerived, input: PolicyInput): OperationPlan {
    const key = operationKey(input);
    const cached = derived.operations.get(key);
    if (cached && !cached.byVariables) return cached;
    const variablesKey = `${key}\u0002${JSON.stringify(input.variables ?? {})}`;
    if (cached) {
      const forVariables = derived.operations.get(variablesKey);
      if (forVariables) return forVariables;
    }
    const walk = walkOperation(derived.state.apiSchema, input.document, input.operation, input.variables ?? {});
    // @skip/@include on variables change which fields are there: such plans are per variable values.
    const planKey = walk.usesConditionalVariables ? variablesKey : key;
    const plan: OperationPlan = { key: planKey, guarded: guardOccurrences(walk.occurrences, derived.auth) };
    if (walk.usesConditionalVariables) derived.operations.set(key, { key, guarded: [], byVariables: true });
    derived.operations.set(planKey, plan);
    return plan;
  }
}

function operationKey(input: PolicyInput): string {
  return `${input.operationName ?? ''}\u0000${input.query}`;
}

function unauthorizedError(coordinate: string, segments: readonly PathSegment[]): GraphQLFormattedError {
  return {
    message: `Unauthorized field or type: ${coordinate}`,
    path: errorPath(segments),
    extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate },
  };
}
