// The actual cost, from the response: the estimate's rules applied to what came back (Apollo Router's "actual"):
// each object returned weighs 1 (or its @cost), each leaf its @cost, null nothing unless the field has a @cost,
// arguments once per parent object; a mutation adds 10. Budgets are charged the estimate up front and
// reconciled to this. Pure; runs once per execution (inbound dedupe shares it among identical requests).
import { TYPENAME_HELPER } from '../rewrite';
import type { FieldOccurrence } from '../walk';
import type { CostEstimate } from './estimate';
import { MUTATION_BASE_COST, type CostModel } from './model';

type Json = null | string | number | boolean | Json[] | { [key: string]: Json };

/** One field to look at in each parent object; leaves that can only add 0 are left out altogether. */
interface ActualNode {
  key: string;
  onlyTypes?: ReadonlySet<string>;
  composite: boolean;
  /** Added per object returned (composite) or per leaf value. */
  weight: number;
  /** Added per null value (the field's explicit @cost, else 0). */
  nullWeight: number;
  arguments: number;
  children: ActualNode[];
}

/** The response walk of an estimate, compiled once (it only depends on the model and which fields are included). */
const compiled = new WeakMap<CostEstimate, ActualNode[]>();

/**
 * `removed`: fields taken out after the estimate (over a rate limit); they were not fetched. `merged`: `data` is the
 * executor's merged tree rather than the shaped answer — a selected field missing there is the answer's null (the
 * shaping writes null for it), so it weighs what a null weighs; fields the planner fetched for itself are never read.
 */
export function actualCost(model: CostModel, estimate: CostEstimate, data: unknown, removed?: ReadonlySet<FieldOccurrence>, merged = false): number {
  const base = model.mutation ? MUTATION_BASE_COST : 0;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return base;
  let roots = removed && removed.size > 0 ? undefined : compiled.get(estimate);
  if (!roots) {
    roots = compile(model, estimate, model.roots, removed);
    if (!removed || removed.size === 0) compiled.set(estimate, roots);
  }
  return base + visitObject(roots, data as { [key: string]: Json }, merged);
}

function visitObject(nodes: readonly ActualNode[], object: { [key: string]: Json }, merged: boolean): number {
  let total = 0;
  let typename: Json | undefined;
  let typenameRead = false;
  for (const node of nodes) {
    if (node.onlyTypes) {
      if (!typenameRead) {
        typename = object.__typename ?? object[TYPENAME_HELPER];
        typenameRead = true;
      }
      // A field selected through a fragment on another concrete type is not this object's.
      if (typeof typename === 'string' && !node.onlyTypes.has(typename)) continue;
    }
    // Own properties only: a response key like `constructor` must not read Object.prototype's.
    const value = Object.prototype.hasOwnProperty.call(object, node.key) ? object[node.key] : undefined;
    if (value === undefined) {
      if (merged) total += node.arguments + node.nullWeight;
      continue;
    }
    total += node.arguments + scoreValue(node, value, merged);
  }
  return total;
}

function scoreValue(node: ActualNode, value: Json, merged: boolean): number {
  if (value === null) return node.nullWeight;
  if (Array.isArray(value)) {
    let total = 0;
    for (const item of value) total += scoreValue(node, item, merged);
    return total;
  }
  if (typeof value === 'object') return node.weight + (node.children.length > 0 ? visitObject(node.children, value, merged) : 0);
  return node.weight;
}

function compile(model: CostModel, estimate: CostEstimate, indexes: readonly number[], removed: ReadonlySet<FieldOccurrence> | undefined): ActualNode[] {
  const nodes: ActualNode[] = [];
  for (const index of indexes) {
    const node = model.nodes[index];
    if (!estimate.included[index] || removed?.has(node.occurrence)) continue;
    const children = node.composite ? compile(model, estimate, node.children, removed) : [];
    const weight = node.weight ?? (node.composite ? 1 : 0);
    const nullWeight = node.weight ?? 0;
    const args = estimate.argumentCosts[index];
    // A leaf weighing nothing, without argument costs, can't change the total: don't even read it.
    if (!node.composite && weight === 0 && nullWeight === 0 && args === 0) continue;
    nodes.push({ key: node.key, onlyTypes: node.onlyTypes, composite: node.composite, weight, nullWeight, arguments: args, children });
  }
  return nodes;
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
