// Writes the client's `data` as JSON text straight from the merged subgraph data, walking the compiled response
// shape (./shape.ts) — no shaped copy of the tree and no JSON.stringify of it. It is the happy path only: anything
// that needs shape.ts's rules for errors (a null in a non-null position, an invalid value or __typename, a malformed
// merged tree) makes it give up (undefined), and the caller runs shapeResponse + JSON.stringify, which decide.
import { isSubtype, isValidLeafValue, type CompositeType, type Schema } from '../../apollo';
import type { FieldShape, ResponseShape, SelectionShape, TypeShape } from './shape';

type JsonMap = Record<string, unknown>;

/** What the serialiser precomputes for one shape (kept beside it in a WeakMap: the shape stays a plain compiled form). */
interface Streamable {
  /** Whether some @skip/@include reads a variable (only then are the variables merged with their defaults). */
  readsVariables: boolean;
  /** `"responseName":` per field, with and without the leading comma. */
  keys: Map<FieldShape, { first: string; next: string }>;
  /** Type condition → object typename → whether the fragment applies (isSubtype, cached). */
  conditions: Map<CompositeType, Map<string, boolean>>;
}

const compiled = new WeakMap<ResponseShape, Streamable | null>();

/**
 * Whether `shape` can be written in one pass, and its precomputed parts. Not when a response name can be written
 * twice into one object (shape.ts then merges the second into the first: key order and merges need the object
 * form) or when an introspection field is selected (answered by a hook that builds objects anyway).
 */
function streamable(shape: ResponseShape): Streamable | null {
  let found = compiled.get(shape);
  if (found !== undefined) return found;
  const info: Streamable = { readsVariables: false, keys: new Map(), conditions: new Map() };
  found = check(shape.selections, info) ? info : null;
  compiled.set(shape, found);
  return found;
}

function check(selections: readonly SelectionShape[], info: Streamable, names = new Set<string>()): boolean {
  for (const selection of selections) {
    const condition = selection.condition;
    if (condition && (typeof condition.skip === 'string' || typeof condition.include === 'string')) info.readsVariables = true;
    if (selection.kind === 'fragment') {
      // A fragment's fields land in the enclosing object: they share its set of names.
      if (!check(selection.selections, info, names)) return false;
      continue;
    }
    if (selection.introspection || names.has(selection.responseName)) return false;
    names.add(selection.responseName);
    const key = JSON.stringify(selection.responseName) + ':';
    info.keys.set(selection, { first: key, next: ',' + key });
    if (selection.selections && !check(selection.selections, info)) return false;
  }
  return true;
}

interface Writer {
  text: string;
  /** No field written yet in the object being written. */
  first: boolean;
  schema: Schema;
  variables: JsonMap;
  info: Streamable;
}

/**
 * The JSON text of the client's `data`, exactly as `JSON.stringify(shapeResponse(...).data)` writes it, or undefined
 * when this answer needs shapeResponse (a null or a value to report, or a shape written in two passes).
 */
export function serializeData(shape: ResponseShape, input: JsonMap, variables: JsonMap | undefined): string | undefined {
  const info = streamable(shape);
  if (!info) return undefined;
  const w: Writer = {
    text: '',
    first: true,
    schema: shape.schema,
    variables: info.readsVariables && variables ? { ...shape.defaultedVariables, ...variables } : shape.defaultedVariables,
    info,
  };
  return writeObject(w, input, shape.selections, shape.rootType) ? w.text : undefined;
}

function writeObject(w: Writer, input: JsonMap, selections: readonly SelectionShape[], parentType: CompositeType): boolean {
  w.text += '{';
  w.first = true;
  if (!writeFields(w, input, selections, parentType)) return false;
  w.text += '}';
  w.first = false;
  return true;
}

function skipped(w: Writer, condition: NonNullable<SelectionShape['condition']>): boolean {
  const value = (v: boolean | string) => (typeof v === 'boolean' ? v : w.variables[v] === true);
  return (condition.skip !== undefined && value(condition.skip)) || (condition.include !== undefined && !value(condition.include));
}

