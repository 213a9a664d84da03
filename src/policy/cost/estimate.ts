// The static cost estimate, before planning — the cost spec's rules as Apollo Router applies them: objects,
// interfaces and unions weigh 1, scalars and enums 0, @cost overrides (on the field, else on its type); a list
// multiplies its subtree by its size (a slicing argument's value, else @listSize's assumedSize, else
// `cost.listSize`; `sizedFields` pass the size to a child list); arguments and input fields add their weights
// once per parent instance; a mutation adds 10; fields excluded by @skip/@include are not in the walk.
// Slicing argument values are client input: one that is not a whole number from 0 to MAX_SLICING_SIZE (negative,
// fractional, non-finite, a string, absurdly large) can't be sized, so the operation is refused
// (COST_QUERY_PARSE_FAILURE) — the subgraph may read `first: -1` as "everything", so no size we could assume is
// safe. The estimate itself then uses the size the argument's absence would give (measure mode still charges it).
// Every field adds ≥ 0 and the arithmetic saturates at MAX_ESTIMATE, so no input lowers an estimate or makes it NaN.
// Pure: the model is per operation, variables come with the request.
import { getNamedType, isInputObjectType, Kind, type ValueNode } from 'graphql';
import { argumentsOf, type FieldOccurrence } from '../walk';
import { inputFieldWeight, MUTATION_BASE_COST, type CostModel, type CostSchema, type InputWeight } from './model';

/** The largest list size a slicing argument may ask for: GraphQL's Int range (spec §3.5.1); a plan's `max` bounds the rest. */
export const MAX_SLICING_SIZE = 2 ** 31 - 1;

/** Estimates saturate here: past it integers are no longer exact (and Infinity × a weight of 0 would be NaN). */
export const MAX_ESTIMATE = Number.MAX_SAFE_INTEGER;

export interface CostEstimate {
  cost: number;
  /** Per node: whether it counts (not inside a removed field). */
  included: boolean[];
  /** Per node: estimated instances, the product of list sizes from the root down to it. */
  instances: number[];
  /** Per node: the weight of its arguments (charged once per parent instance; reused by the actual cost). */
  argumentCosts: number[];
  /** Operations the cost spec refuses, e.g. a @listSize field without exactly one slicing argument. */
  problems: string[];
}

export function estimateCost(
  model: CostModel,
  cost: CostSchema,
  variables: Record<string, unknown> | undefined,
  excluded?: ReadonlySet<FieldOccurrence>,
): CostEstimate {
  const { nodes } = model;
  const included = new Array<boolean>(nodes.length);
  const instances = new Array<number>(nodes.length);
  const argumentCosts = new Array<number>(nodes.length);
  /** Per node: the size its @listSize gives (slicing argument or assumedSize), for sizedFields children. */
  const expected = new Array<number | undefined>(nodes.length);
  const problems: string[] = [];
  let total = model.mutation ? MUTATION_BASE_COST : 0;

  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const parentInstances = node.parent >= 0 ? instances[node.parent] : 1;
    included[i] = (node.parent < 0 || included[node.parent]) && !excluded?.has(node.occurrence);
    if (!included[i]) {
      instances[i] = 0;
      argumentCosts[i] = 0;
      continue;
    }
    if (node.listSize) {
      const sized = sliceSize(node.listSize, node.listSize.slicingArguments ? argumentsOf(node.occurrence, variables) : {});
      if (sized.problem) problems.push(`${node.occurrence.coordinate}: ${sized.problem}`);
      expected[i] = sized.size;
    }
    const size = (node.sizedByParent ? expected[node.parent] : undefined) ?? expected[i] ?? cost.listSize;
    instances[i] = bounded(parentInstances * (node.list ? size : 1));
    let args = 0;
    for (const argument of node.arguments) args += scoreValue(argument.node.value, argument.input, cost, variables);
    argumentCosts[i] = bounded(args);
    const weight = node.weight ?? (node.composite ? 1 : 0);
    // No field lowers the total, whatever the weights and sizes (a negative @cost in a subgraph included).
    total = bounded(total + bounded(weight * instances[i]) + bounded((argumentCosts[i] + node.requiresCost) * parentInstances));
  }
  return { cost: total, included, instances, argumentCosts, problems };
}

/** A count or cost kept within [0, MAX_ESTIMATE]; NaN (never expected) counts as the most, so it fails closed. */
export function bounded(value: number): number {
  if (Number.isNaN(value)) return MAX_ESTIMATE;
  return Math.min(MAX_ESTIMATE, Math.max(0, value));
}

/** A slicing argument's value a list can be sized by: a whole number from 0 to MAX_SLICING_SIZE. */
export function isSlicingSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SLICING_SIZE;
}

/**
 * The largest slicing argument given (defaults count), else assumedSize; the spec's exactly-one check; and a
 * problem for each value that is not a size (see the header) — such a value never sizes the list.
 */
function sliceSize(listSize: NonNullable<CostModel['nodes'][number]['listSize']>, args: Record<string, unknown>): { size?: number; problem?: string } {
  let size: number | undefined;
  let given = 0;
  const problems: string[] = [];
  for (const name of listSize.slicingArguments ?? []) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    given += 1;
    if (isSlicingSize(value)) size = size === undefined ? value : Math.max(size, value);
    // Only the type and a number's own digits: the message must not echo arbitrary client strings.
    else problems.push(`slicing argument ${name} must be a whole number from 0 to ${MAX_SLICING_SIZE}, got ${typeof value === 'number' ? String(value) : `a ${Array.isArray(value) ? 'list' : typeof value}`}`);
  }
  if (listSize.slicingArguments && listSize.requireOneSlicingArgument && given !== 1) {
    problems.push(`exactly one slicing argument (${listSize.slicingArguments.join(', ')}) must be given, found ${given}`);
  }
  return { size: size ?? listSize.assumedSize, problem: problems.length > 0 ? problems.join('; ') : undefined };
}

/** An argument's weight: input objects 1 (or @cost) plus their fields, lists their items (plus @cost), leaves their @cost. */
function scoreValue(value: ValueNode, input: InputWeight, cost: CostSchema, variables: Record<string, unknown> | undefined): number {
  switch (value.kind) {
    case Kind.NULL:
      return 0;
    case Kind.VARIABLE:
      return scoreJson(variables?.[value.name.value], input, cost);
    case Kind.LIST: {
      let sum = input.weight ?? 0;
      for (const item of value.values) sum += scoreValue(item, input, cost, variables);
      return sum;
    }
    case Kind.OBJECT: {
      if (!isInputObjectType(getNamedType(input.type))) return input.weight ?? 0;
      let sum = input.weight ?? 1;
      for (const field of value.fields) {
        const nested = inputFieldWeight(cost, input.type, field.name.value);
        if (nested) sum += scoreValue(field.value, nested, cost, variables);
      }
      return sum;
    }
    default:
      return input.weight ?? 0;
  }
}

/** The same weights for a variable's JSON value. */
function scoreJson(value: unknown, input: InputWeight, cost: CostSchema): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) {
    let sum = input.weight ?? 0;
    for (const item of value) sum += scoreJson(item, input, cost);
    return sum;
  }
  if (typeof value === 'object' && isInputObjectType(getNamedType(input.type))) {
    let sum = input.weight ?? 1;
    for (const [name, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      const nested = inputFieldWeight(cost, input.type, name);
      if (nested) sum += scoreJson(fieldValue, nested, cost);
    }
    return sum;
  }
  return input.weight ?? 0;
}
