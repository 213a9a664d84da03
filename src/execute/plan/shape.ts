// Shapes the merged subgraph data into the client's response: response names (aliases), `__typename`, fragments
// and type conditions (by the object's `__typename`), @skip/@include, and null propagation per the GraphQL spec
// (§6.4.4 "Handling Field Errors": a null in a non-null position nulls the nearest nullable parent). It follows
// @apollo/gateway's `computeResponse` (resultShaping.ts) rule for rule, so both executors answer byte for byte
// alike, including key order: the operation is the query planner's own normalised `Operation` (fields with one
// response name merged, fragments with one condition merged), compiled once per operation into plain objects.
import { isValidLeafValue as isValidLeafValueExport, isSubtype as isSubtypeExport, type CompositeType, type Operation, type Selection, type Schema, type SelectionSet, type Type, type Variable } from '../../apollo';
import type { GraphQLFormattedError } from 'graphql';

// Re-exports compile to getters (../../apollo, then the package's index): read once, not on every call per value.
const isValidLeafValue = isValidLeafValueExport;
const isSubtype = isSubtypeExport;

type Json = unknown;
type JsonMap = Record<string, Json>;

/** How a field's value is checked: wrappers outermost first. */
export type TypeShape =
  | { kind: 'nonNull'; of: TypeShape }
  | { kind: 'list'; of: TypeShape }
  | { kind: 'leaf'; type: Type }
  | { kind: 'composite'; name: string; type: CompositeType };

/** An @skip/@include condition: a literal, or the name of a boolean variable. */
interface Condition {
  skip?: boolean | string;
  include?: boolean | string;
}

export interface FieldShape {
  kind: 'field';
  responseName: string;
  condition?: Condition;
  typename: boolean;
  /** `__schema` / `__type`: answered by the caller's introspection hook. */
  introspection: boolean;
  type: TypeShape;
  selections?: SelectionShape[];
  /** The original selection, for the introspection hook. */
  source: unknown;
  /**
   * A client alias `__proto__`: read and written as an own property only. A plain `output[name]` would read the
   * object's prototype and merge the subgraph's fields into Object.prototype (pollution by a client query).
   */
  protoKey: boolean;
}

export interface FragmentShape {
  kind: 'fragment';
  condition?: Condition;
  /** The type condition, when there is one. */
  typeCondition?: CompositeType;
  selections: SelectionShape[];
}

export type SelectionShape = FieldShape | FragmentShape;

export interface ResponseShape {
  schema: Schema;
  rootType: CompositeType;
  selections: SelectionShape[];
  defaultedVariables: JsonMap;
}

/** Compiles the planner's operation once; the result is immutable and shared by every request for it. */
export function compileShape(operation: Operation): ResponseShape {
  const schema = operation.schema();
  const rootType = schema.schemaDefinition.rootType(operation.rootKind);
  if (!rootType) throw new Error(`the schema has no ${operation.rootKind} type`);
  return { schema, rootType, selections: compileSelectionSet(schema, operation.selectionSet), defaultedVariables: operation.collectDefaultedVariableValues() };
}

function compileSelectionSet(schema: Schema, selectionSet: SelectionSet): SelectionShape[] {
  const shapes: SelectionShape[] = [];
  for (const selection of selectionSet.selections()) {
    const condition = compileCondition(schema, selection.element);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const sub = selection.selectionSet;
      shapes.push({
        kind: 'field',
        responseName: field.responseName(),
        condition,
        typename: field.name === '__typename',
        introspection: field.definition.isSchemaIntrospectionField(),
        type: compileType(field.definition.type as Type),
        selections: sub ? compileSelectionSet(schema, sub) : undefined,
        source: selection,
        protoKey: field.responseName() === '__proto__',
      });
    } else {
      shapes.push({ kind: 'fragment', condition, typeCondition: selection.element.typeCondition, selections: compileSelectionSet(schema, selection.selectionSet) });
    }
  }
  return shapes;
}

function compileCondition(schema: Schema, element: Selection['element']): Condition | undefined {
  const value = (directive: { arguments(): Record<string, unknown> } | undefined): boolean | string | undefined => {
    if (!directive) return undefined;
    const arg = directive.arguments().if;
    return typeof arg === 'boolean' ? arg : (arg as Variable).name;
  };
  const skip = value(element.appliedDirectivesOf(schema.skipDirective())[0]);
  const include = value(element.appliedDirectivesOf(schema.includeDirective())[0]);
  return skip === undefined && include === undefined ? undefined : { skip, include };
}

