// Puts `null` where a policy removed a field, following GraphQL's non-null propagation: a removed non-null
// field nulls its parent object, and so on up. Also strips the __typename helper the rewrite added.
import { getNullableType, isListType, isNonNullType, type GraphQLOutputType } from 'graphql';
import type { PathSegment } from './walk';
import { TYPENAME_HELPER } from './rewrite';

type Json = null | string | number | boolean | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Applies each removal to `data`; returns the new root (null when propagation reached it). */
export function nullRemovedFields(
  data: JsonObject | null | undefined,
  removals: ReadonlyArray<readonly PathSegment[]>,
  typenameHelperAdded: boolean,
): JsonObject | null | undefined {
  if (!data) return data;
  for (const segments of removals) {
    if (nullField(data, segments, 0)) return null;
  }
  if (typenameHelperAdded) stripHelper(data);
  return data;
}

/** Sets the field at segments[i] (and below) to null in `parent`; true when `parent` must become null. */
function nullField(parent: JsonObject, segments: readonly PathSegment[], i: number): boolean {
  const segment = segments[i];
  const onlyTypes = segment.onlyTypes;
  if (onlyTypes) {
    const typename = parent[TYPENAME_HELPER] ?? parent.__typename;
    if (typeof typename === 'string' && !onlyTypes.has(typename)) return false;
  }
  if (i === segments.length - 1) {
    const added = !Object.hasOwn(parent, segment.key);
    setOwn(parent, segment.key, null);
    // The executed query lacked the field, so its key landed last: put it back where the operation asks for it.
    if (added && segment.siblingKeys) reorder(parent, segment.siblingKeys);
    return isNonNullType(segment.type);
  }
  // Own properties only: a client may alias a field `__proto__`, and `parent.__proto__` must never lead to the prototype.
  const value = Object.hasOwn(parent, segment.key) ? parent[segment.key] : undefined;
  if (value === null || value === undefined) return false;
  if (nullValue(value, segment.type, segments, i)) {
    setOwn(parent, segment.key, null);
    return isNonNullType(segment.type);
  }
  return false;
}

/** Descends through list wrappers to the objects at segments[i]; true when `value` itself must become null. */
function nullValue(value: Json, type: GraphQLOutputType, segments: readonly PathSegment[], i: number): boolean {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return false;
    const itemType = nullable.ofType as GraphQLOutputType;
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (item === null) continue;
      if (nullValue(item, itemType, segments, i)) {
        if (isNonNullType(itemType)) return true;
        value[index] = null;
      }
    }
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return nullField(value, segments, i + 1);
}

/** Rewrites `object`'s keys in `order` (keys not in it keep their relative order, after). Only on patched objects. */
function reorder(object: JsonObject, order: readonly string[]): void {
  const entries = Object.entries(object);
  const rank = new Map(order.map((key, index) => [key, index]));
  const sorted = [...entries].sort(([a], [b]) => (rank.get(a) ?? order.length) - (rank.get(b) ?? order.length));
  if (sorted.every(([key], index) => key === entries[index][0])) return;
  for (const [key] of entries) delete object[key];
  for (const [key, value] of sorted) setOwn(object, key, value);
}

/** `object[key] = value` as an own property even for `__proto__` (a response name a client may choose). */
function setOwn(object: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** Removes the `__typename` helper the policy rewrite added, everywhere in `value`. */
export function stripHelper(value: Json): void {
  if (Array.isArray(value)) {
    for (const item of value) stripHelper(item);
  } else if (value !== null && typeof value === 'object') {
    if (TYPENAME_HELPER in value) delete value[TYPENAME_HELPER];
    for (const key in value) {
      const child = value[key];
      if (child !== null && typeof child === 'object') stripHelper(child);
    }
  }
}
