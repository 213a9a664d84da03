// The single walk over an operation that every policy reads: each field occurrence with its parent type,
// definition, response path (aliases, "@" for list levels), the types along that path, coerced arguments —
// following fragments and inline fragments, honouring @skip/@include with the request's variables.
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { getArgumentValues, getDirectiveValues } from 'graphql/execution/values';
import { GraphQLIncludeDirective, GraphQLSkipDirective } from 'graphql/type/directives';

/** One step of a response path: the response key, the field's type, and which concrete types it applies to. */
export interface PathSegment {
  key: string;
  /** The field selection this step comes from. */
  node: FieldNode;
  type: GraphQLOutputType;
  /** Set when a fragment narrowed an abstract parent: only objects of these types have this field. */
  onlyTypes?: ReadonlySet<string>;
  /**
   * The response keys of the selection set this field stands in, in order: set by the policy stage (once per
   * operation) on the segments of removed fields, so the response patch can put a nulled field back in its place.
   */
  siblingKeys?: readonly string[];
}

export interface FieldOccurrence {
  node: FieldNode;
  parentType: GraphQLCompositeType;
  /** The concrete types the parent object may have here. */
  possibleTypes: readonly GraphQLObjectType[];
  fieldDef: GraphQLField<unknown, unknown>;
  /** "Type.field" on the parent type as written (an interface when selected on one). */
  coordinate: string;
  segments: readonly PathSegment[];
  /** Coerced arguments (defaults applied) for the variables the walk ran with; see `argumentsOf` for other variables. */
  args: Record<string, unknown>;
  /** True when an argument reads a variable: a cached walk's `args` then belong to another request. */
  argsUseVariables: boolean;
  /** The occurrence of the enclosing field (undefined for root fields); always earlier in `occurrences`. */
  parent?: FieldOccurrence;
}

export interface OperationWalk {
  occurrences: FieldOccurrence[];
  /** True when a @skip/@include reads a variable (the walk then depends on the request's variables). */
  usesConditionalVariables: boolean;
  /** True when the walk stopped at MAX_OCCURRENCES: policies must refuse the operation, not judge part of it. */
  truncated: boolean;
}

/** Past this many occurrences the walk stops; the parse stage's `limits.maxFields` normally rejects such operations first. */
export const MAX_OCCURRENCES = 100_000;

export function walkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): OperationWalk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const occurrences: FieldOccurrence[] = [];
  let usesConditionalVariables = false;

  const included = (node: { directives?: readonly import('graphql').DirectiveNode[] }): boolean => {
    if (!node.directives || node.directives.length === 0) return true;
    for (const directive of node.directives) {
      if ((directive.name.value === 'skip' || directive.name.value === 'include') && directive.arguments?.some((a) => a.value.kind === Kind.VARIABLE)) {
        usesConditionalVariables = true;
      }
    }
    try {
      if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
      const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
      return !(include && include.if === false);
    } catch {
      return true; // invalid variables: validation reports it; keep the field so policies still see it
    }
  };

  const walk = (
    set: SelectionSetNode,
    parentType: GraphQLCompositeType,
    narrowed: ReadonlySet<string> | undefined,
    path: PathSegment[],
    stack: Set<string>,
    parent: FieldOccurrence | undefined,
  ) => {
    for (const selection of set.selections) {
      if (occurrences.length >= MAX_OCCURRENCES) return;
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue; // introspection and __typename: never guarded
        if (!isObjectType(parentType) && !isInterfaceType(parentType)) continue;
        const fieldDef = parentType.getFields()[name];
        if (!fieldDef) continue; // invalid: validation answers it
        const segment: PathSegment = { key: selection.alias?.value ?? name, node: selection, type: fieldDef.type, onlyTypes: narrowed };
        const segments = [...path, segment];
        let args: Record<string, unknown> = {};
        try {
          args = getArgumentValues(fieldDef, selection, variables);
        } catch {
          // coercion errors are validation's to report
        }
        const occurrence: FieldOccurrence = {
          node: selection,
          parentType,
          possibleTypes: possibleTypesOf(schema, parentType),
          fieldDef,
          coordinate: `${parentType.name}.${name}`,
          segments,
          args,
          argsUseVariables: selection.arguments?.some((a) => readsVariable(a.value)) ?? false,
          parent,
        };
        occurrences.push(occurrence);
        const childType = getNamedType(fieldDef.type);
        if (selection.selectionSet && isCompositeType(childType)) walk(selection.selectionSet, childType, undefined, segments, stack, occurrence);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        if (!condition || !isCompositeType(condition)) continue;
        walk(selection.selectionSet, condition, narrow(schema, parentType, condition, narrowed), path, stack, parent);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || stack.has(name)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (!condition || !isCompositeType(condition)) continue;
        stack.add(name);
        walk(fragment.selectionSet, condition, narrow(schema, parentType, condition, narrowed), path, stack, parent);
        stack.delete(name);
      }
    }
  };

  const rootType = schema.getRootType(operation.operation);
  if (rootType) walk(operation.selectionSet, rootType, undefined, [], new Set(), undefined);
  return { occurrences, usesConditionalVariables, truncated: occurrences.length >= MAX_OCCURRENCES };
}

/**
 * The occurrence's arguments for this request's variables. Walks are cached per operation, so `args` holds the
 * values of the request that made the walk; arguments that read variables are coerced again here.
 */
export function argumentsOf(occurrence: FieldOccurrence, variables: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!occurrence.argsUseVariables) return occurrence.args;
  try {
    return getArgumentValues(occurrence.fieldDef, occurrence.node, variables ?? {});
  } catch {
    return {}; // invalid variables: validation answers the request
  }
}

function readsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(readsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => readsVariable(f.value));
  return false;
}

/** The concrete types an object can have once a fragment on `condition` applies inside `parent`. */
function narrow(schema: GraphQLSchema, parent: GraphQLCompositeType, condition: GraphQLCompositeType, current: ReadonlySet<string> | undefined): ReadonlySet<string> | undefined {
  if (condition === parent || !isAbstractType(parent)) return current;
  const allowed = new Set(possibleTypesOf(schema, condition).map((t) => t.name));
  if (current) for (const name of [...allowed]) if (!current.has(name)) allowed.delete(name);
  return allowed;
}

function possibleTypesOf(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLObjectType[] {
  return isAbstractType(type) ? schema.getPossibleTypes(type) : [type];
}

/** How many list levels a field type has ([[T]] → 2), for "@" markers in error paths. */
export function listDepth(type: GraphQLOutputType): number {
  let depth = 0;
  let current: GraphQLOutputType = getNullableType(type);
  while (isListType(current)) {
    depth += 1;
    current = getNullableType(current.ofType);
  }
  return depth;
}

/** The error path of a segment chain: keys, with "@" after each list level. */
export function errorPath(segments: readonly PathSegment[]): Array<string> {
  const path: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    path.push(segments[i].key);
    if (i < segments.length - 1) for (let d = listDepth(segments[i].type); d > 0; d--) path.push('@');
  }
  return path;
}
