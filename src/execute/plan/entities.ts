// The data side of entity fetches, as @apollo/gateway does it: representations selected from `requires` (with
// a dedupe key written on the way), the planner's input/output rewrites, and the in-place merge of answers.
import { isTypeCondition, type PathSegment, type RequiresSelection, type Rewrite } from './planNodes';
import { isAbstractType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

type JsonMap = Record<string, unknown>;

function own(object: JsonMap, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/**
 * The dedupe key of a representation, written while it is selected: each value length-prefixed (prefix-free), with a
 * marker per list, null and applied fragment, so within one fetch two keys are equal only for equal representations.
 * Cheaper than JSON.stringify of the finished object (CONVENTIONS.md, "Executing query plans").
 */
export interface KeyBuffer {
  key: string;
}

function keyOf(value: unknown): string {
  if (typeof value === 'string') return `s${value.length}:${value}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value === 'number' ? 'n' : 'b'}${String(value)};`;
  if (value === null || value === undefined) return '~';
  const text = JSON.stringify(value);
  return `j${text.length}:${text}`;
}

/** A representation: the entity's values for the fetch's `requires` selections; null when one is missing. */
export function selectRequires(schema: GraphQLSchema, source: JsonMap | null, selections: readonly RequiresSelection[], keyed: KeyBuffer): JsonMap | null {
  if (source === null || source === undefined) {
    keyed.key += '~';
    return null;
  }
  const result: JsonMap = {};
  for (let i = 0; i < selections.length; i++) {
    const selection = selections[i];
    if (selection.kind === 'Field') {
      const name = selection.alias ?? selection.name;
      // Hive plans read a value under another key than they write it (`read`); Apollo's read and write one key.
      const value = own(source, selection.read ?? name);
      if (value === undefined) {
        // Ends this object's part of the key early, distinctly from any value.
        keyed.key += '!';
        return null;
      }
      const sub = selection.selections;
      if (Array.isArray(value)) {
        keyed.key += `[${value.length};`;
        result[name] = value.map((v) => (sub ? selectRequires(schema, v as JsonMap | null, sub, keyed) : ((keyed.key += keyOf(v)), v)));
      } else if (sub) {
        result[name] = selectRequires(schema, value as JsonMap | null, sub, keyed);
      } else {
        keyed.key += keyOf(value);
        result[name] = value;
      }
    } else {
      if (!selection.typeCondition) continue;
      if (isObjectOfType(schema, source, selection.typeCondition)) {
        keyed.key += `f${i};`;
        deepMerge(result, selectRequires(schema, source, selection.selections, keyed));
      }
    }
  }
  return result;
}

export function isObjectOfType(schema: GraphQLSchema, object: JsonMap, typeCondition: string, defaultOnUnknown = false): boolean {
  const typename = object.__typename;
  if (!typename) return defaultOnUnknown;
  if (typename === typeCondition) return true;
  const type = schema.getType(String(typename));
  const condition = schema.getType(typeCondition);
  if (!type || !condition) return false;
  return isAbstractType(condition) && (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(condition, type);
}

const FRAGMENT_PREFIX = '... on ';

/** The planner's data rewrites (e.g. `__typename` set to an @interfaceObject's interface), as @apollo/gateway applies them. */
export function applyRewrites(schema: GraphQLSchema, rewrites: readonly Rewrite[] | undefined, value: unknown): void {
  if (!rewrites) return;
  for (const rewrite of rewrites) {
    if (rewrite.path.length === 0) continue;
    const last = rewrite.path[rewrite.path.length - 1];
    if (isTypeCondition(last)) continue;
    const apply = (object: JsonMap) => {
      if (rewrite.kind === 'ValueSetter') object[last] = rewrite.setValueTo;
      else {
        const at = own(object, last);
        if (at) {
          object[rewrite.renameKeyTo] = at;
          object[last] = undefined;
        }
      }
    };
    applyAtPath(schema, rewrite.path, 0, rewrite.path.length - 1, value, apply);
  }
}

function applyAtPath(schema: GraphQLSchema, path: readonly PathSegment[], at: number, end: number, value: unknown, apply: (object: JsonMap) => void): void {
  if (Array.isArray(value)) {
    for (const element of value) applyAtPath(schema, path, at, end, element, apply);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (at === end) {
    apply(value as JsonMap);
    return;
  }
  const element = path[at];
  if (isTypeCondition(element)) {
    if (matchesAny(schema, value as JsonMap, element.types)) applyAtPath(schema, path, at + 1, end, value, apply);
  } else if (element.startsWith(FRAGMENT_PREFIX)) {
    if (isObjectOfType(schema, value as JsonMap, element.slice(FRAGMENT_PREFIX.length), true)) applyAtPath(schema, path, at + 1, end, value, apply);
  } else {
    applyAtPath(schema, path, at + 1, end, own(value as JsonMap, element), apply);
  }
}

/** Hive's `TypenameEquals` / `TypeCondition`: the object is of one of the types (or a subtype); unknown when no __typename. */
export function matchesAny(schema: GraphQLSchema, object: JsonMap, types: readonly string[]): boolean {
  for (const type of types) if (isObjectOfType(schema, object, type, true)) return true;
  return false;
}

/** Merges `source` into `target` in place, as @apollo/gateway's deepMerge (same-length lists element by element). */
export function deepMerge(target: JsonMap, source: JsonMap | null | undefined): void {
  if (source === undefined || source === null) return;
  // for…in, not Object.keys: no array per object, and parsed JSON has only own enumerable keys.
  for (const key in source) {
    const value = source[key];
    if (value === undefined) continue;
    if (key === '__proto__') {
      // A client alias: an own property of the parsed answer. `target[key]` would be the prototype (and merging
      // into it would pollute Object.prototype); keep it an own data property.
      mergeOwnProto(target, value);
      continue;
    }
    // Own properties only: a response name like `constructor` must not reach Object (and `prototype` below it).
    const existing = own(target, key);
    if (existing && isPlainObject(value)) {
      deepMerge(existing as JsonMap, value as JsonMap);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isPlainObject(existing[i]) && isPlainObject(value[i])) deepMerge(existing[i] as JsonMap, value[i] as JsonMap);
        else existing[i] = value[i];
      }
    } else {
      target[key] = value;
    }
  }
}

function mergeOwnProto(target: JsonMap, value: unknown): void {
  const existing = own(target, '__proto__');
  if (existing && isPlainObject(existing) && isPlainObject(value)) deepMerge(existing as JsonMap, value as JsonMap);
  else if (Array.isArray(existing) && Array.isArray(value) && existing.length === value.length) deepMerge({ list: existing }, { list: value });
  else Object.defineProperty(target, '__proto__', { value, writable: true, enumerable: true, configurable: true });
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
