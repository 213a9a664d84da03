// Writes the client's `data` as JSON text straight from the merged subgraph data, walking the compiled response
// shape (./shape.ts) — no shaped copy of the tree and no JSON.stringify of it. It is the happy path only: anything
// that needs shape.ts's rules for errors (a null in a non-null position, an invalid value or __typename, a malformed
// merged tree) makes it give up (undefined), and the caller runs shapeResponse + JSON.stringify, which decide.
import { isSubtype as isSubtypeExport, isValidLeafValue as isValidLeafValueExport, type CompositeType, type Schema } from '../../apollo';
import type { FieldShape, ResponseShape, SelectionShape, TypeShape } from './shape';

// Re-exports compile to getters (../../apollo, then the package's index): read once, not on every call.
const isSubtype = isSubtypeExport;
const isValidLeafValue = isValidLeafValueExport;

type JsonMap = Record<string, unknown>;

/** What the serialiser precomputes for one shape (kept beside it in a WeakMap: the shape stays a plain compiled form). */
interface Streamable {
  /** Whether some @skip/@include reads a variable (only then are the variables merged with their defaults). */
  readsVariables: boolean;
  /** `"responseName":` per field, with and without the leading comma. */
  keys: Map<FieldShape, { first: string; next: string }>;
  /** Type condition → object typename → whether the fragment applies (isSubtype, cached). */
  conditions: Map<CompositeType, Map<string, boolean>>;
  /** Bytes to allocate for the next answer: the last one's size. */
  sizeHint: number;
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
  const info: Streamable = { readsVariables: false, keys: new Map(), conditions: new Map(), sizeHint: MIN_SIZE_HINT };
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
  /** The answer's bytes so far (UTF-8), `pos` of them written. */
  buf: Buffer;
  pos: number;
  /** No field written yet in the object being written. */
  first: boolean;
  schema: Schema;
  variables: JsonMap;
  info: Streamable;
}

/**
 * `prefix`, then the client's `data` as JSON exactly as `JSON.stringify(shapeResponse(...).data)` writes it, then
 * `suffix`, as UTF-8 bytes; undefined when this answer needs shapeResponse (a null or a value to report, or a shape
 * written in two passes). Bytes, not a string: a string built piece by piece is a rope of thousands of parts that
 * V8 must flatten and then encode, which cost more than the walk itself.
 */
export function serializeData(shape: ResponseShape, input: JsonMap, variables: JsonMap | undefined, prefix = '', suffix = ''): Buffer | undefined {
  const info = streamable(shape);
  if (!info) return undefined;
  const w: Writer = {
    buf: Buffer.allocUnsafe(info.sizeHint),
    pos: 0,
    first: true,
    schema: shape.schema,
    variables: info.readsVariables && variables ? { ...shape.defaultedVariables, ...variables } : shape.defaultedVariables,
    info,
  };
  ascii(w, prefix);
  if (!writeObject(w, input, shape.selections, shape.rootType)) return undefined;
  ascii(w, suffix);
  // The next answer for this operation starts with room for one this size (bounded, so one huge answer does not
  // make every later one allocate as much).
  info.sizeHint = Math.min(MAX_SIZE_HINT, Math.max(MIN_SIZE_HINT, w.pos + 1024));
  return w.buf.subarray(0, w.pos);
}

const MIN_SIZE_HINT = 4096;
const MAX_SIZE_HINT = 1 << 20;

function ensure(w: Writer, bytes: number): void {
  if (w.pos + bytes <= w.buf.length) return;
  const grown = Buffer.allocUnsafe(Math.max(w.buf.length * 2, w.pos + bytes));
  w.buf.copy(grown, 0, 0, w.pos);
  w.buf = grown;
}

/** Text known to be ASCII needing no escapes: keys (GraphQL names), numbers, punctuation. */
function ascii(w: Writer, text: string): void {
  const length = text.length;
  ensure(w, length);
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < length; i++) buf[pos++] = text.charCodeAt(i);
  w.pos = pos;
}

/** Any JSON text, through Node's UTF-8 encoder. */
function utf8(w: Writer, text: string): void {
  ensure(w, Buffer.byteLength(text, 'utf8'));
  w.pos += w.buf.write(text, w.pos, 'utf8');
}

/** What JSON.stringify would escape, or what is not one byte in UTF-8. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NOT_PLAIN = /["\\\u0000-\u001f\u007f-\uffff]/;
/** Below this length a string is copied byte by byte; above, one regular-expression scan and one native copy win. */
const SHORT_STRING = 32;

/** A string value as JSON: printable ASCII copied as is; anything else as JSON.stringify escapes it. */
function string(w: Writer, value: string): void {
  const length = value.length;
  if (length >= SHORT_STRING) {
    if (NOT_PLAIN.test(value)) return utf8(w, JSON.stringify(value));
    ensure(w, length + 2);
    const buf = w.buf;
    buf[w.pos] = 0x22;
    buf.write(value, w.pos + 1, length, 'latin1');
    buf[w.pos + 1 + length] = 0x22;
    w.pos += length + 2;
    return;
  }
  ensure(w, length + 2);
  const buf = w.buf;
  let pos = w.pos;
  buf[pos++] = 0x22;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return utf8(w, JSON.stringify(value));
    buf[pos++] = c;
  }
  buf[pos++] = 0x22;
  w.pos = pos;
}

/** A leaf as JSON.stringify writes it. */
function leaf(w: Writer, value: unknown): void {
  if (typeof value === 'string') string(w, value);
  else if (typeof value === 'number') ascii(w, JSON.stringify(value));
  else if (value === true) ascii(w, 'true');
  else if (value === false) ascii(w, 'false');
  else utf8(w, JSON.stringify(value));
}

function writeObject(w: Writer, input: JsonMap, selections: readonly SelectionShape[], parentType: CompositeType): boolean {
  ascii(w, '{');
  w.first = true;
  if (!writeFields(w, input, selections, parentType)) return false;
  ascii(w, '}');
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
      ascii(w, w.first ? key.first : key.next);
      string(w, type.name);
      w.first = false;
      continue;
    }
    ascii(w, w.first ? key.first : key.next);
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
    ascii(w, 'null');
    return true;
  }
  switch (type.kind) {
    case 'list': {
      if (!Array.isArray(value)) return false;
      ascii(w, '[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) ascii(w, ',');
        if (!writeValue(w, type.of, value[i], selections)) return false;
      }
      ascii(w, ']');
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
      leaf(w, value);
      return true;
    }
    default:
      // A non-null directly inside a non-null does not occur in GraphQL types.
      return false;
  }
}

/**
 * isValidLeafValue (federation-internals' values.ts), with the built-in scalars' common cases decided here: a string
 * for String or ID, a boolean for Boolean, an integer for Int or ID (its `^-?(?:0|[1-9][0-9]*)$` test of String(value)
 * holds exactly for integers below 1e21 in magnitude), a finite number for Float. Everything else asks it.
 */
function validLeaf(schema: Schema, value: unknown, type: Extract<TypeShape, { kind: 'leaf' }>['type']): boolean {
  if (type.kind === 'ScalarType') {
    switch (type.name) {
      case 'String':
        if (typeof value === 'string') return true;
        break;
      case 'ID':
        if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21)) return true;
        break;
      case 'Int':
        if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21) return true;
        break;
      case 'Float':
        if (typeof value === 'number' && Number.isFinite(value)) return true;
        break;
      case 'Boolean':
        if (typeof value === 'boolean') return true;
        break;
    }
  }
  return isValidLeafValue(schema, value, type as Parameters<typeof isValidLeafValue>[2]);
}
