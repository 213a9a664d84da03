// Writes the client's `data` as JSON text straight from the merged subgraph data, walking the compiled response
// shape (./shape.ts) — no shaped copy of the tree and no JSON.stringify of it. It is the happy path only: anything
// that needs shape.ts's rules for errors (a null in a non-null position, an invalid value or __typename, a malformed
// merged tree) makes it give up (undefined), and the caller runs shapeResponse + JSON.stringify, which decide.
import { isSubtype as isSubtypeExport, isValidLeafValue as isValidLeafValueExport, type CompositeType, type Schema } from '../../apollo';
import type { ResponseShape, SelectionShape, TypeShape } from './shape';

// Re-exports compile to getters (../../apollo, then the package's index): read once, not on every call.
const isSubtype = isSubtypeExport;
const isValidLeafValue = isValidLeafValueExport;

type JsonMap = Record<string, unknown>;
type Condition = NonNullable<SelectionShape['condition']>;

/** How a leaf is checked: the built-in scalars inline (validLeaf), anything else by isValidLeafValue. */
const enum Leaf {
  String,
  ID,
  Int,
  Float,
  Boolean,
  Other,
}

/** A field's type, precomputed from shape.ts's TypeShape: nullability folded into each level. */
type OutType =
  | { readonly kind: 'list'; readonly nonNull: boolean; readonly of: OutType }
  | { readonly kind: 'composite'; readonly nonNull: boolean; readonly type: CompositeType }
  | { readonly kind: 'leaf'; readonly nonNull: boolean; readonly leaf: Leaf; readonly type: Extract<TypeShape, { kind: 'leaf' }>['type'] };

/** A selection as the serialiser runs it: shape.ts's, with the key text and reads worked out once. */
type OutSelection =
  | {
      readonly kind: 'field';
      readonly condition?: Condition;
      readonly name: string;
      /** `"responseName":`, with and without the leading comma. */
      readonly first: string;
      readonly next: string;
      /** A name Object.prototype also has (`constructor`, `__proto__`…): read as an own property only. */
      readonly ownOnly: boolean;
      readonly typename: boolean;
      readonly type: OutType;
      readonly selections?: readonly OutSelection[];
    }
  | { readonly kind: 'fragment'; readonly condition?: Condition; readonly typeCondition?: CompositeType; readonly selections: readonly OutSelection[] };

/** What the serialiser precomputes for one shape (kept beside it in a WeakMap: the shape stays a plain compiled form). */
interface Streamable {
  selections: readonly OutSelection[];
  /** Whether some @skip/@include reads a variable (only then are the variables merged with their defaults). */
  readsVariables: boolean;
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
  const info: Streamable = { selections: [], readsVariables: false, conditions: new Map(), sizeHint: MIN_SIZE_HINT };
  const selections = compile(shape.selections, info);
  found = selections ? { ...info, selections } : null;
  compiled.set(shape, found);
  return found;
}

function compile(selections: readonly SelectionShape[], info: Streamable, names = new Set<string>()): OutSelection[] | undefined {
  const out: OutSelection[] = [];
  for (const selection of selections) {
    const condition = selection.condition;
    if (condition && (typeof condition.skip === 'string' || typeof condition.include === 'string')) info.readsVariables = true;
    if (selection.kind === 'fragment') {
      // A fragment's fields land in the enclosing object: they share its set of names.
      const inner = compile(selection.selections, info, names);
      if (!inner) return undefined;
      out.push({ kind: 'fragment', condition, typeCondition: selection.typeCondition, selections: inner });
      continue;
    }
    const name = selection.responseName;
    if (selection.introspection || names.has(name)) return undefined;
    names.add(name);
    let sub: OutSelection[] | undefined;
    if (selection.selections) {
      sub = compile(selection.selections, info);
      if (!sub) return undefined;
    }
    const type = compileType(selection.type, false);
    if (!type) return undefined;
    const key = JSON.stringify(name) + ':';
    out.push({ kind: 'field', condition, name, first: key, next: ',' + key, ownOnly: name in Object.prototype, typename: selection.typename, type, selections: sub });
  }
  return out;
}

function compileType(type: TypeShape, nonNull: boolean): OutType | undefined {
  switch (type.kind) {
    case 'nonNull':
      // A non-null directly inside a non-null does not occur in GraphQL types.
      return nonNull ? undefined : compileType(type.of, true);
    case 'list': {
      const of = compileType(type.of, false);
      return of && { kind: 'list', nonNull, of };
    }
    case 'composite':
      return { kind: 'composite', nonNull, type: type.type };
    case 'leaf':
      return { kind: 'leaf', nonNull, leaf: leafKind(type.type), type: type.type };
  }
}