/** Own properties only, as shape.ts reads them (a response name such as `constructor` must not reach Object). */
function own(object: JsonMap, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function writeFields(w: Writer, input: JsonMap, selections: readonly SelectionShape[], parentType: CompositeType): boolean {
  for (let i = 0; i < selections.length; i++) {
    const selection = selections[i];
    if (selection.condition !== undefined && skipped(w, selection.condition)) continue;
    if (selection.kind === 'fragment') {
      const condition = selection.typeCondition;
      if (condition === undefined || applies(w, condition, input.__typename, parentType)) {
        if (!writeFields(w, input, selection.selections, condition ?? parentType)) return false;
      }
      continue;
    }
    const name = selection.responseName;
    const key = w.info.keys.get(selection)!;
    let value = own(input, name) ?? null;
    if (selection.typename) {
      if (value === null && name !== '__typename') value = input.__typename ?? null;
      const type = typeof value === 'string' ? (w.schema.type(value) ?? parentType) : parentType;
      if (type.kind !== 'ObjectType') return false;
      w.text += (w.first ? key.first : key.next) + JSON.stringify(type.name);
      w.first = false;
      continue;
    }
    w.text += w.first ? key.first : key.next;
    w.first = false;
    if (!writeValue(w, selection.type, value, selection.selections)) return false;
    w.first = false;
  }
  return true;
}

function applies(w: Writer, condition: CompositeType, typename: unknown, parentType: CompositeType): boolean {
  if (typeof typename !== 'string' || typename === '') return isSubtype(condition, parentType);
  let byTypename = w.info.conditions.get(condition);
  if (!byTypename) w.info.conditions.set(condition, (byTypename = new Map()));
  let result = byTypename.get(typename);
  if (result === undefined) {
    const type = w.schema.type(typename);
    result = !!type && isSubtype(condition, type);
    // Typenames come from subgraphs: only the schema's own names are remembered, so the cache stays bounded.
    if (type) byTypename.set(typename, result);
  }
  return result;
}

function writeValue(w: Writer, type: TypeShape, value: unknown, selections: SelectionShape[] | undefined): boolean {
  let nonNull = false;
  if (type.kind === 'nonNull') {
    nonNull = true;
    type = type.of;
  }
  if (value === null || value === undefined) {
    // A null where none may be: shapeResponse reports it and nulls the nearest nullable parent.
    if (nonNull) return false;
    w.text += 'null';
    return true;
  }
  switch (type.kind) {
    case 'list': {
      if (!Array.isArray(value)) return false;
      w.text += '[';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) w.text += ',';
        if (!writeValue(w, type.of, value[i], selections)) return false;
      }
      w.text += ']';
      return true;
    }
    case 'composite': {
      if (typeof value !== 'object' || Array.isArray(value)) return false;
      const object = value as JsonMap;
      const typename = object.__typename;
      let objectType = type.type;
      if (typeof typename === 'string' && typename !== '') {
        const found = w.schema.type(typename);
        if (!found || (found.kind !== 'ObjectType' && found.kind !== 'InterfaceType' && found.kind !== 'UnionType')) return false;
        objectType = found;
      }
      return writeObject(w, object, selections ?? [], objectType);
    }
    case 'leaf': {
      if (!validLeaf(w.schema, value, type.type)) return false;
      w.text += JSON.stringify(value);
      return true;
    }
    default:
      // A non-null directly inside a non-null does not occur in GraphQL types.
      return false;
  }
}

/** isValidLeafValue, with the common case (a string for a String, ID or custom scalar) decided without calls. */
function validLeaf(schema: Schema, value: unknown, type: Extract<TypeShape, { kind: 'leaf' }>['type']): boolean {
  if (typeof value === 'string' && type.kind === 'ScalarType') {
    const name = type.name;
    if (name === 'String' || name === 'ID') return true;
  }
  return isValidLeafValue(schema, value, type as Parameters<typeof isValidLeafValue>[2]);
}
