// The cost model of one operation: for each field occurrence of the policy walk, what the cost rules need —
// weights, list sizing, argument definitions, @requires cost — independent of variables. Built once per
// operation (cached by the policy stage) and read by estimate.ts (before planning) and actual.ts (the response).
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  parse,
  type ArgumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { FieldOccurrence } from '../walk';
import type { CostDirectives, ListSize } from './directives';

/** How an argument or input field is weighed: its @cost (or its type's), and its type for nested input objects. */
export interface InputWeight {
  type: GraphQLInputType;
  weight?: number;
}

export interface CostNode {
  occurrence: FieldOccurrence;
  /** Index of the enclosing field's node; -1 for root fields. */
  parent: number;
  children: number[];
  /** The response key (alias or name). */
  key: string;
  onlyTypes?: ReadonlySet<string>;
  /** The field returns a list (its instances multiply by the list size). */
  list: boolean;
  /** The field returns an object, interface or union. */
  composite: boolean;
  /** The field's @cost, else its type's; undefined → 1 for composite, 0 for leaves. */
  weight?: number;
  listSize?: ListSize;
  /** The enclosing field's @listSize names this field in `sizedFields`: its size is the parent's. */
  sizedByParent: boolean;
  /** Estimated cost of the field's @requires selection (fetched on the parent even when not asked for). */
  requiresCost: number;
  arguments: ReadonlyArray<{ node: ArgumentNode; input: InputWeight }>;
}

export interface CostModel {
  nodes: CostNode[];
  roots: number[];
  /** Mutations cost a base of 10 (the cost spec, Apollo Router). */
  mutation: boolean;
  /** Index of each occurrence's node. */
  index: ReadonlyMap<FieldOccurrence, number>;
}

export const MUTATION_BASE_COST = 10;

export interface CostSchema {
  schema: GraphQLSchema;
  directives: CostDirectives;
  /** Size assumed for lists without @listSize (config `cost.listSize`). */
  listSize: number;
  /** @requires costs by coordinate, filled on first use. */
  requiresCache: Map<string, number>;
}

export function buildCostModel(occurrences: readonly FieldOccurrence[], operation: OperationDefinitionNode, cost: CostSchema): CostModel {
  const { directives } = cost;
  const nodes: CostNode[] = [];
  const roots: number[] = [];
  const index = new Map<FieldOccurrence, number>();
  for (const occurrence of occurrences) {
    const parent = occurrence.parent ? (index.get(occurrence.parent) ?? -1) : -1;
    const named = getNamedType(occurrence.fieldDef.type);
    const parentListSize = parent >= 0 ? nodes[parent].listSize : undefined;
    const node: CostNode = {
      occurrence,
      parent,
      children: [],
      key: occurrence.segments[occurrence.segments.length - 1].key,
      onlyTypes: occurrence.segments[occurrence.segments.length - 1].onlyTypes,
      list: isListType(getNullableType(occurrence.fieldDef.type)),
      composite: isCompositeType(named),
      weight: directives.fields.get(occurrence.coordinate) ?? directives.types.get(named.name),
      listSize: directives.listSizes.get(occurrence.coordinate),
      sizedByParent: parentListSize?.sizedFields?.includes(occurrence.fieldDef.name) ?? false,
      requiresCost: requiresCostOf(cost, occurrence.coordinate, occurrence.parentType.name),
      arguments: (occurrence.node.arguments ?? []).flatMap((node) => {
        const definition = occurrence.fieldDef.args.find((a) => a.name === node.name.value);
        if (!definition) return [];
        const weight = directives.arguments.get(`${occurrence.coordinate}(${definition.name}:)`) ?? directives.types.get(getNamedType(definition.type).name);
        return [{ node, input: { type: definition.type, weight } }];
      }),
    };
    index.set(occurrence, nodes.length);
    if (parent >= 0) nodes[parent].children.push(nodes.length);
    else roots.push(nodes.length);
    nodes.push(node);
  }
  return { nodes, roots, mutation: operation.operation === 'mutation', index };
}

/** The weight of an input object's field: its @cost, else its type's. */
export function inputFieldWeight(cost: CostSchema, inputType: GraphQLInputType, field: string): InputWeight | undefined {
  const named = getNamedType(inputType);
  if (!isInputObjectType(named)) return undefined;
  const definition = named.getFields()[field];
  if (!definition) return undefined;
  return { type: definition.type, weight: cost.directives.inputFields.get(`${named.name}.${field}`) ?? cost.directives.types.get(getNamedType(definition.type).name) };
}

/** Cost of the @requires field set of `coordinate`, estimated on the parent type like any selection. */
function requiresCostOf(cost: CostSchema, coordinate: string, parentType: string): number {
  const fieldSet = cost.directives.requires.get(coordinate);
  if (fieldSet === undefined) return 0;
  let cached = cost.requiresCache.get(coordinate);
  if (cached === undefined) {
    try {
      const operation = parse(`{ ${fieldSet} }`, { noLocation: true }).definitions[0] as OperationDefinitionNode;
      cached = selectionSetCost(cost, parentType, operation.selectionSet);
    } catch {
      cached = 0; // composition validated the field set; nothing sensible to add if it doesn't parse here
    }
    cost.requiresCache.set(coordinate, cached);
  }
  return cached;
}

/** A field set's static cost (no arguments or variables in field sets). */
function selectionSetCost(cost: CostSchema, typeName: string, set: SelectionSetNode): number {
  const type = cost.schema.getType(typeName);
  if (!type || (!isObjectType(type) && !isInterfaceType(type))) return 0;
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += selectionSetCost(cost, selection.typeCondition?.name.value ?? typeName, selection.selectionSet);
      continue;
    }
    if (selection.kind !== Kind.FIELD) continue;
    const field = type.getFields()[selection.name.value];
    if (!field) continue;
    const named = getNamedType(field.type);
    const coordinate = `${typeName}.${field.name}`;
    const listSize = cost.directives.listSizes.get(coordinate);
    const count = isListType(getNullableType(field.type)) ? (listSize?.assumedSize ?? cost.listSize) : 1;
    const weight = cost.directives.fields.get(coordinate) ?? cost.directives.types.get(named.name) ?? (isCompositeType(named) ? 1 : 0);
    total += count * (weight + (selection.selectionSet ? selectionSetCost(cost, named.name, selection.selectionSet) : 0));
  }
  return total;
}
