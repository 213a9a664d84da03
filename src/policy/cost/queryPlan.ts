// The federation-aware part of the estimate (`cost.strategy: planned`): the entity fetches of the operation's
// query plan, from @apollo/query-planner — the planner @apollo/gateway itself uses, built from the same
// supergraph. Each entity fetch costs `entityWeight` per representation it sends: estimated as the instances at its
// path, actually as the objects there in the response. Planned once per operation and cached.
import { operationFromDocument, Supergraph, QueryPlanner, type PlanNode, type QueryPlan } from '../../apollo';
import type { DocumentNode } from 'graphql';
import { errorPath } from '../walk';
import { countObjectsAt } from './actual';
import type { CostEstimate } from './estimate';
import type { CostModel } from './model';

/** Response paths ("@" for list levels) of the entity fetches, one per fetch; `condition` when under a @skip/@include. */
export interface EntityFetch {
  path: readonly string[];
  condition?: { variable: string; when: boolean };
}

export class EntityFetchPlanner {
  private planner?: QueryPlanner;
  private supergraph?: Supergraph;

  constructor(private readonly supergraphSdl: string) {}

  entityFetches(document: DocumentNode, operationName: string | undefined): EntityFetch[] {
    if (!this.planner || !this.supergraph) {
      // Built on first use: only `planned` pays for a second planner next to the gateway's.
      this.supergraph = Supergraph.build(this.supergraphSdl);
      this.planner = new QueryPlanner(this.supergraph);
    }
    const operation = operationFromDocument(this.supergraph.apiSchema(), document, { operationName });
    return collectEntityFetches(this.planner.buildQueryPlan(operation));
  }
}

export function collectEntityFetches(plan: QueryPlan): EntityFetch[] {
  const fetches: EntityFetch[] = [];
  const visit = (node: PlanNode | undefined, path: readonly string[] | undefined, condition: EntityFetch['condition']) => {
    if (!node) return;
    switch (node.kind) {
      case 'Sequence':
      case 'Parallel':
        for (const child of node.nodes) visit(child, path, condition);
        break;
      case 'Flatten':
        // Type-conditioned segments ("... on T") don't change which objects are at the path.
        visit(node.node, node.path.map(String).filter((s) => !s.startsWith('... on ')), condition);
        break;
      case 'Fetch':
        if (path && node.requires) fetches.push({ path, ...(condition ? { condition } : {}) });
        break;
      case 'Condition':
        visit(node.ifClause, path, { variable: node.condition, when: true });
        visit(node.elseClause, path, { variable: node.condition, when: false });
        break;
      case 'Defer':
        visit(node.primary.node, path, condition);
        for (const deferred of node.deferred) visit(deferred.node, path, condition);
        break;
    }
  };
  const root = plan.node;
  if (root && root.kind === 'Subscription') visit(root.rest, undefined, undefined);
  else visit(root, undefined, undefined);
  return fetches;
}

/** Estimated representations of the entity fetches (instances at each fetch's path) × `weight`. */
export function estimatedEntityCost(fetches: readonly EntityFetch[], model: CostModel, estimate: CostEstimate, variables: Record<string, unknown> | undefined, weight: number): number {
  if (fetches.length === 0 || weight === 0) return 0;
  const byPath = new Map<string, number>();
  model.nodes.forEach((node, i) => {
    const path = errorPath(node.occurrence.segments).join('\u0000');
    if (!byPath.has(path)) byPath.set(path, i);
  });
  let total = 0;
  for (const fetch of fetches) {
    if (!conditionHolds(fetch, variables)) continue;
    const path = [...fetch.path];
    while (path[path.length - 1] === '@') path.pop();
    const index = byPath.get(path.join('\u0000'));
    if (index !== undefined && estimate.included[index]) total += estimate.instances[index] * weight;
  }
  return total;
}

/** Representations actually sent: the objects at each fetch's path in the response, × `weight`. */
export function actualEntityCost(fetches: readonly EntityFetch[], data: unknown, variables: Record<string, unknown> | undefined, weight: number): number {
  let total = 0;
  for (const fetch of fetches) if (conditionHolds(fetch, variables)) total += countObjectsAt(data, fetch.path) * weight;
  return total;
}

function conditionHolds(fetch: EntityFetch, variables: Record<string, unknown> | undefined): boolean {
  return !fetch.condition || (variables?.[fetch.condition.variable] === true) === fetch.condition.when;
}