function compileType(type: Type): TypeShape {
  switch (type.kind) {
    case 'NonNullType':
      return { kind: 'nonNull', of: compileType(type.ofType) };
    case 'ListType':
      return { kind: 'list', of: compileType(type.ofType) };
    case 'ScalarType':
    case 'EnumType':
      return { kind: 'leaf', type };
    default:
      return { kind: 'composite', name: type.name, type: type as CompositeType };
  }
}

/** The answer for an introspection field (`__schema`, `__type`), given its original selection. */
export type IntrospectionHook = (selection: unknown) => Json;

interface Run {
  schema: Schema;
  variables: JsonMap;
  errors: GraphQLFormattedError[];
  path: Array<string | number>;
  introspect: IntrospectionHook;
  /**
   * Out-parameters of the last updateValue call (Apollo's `isInvalid` / `hasErrors`), read right after it: one
   * result object per value would be thousands of allocations per answer.
   */
  invalid: boolean;
  hasErrors: boolean;
}

/**
 * The client's `data` from the merged subgraph data, and the value-completion errors (Apollo reports these in
 * `extensions.valueCompletion`, and only when no fetch failed).
 */
export function shapeResponse(
  shape: ResponseShape,
  input: JsonMap,
  variables: JsonMap | undefined,
  introspect: IntrospectionHook,
): { data: JsonMap | null; errors: GraphQLFormattedError[] } {
  const run: Run = { schema: shape.schema, variables: variables ? { ...shape.defaultedVariables, ...variables } : shape.defaultedVariables, errors: [], path: [], introspect, invalid: false, hasErrors: false };
  const data: JsonMap = {};
  const ok = applySelections(run, input, shape.selections, data, shape.rootType);
  return { data: ok ? data : null, errors: run.errors };
}

function skipped(run: Run, condition: Condition | undefined): boolean {
  if (!condition) return false;
  const value = (v: boolean | string) => (typeof v === 'boolean' ? v : run.variables[v] === true);
  return (condition.skip !== undefined && value(condition.skip)) || (condition.include !== undefined && !value(condition.include));
}

