// The plan the executor runs: @apollo/query-planner's QueryPlan as it is (structurally a subset of these types), or
// a Hive Router plan converted once per plan by ./hivePlan.ts. Only what the executor reads is typed here.
import type { DocumentNode } from 'graphql';
import type { PlanNode, QueryPlan } from '../../apollo';

/** A type condition in a Flatten path or a rewrite path: the object's __typename is one of these types or a subtype. */
export interface TypeCondition {
  readonly types: readonly string[];
}

/** A Flatten path step: a field name, '@' (each element of a list) or a type condition. */
export type PathSegment = string | TypeCondition;

/**
 * A `requires` selection. `read` (Hive plans only) is the key the value is read from in the merged data, when it
 * differs from the key it is written under in the representation (`alias ?? name`, as in Apollo's plans).
 */
export type RequiresSelection =
  | { readonly kind: 'Field'; readonly name: string; readonly alias?: string; readonly read?: string; readonly selections?: readonly RequiresSelection[] }
  | { readonly kind: 'InlineFragment'; readonly typeCondition?: string; readonly selections: readonly RequiresSelection[] };

/** Apollo's rewrite path steps are strings (`... on T` for a condition); Hive's convert to strings and TypeConditions. */
export type Rewrite =
  | { readonly kind: 'ValueSetter'; readonly path: readonly PathSegment[]; readonly setValueTo: unknown }
  | { readonly kind: 'KeyRenamer'; readonly path: readonly PathSegment[]; readonly renameKeyTo: string };

export interface FetchNode {
  readonly kind: 'Fetch';
  readonly serviceName: string;
  readonly operation: string;
  readonly operationName?: string;
  readonly operationDocumentNode?: DocumentNode;
  readonly variableUsages?: readonly string[];
  readonly requires?: readonly RequiresSelection[];
  readonly inputRewrites?: readonly Rewrite[];
  readonly outputRewrites?: readonly Rewrite[];
}

/** One `_entities` alias of a BatchFetch: its own representations (from several paths), requires and rewrites. */
export interface EntityBatchAlias {
  readonly alias: string;
  readonly representationsVariableName: string;
  /** Absolute paths (from the root of the data) to the entities this alias resolves. */
  readonly paths: ReadonlyArray<readonly PathSegment[]>;
  readonly requires: readonly RequiresSelection[];
  readonly inputRewrites?: readonly Rewrite[];
  readonly outputRewrites?: readonly Rewrite[];
}

/** Hive Router: several entity fetches to one subgraph in one request. */
export interface BatchFetchNode {
  readonly kind: 'BatchFetch';
  readonly serviceName: string;
  readonly operation: string;
  readonly operationName?: string;
  readonly variableUsages?: readonly string[];
  readonly aliases: readonly EntityBatchAlias[];
}

export type ExecNode =
  | FetchNode
  | BatchFetchNode
  | { readonly kind: 'Sequence' | 'Parallel'; readonly nodes: readonly ExecNode[] }
  | { readonly kind: 'Flatten'; readonly path: readonly PathSegment[]; readonly node: ExecNode }
  | { readonly kind: 'Condition'; readonly condition: string; readonly ifClause?: ExecNode; readonly elseClause?: ExecNode }
  | { readonly kind: 'Defer' | 'Subscription' };

export interface ExecPlan {
  readonly node?: ExecNode;
}

/**
 * The first answer `atLeaf` gives for a node that is not a Sequence, Parallel, Flatten or Condition (fetches, and
 * kinds the executor does not run), walking the plan in order; undefined when it answers nothing anywhere.
 */
export function findInPlan<T>(plan: ExecPlan, atLeaf: (node: Exclude<ExecNode, { kind: 'Sequence' | 'Parallel' | 'Flatten' | 'Condition' }>) => T | undefined): T | undefined {
  const visit = (node: ExecNode | undefined): T | undefined => {
    if (!node) return undefined;
    switch (node.kind) {
      case 'Sequence':
      case 'Parallel':
        for (const child of node.nodes) {
          const found = visit(child);
          if (found !== undefined) return found;
        }
        return undefined;
      case 'Flatten':
        return visit(node.node);
      case 'Condition':
        return visit(node.ifClause) ?? visit(node.elseClause);
      default:
        return atLeaf(node);
    }
  };
  return visit(plan.node);
}

export function isTypeCondition(segment: PathSegment): segment is TypeCondition {
  return typeof segment !== 'string';
}

/**
 * An @apollo/query-planner plan as the executor's: the same shape, but Apollo types Flatten paths as ResponsePath
 * (`string | number`) where a plan path only ever holds field names and '@', hence the cast.
 */
export function fromApolloPlan(plan: QueryPlan): ExecPlan {
  return plan as unknown as ExecPlan;
}

/** One @apollo/query-planner plan node as the executor's (the same cast as fromApolloPlan). */
export function fromApolloNode(node: PlanNode): ExecNode {
  return node as unknown as ExecNode;
}