function leafKind(type: Extract<TypeShape, { kind: 'leaf' }>['type']): Leaf {
  if (type.kind !== 'ScalarType') return Leaf.Other;
  switch (type.name) {
    case 'String':
      return Leaf.String;
    case 'ID':
      return Leaf.ID;
    case 'Int':
      return Leaf.Int;
    case 'Float':
      return Leaf.Float;
    case 'Boolean':
      return Leaf.Boolean;
    default:
      return Leaf.Other;
  }
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
  if (!writeObject(w, input, info.selections, shape.rootType)) return undefined;
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

/** One byte of punctuation. */
function byte(w: Writer, value: number): void {
  if (w.pos >= w.buf.length) ensure(w, 1);
  w.buf[w.pos++] = value;
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

/**
 * Copies a one-byte string into `buf` natively. Buffer#latin1Write is what `buf.write(…, 'latin1')` calls after
 * resolving its arguments and encoding name (5 % of the serialiser in a profile); it is not in Node's typings.
 */
const nativeLatin1Write = (Buffer.prototype as unknown as { latin1Write?: (text: string, offset: number, length: number) => number }).latin1Write;
function latin1Write(buf: Buffer, text: string, offset: number, length: number): void {
  if (nativeLatin1Write) nativeLatin1Write.call(buf, text, offset, length);
  else buf.write(text, offset, length, 'latin1');
}

/** A string value as JSON: printable ASCII copied as is; anything else as JSON.stringify escapes it. */
function string(w: Writer, value: string): void {
  const length = value.length;
  if (length >= SHORT_STRING) {
    if (NOT_PLAIN.test(value)) return utf8(w, JSON.stringify(value));
    ensure(w, length + 2);
    const buf = w.buf;
    buf[w.pos] = 0x22;
    latin1Write(buf, value, w.pos + 1, length);
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

function writeObject(w: Writer, input: JsonMap, selections: readonly OutSelection[], parentType: CompositeType): boolean {
  byte(w, 0x7b);
  w.first = true;
  if (!writeFields(w, input, selections, parentType)) return false;
  byte(w, 0x7d);
  w.first = false;
  return true;
}

function skipped(w: Writer, condition: Condition): boolean {
  const { skip, include } = condition;
  if (skip !== undefined && (typeof skip === 'boolean' ? skip : w.variables[skip] === true)) return true;
  return include !== undefined && !(typeof include === 'boolean' ? include : w.variables[include] === true);
}

/** Own properties only, as shape.ts reads them (a response name such as `constructor` must not reach Object). */
function own(object: JsonMap, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function writeFields(w: Writer, input: JsonMap, selections: readonly OutSelection[], parentType: CompositeType): boolean {
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
    const name = selection.name;
    // Any other name is read directly: parsed JSON objects inherit nothing else from Object.prototype.
    let value = (selection.ownOnly ? own(input, name) : input[name]) ?? null;
    ascii(w, w.first ? selection.first : selection.next);
    w.first = false;
    if (selection.typename) {
      if (value === null && name !== '__typename') value = input.__typename ?? null;
      const type = typeof value === 'string' ? (w.schema.type(value) ?? parentType) : parentType;
      if (type.kind !== 'ObjectType') return false;
      string(w, type.name);
      continue;
    }
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

function writeValue(w: Writer, type: OutType, value: unknown, selections: readonly OutSelection[] | undefined): boolean {
  if (value === null || value === undefined) {
    // A null where none may be: shapeResponse reports it and nulls the nearest nullable parent.
    if (type.nonNull) return false;
    ascii(w, 'null');
    return true;
  }
  switch (type.kind) {
    case 'list': {
      if (!Array.isArray(value)) return false;
      byte(w, 0x5b);
      for (let i = 0; i < value.length; i++) {
        if (i > 0) byte(w, 0x2c);
        if (!writeValue(w, type.of, value[i], selections)) return false;
      }
      byte(w, 0x5d);
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
    case 'leaf':
      return writeLeaf(w, type, value);
  }
}

/**
 * A leaf, checked as isValidLeafValue (federation-internals' values.ts) checks it, then written as JSON.stringify
 * writes it. The built-in scalars' common cases are decided here: a string for String or ID, a boolean for Boolean,
 * an integer for Int or ID (its `^-?(?:0|[1-9][0-9]*)$` test of String(value) holds exactly for integers below 1e21
 * in magnitude), a finite number for Float. Everything else asks isValidLeafValue.
 */
function writeLeaf(w: Writer, type: Extract<OutType, { kind: 'leaf' }>, value: unknown): boolean {
  switch (type.leaf) {
    case Leaf.String:
      if (typeof value === 'string') return string(w, value), true;
      break;
    case Leaf.ID:
      if (typeof value === 'string') return string(w, value), true;
      if (isInteger(value)) return ascii(w, JSON.stringify(value)), true;
      break;
    case Leaf.Int:
      if (isInteger(value)) return ascii(w, JSON.stringify(value)), true;
      break;
    case Leaf.Float:
      if (typeof value === 'number' && Number.isFinite(value)) return ascii(w, JSON.stringify(value)), true;
      break;
    case Leaf.Boolean:
      if (typeof value === 'boolean') return ascii(w, value ? 'true' : 'false'), true;
      break;
  }
  if (!isValidLeafValue(w.schema, value, type.type as Parameters<typeof isValidLeafValue>[2])) return false;
  leaf(w, value);
  return true;
}

function isInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21;
}