function own(object: JsonMap, key: string): Json {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** Writes `selections` of `input` into `output`; false when a null must bubble up to the parent. */
function applySelections(run: Run, input: JsonMap, selections: readonly SelectionShape[], output: JsonMap, parentType: CompositeType): boolean {
  for (let i = 0; i < selections.length; i++) {
    const selection = selections[i];
    if (selection.condition !== undefined && skipped(run, selection.condition)) continue;
    if (selection.kind === 'field') {
      const name = selection.responseName;
      if (selection.protoKey) {
        if (!applyProtoKey(run, input, selection, output, parentType)) return false;
        continue;
      }
      const outputValue = own(output, name);
      if (selection.introspection) {
        if (outputValue === undefined) output[name] = run.introspect(selection.source);
        continue;
      }
      let inputValue = own(input, name) ?? null;
      if (selection.typename) {
        if (outputValue === undefined) {
          if (inputValue === null && name !== '__typename') inputValue = input.__typename ?? null;
          const type = typeof inputValue === 'string' ? (run.schema.type(inputValue) ?? parentType) : parentType;
          if (type.kind !== 'ObjectType') return false;
          output[name] = type.name;
        }
        continue;
      }
      run.path.push(name);
      output[name] = updateValue(run, outputValue, selection.type, inputValue, selection.selections, parentType);
      run.path.pop();
      if (run.invalid) return false;
    } else {
      const typename = input.__typename;
      if (selection.typeCondition === undefined || conditionApplies(run.schema, selection.typeCondition, typename, parentType)) {
        if (!applySelections(run, input, selection.selections, output, selection.typeCondition ?? parentType)) return false;
      }
    }
  }
  return true;
}

/** The slow path of a field aliased `__proto__` (see FieldShape.protoKey): own reads, defineProperty writes. */
function applyProtoKey(run: Run, input: JsonMap, selection: FieldShape, output: JsonMap, parentType: CompositeType): boolean {
  const name = selection.responseName;
  const outputValue = own(output, name);
  let value: Json;
  if (selection.introspection) {
    if (outputValue !== undefined) return true;
    value = run.introspect(selection.source) as Json;
  } else if (selection.typename) {
    if (outputValue !== undefined) return true;
    let inputValue = own(input, name) ?? input.__typename ?? null;
    const type = typeof inputValue === 'string' ? (run.schema.type(inputValue) ?? parentType) : parentType;
    if (type.kind !== 'ObjectType') return false;
    inputValue = type.name;
    value = inputValue;
  } else {
    run.path.push(name);
    value = updateValue(run, outputValue, selection.type, own(input, name) ?? null, selection.selections, parentType);
    run.path.pop();
    if (run.invalid) return false;
  }
  Object.defineProperty(output, name, { value, writable: true, enumerable: true, configurable: true });
  return true;
}

function conditionApplies(schema: Schema, condition: CompositeType, typename: Json, parentType: CompositeType): boolean {
  if (typeof typename === 'string' && typename !== '') {
    const type = schema.type(typename);
    return !!type && isSubtype(condition, type);
  }
  return isSubtype(condition, parentType);
}

function describeLast(run: Run, type: TypeShape, parentType: CompositeType): string {
  const last = run.path[run.path.length - 1];
  return typeof last === 'string' ? `field ${parentType.name}.${last}` : `array element of type ${printType(type)} at index ${last}`;
}

function printType(type: TypeShape): string {
  switch (type.kind) {
    case 'nonNull':
      return `${printType(type.of)}!`;
    case 'list':
      return `[${printType(type.of)}]`;
    case 'leaf':
      return (type.type as { name: string }).name;
    default:
      return type.name;
  }
}

function invalidError(run: Run, message: string): GraphQLFormattedError {
  return { message, path: [...run.path], extensions: { code: 'INVALID_GRAPHQL' } };
}

/** Sets run.invalid (a null must bubble further up) and run.hasErrors (an error was already reported below). */
function done(run: Run, value: Json, invalid: boolean, hasErrors: boolean): Json {
  run.invalid = invalid;
  run.hasErrors = hasErrors;
  return value;
}

function updateValue(run: Run, outputValue: Json, type: TypeShape, inputValue: Json, selections: SelectionShape[] | undefined, parentType: CompositeType): Json {
  // The same response name selected twice (e.g. in two fragments): a leaf is written once, objects are merged.
  if (outputValue === null || (outputValue !== undefined && !selections)) return done(run, outputValue, false, false);
  if (type.kind === 'nonNull') {
    const inner = updateValue(run, outputValue, type.of, inputValue, selections, parentType);
    if (inner === null) {
      if (!run.hasErrors) run.errors.push(invalidError(run, `Cannot return null for non-nullable ${describeLast(run, type.of, parentType)}.`));
      return done(run, null, true, true);
    }
    return done(run, inner, false, false);
  }
  if (inputValue === null || inputValue === undefined) return done(run, null, false, false);
  if (type.kind === 'list') {
    if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${printType(type)}`);
    const existing = Array.isArray(outputValue) ? (outputValue as Json[]) : undefined;
    const updated: Json[] = new Array(inputValue.length);
    let nullify = false;
    let hasErrors = false;
    for (let i = 0; i < inputValue.length; i++) {
      run.path.push(i);
      updated[i] = updateValue(run, existing ? existing[i] : undefined, type.of, inputValue[i], selections, parentType);
      run.path.pop();
      if (run.invalid) nullify = true;
      if (run.hasErrors) hasErrors = true;
    }
    return done(run, nullify ? null : updated, false, hasErrors);
  }
  if (type.kind === 'composite') {
    if (typeof inputValue !== 'object' || Array.isArray(inputValue)) throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.name}`);
    const object = inputValue as JsonMap;
    const inputTypename = object.__typename;
    let objectType = type.type;
    if (typeof inputTypename === 'string' && inputTypename !== '') {
      const found = run.schema.type(inputTypename);
      if (!found || (found.kind !== 'ObjectType' && found.kind !== 'InterfaceType' && found.kind !== 'UnionType')) {
        run.errors.push(invalidError(run, `Invalid __typename found for object at ${describeLast(run, type, parentType)}.`));
        return done(run, null, false, true);
      }
      objectType = found;
    }
    const output = outputValue === undefined ? {} : (outputValue as JsonMap);
    const ok = applySelections(run, object, selections ?? [], output, objectType);
    return done(run, ok ? output : null, false, !ok);
  }
  if (!isValidLeafValue(run.schema, inputValue, type.type as Parameters<typeof isValidLeafValue>[2])) {
    run.errors.push(invalidError(run, `Invalid value found for ${describeLast(run, type, parentType)}.`));
    return done(run, null, false, true);
  }
  return done(run, inputValue, false, false);
}
