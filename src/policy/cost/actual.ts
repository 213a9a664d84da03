// The actual cost, from the response: the estimate's rules applied to what came back (Apollo Router's "actual"):
// each object returned weighs 1 (or its @cost), each leaf its @cost, null nothing unless the field has a @cost,
// arguments once per parent object; a mutation adds 10. Budgets are charged the estimate up front and
// reconciled to this. Pure; runs once per execution (inbound dedupe shares it among identical requests).
import { TYPENAME_HELPER } from '../rewrite';
import type { FieldOccurrence } from '../walk';
import type { CostEstimate } from './estimate';
import { MUTATION_BASE_COST, type CostModel, type CostNode } from './model';

type Json = null | string | number | boolean | Json[] | { [key: string]: Json };

/** `removed`: fields taken out after the estimate (over a rate limit); they were not fetched. */
export function actualCost(model: CostModel, estimate: CostEstimate, data: unknown, removed?: ReadonlySet<FieldOccurrence>): number {
  let total = model.mutation ? MUTATION_BASE_COST : 0;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return total;

  const scoreValue = (node: CostNode, value: Json | undefined) => {
    if (Array.isArray(value)) {
      for (const item of value) scoreValue(node, item);
    } else if (value !== null && typeof value === 'object') {
      total += node.weight ?? 1;
      visitObject(node.children, value);
    } else if (value !== undefined) {
      total += node.weight ?? 0;
    }
  };
  const visitObject = (children: readonly number[], object: { [key: string]: Json }) => {
    const typename = object.__typename ?? object[TYPENAME_HELPER];
    for (const index of children) {
      const node = model.nodes[index];
      if (!estimate.included[index] || removed?.has(node.occurrence)) continue;
      // A field selected through a fragment on another concrete type is not this object's.
      if (node.onlyTypes && typeof typename === 'string' && !node.onlyTypes.has(typename)) continue;
      const value = object[node.key];
      if (value === undefined) continue;
      total += estimate.argumentCosts[index];
      scoreValue(node, value);
    }
  };
  visitObject(model.roots, data as { [key: string]: Json });
  return total;
}

/** The objects at a response path ("@" for list levels), e.g. the entities an entity fetch resolved. */
export function countObjectsAt(data: unknown, path: readonly (string | number)[]): number {
  let level: unknown[] = [data];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const value of level) {
      if (segment === '@') {
        if (Array.isArray(value)) next.push(...value);
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        next.push((value as Record<string, unknown>)[segment]);
      }
    }
    level = next;
  }
  let count = 0;
  const add = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(add);
    else if (value !== null && typeof value === 'object') count += 1;
  };
  level.forEach(add);
  return count;
}
