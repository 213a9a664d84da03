// The pure side of @defer answers: which policy removals belong to which part of a split operation, and the
// `incremental` items (GraphQL incremental delivery, deferSpec=20220824: `{ data, path, label?, errors? }`) made
// from a deferred part's result, placed at the objects the initial payload delivered.
import type { GraphQLFormattedError } from 'graphql';
import type { PolicyRemoval } from '../policy/stage';
import { selectsPath, type DeferSplit } from './splitDefer';

type JsonMap = Record<string, unknown>;

export interface IncrementalItem {
  data: JsonMap | null;
  path: Array<string | number>;
  label?: string;
  errors?: GraphQLFormattedError[];
}

export interface ClassifiedRemovals {
  primary: PolicyRemoval[];
  /** By part id. */
  parts: Map<string, PolicyRemoval[]>;
}

/**
 * Assigns each removal to the pieces whose operation selects it, judged on the split of the operation the policies
 * walked (the removed fields are still in it): the primary, a deferred part, or several when the client selected the
 * same field in both (each answer then carries the null and its error, as each would without the other).
 */
export function classifyRemovals(original: DeferSplit, removals: readonly PolicyRemoval[]): ClassifiedRemovals {
  const classified: ClassifiedRemovals = { primary: [], parts: new Map() };
  for (const removal of removals) {
    const keys = removal.segments.map((s) => s.key);
    let placed = false;
    if (selectsPath(original.primarySelectionSet, keys)) {
      classified.primary.push(removal);
      placed = true;
    }
    for (const part of original.parts) {
      if (!selectsPath(part.selectionSet, keys)) continue;
      let list = classified.parts.get(part.id);
      if (!list) classified.parts.set(part.id, (list = []));
      list.push(removal);
      placed = true;
    }
    // Not found in any piece cannot happen for a removal the walk made; keep its error visible rather than lose it.
    if (!placed) classified.primary.push(removal);
  }
  return classified;
}

/** Every concrete path (list indices filled in) where the initial payload has an object at `path`. */
export function objectPaths(data: unknown, path: readonly string[]): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  const walk = (value: unknown, at: number, prefix: Array<string | number>) => {
    if (value === null || value === undefined || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((element, index) => walk(element, at, [...prefix, index]));
      return;
    }
    if (at === path.length) {
      found.push(prefix);
      return;
    }
    const key = path[at];
    if (Object.prototype.hasOwnProperty.call(value, key)) walk((value as JsonMap)[key], at + 1, [...prefix, key]);
  };
  walk(data, 0, []);
  return found;
}

function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/**
 * The items for one deferred part: one per object the initial payload has at the part's path. Each takes the part's
 * object at the same place; where the part's own answer is null there (a non-null field of the fragment failed and
 * the null reached the fragment) the item's data is null, per the spec's rule that a deferred fragment's errors stay
 * in its payload. The part's errors go with its first item (or a `data: null` item when nothing could be placed).
 */
export function incrementalItems(
  initialData: unknown,
  part: { path: readonly string[]; label?: string; typeCondition?: string },
  partData: unknown,
  errors: readonly GraphQLFormattedError[] | undefined,
): IncrementalItem[] {
  const items: IncrementalItem[] = [];
  for (const path of objectPaths(initialData, part.path)) {
    const value = valueAt(partData, path);
    const data = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonMap) : null;
    // A type condition this object does not meet: the fragment adds nothing here.
    if (data && part.typeCondition && Object.keys(data).length === 0) continue;
    items.push(part.label === undefined ? { data, path } : { data, path, label: part.label });
  }
  if (errors && errors.length > 0) {
    if (items.length > 0) items[0].errors = [...errors];
    else {
      const path = [...part.path];
      items.push(part.label === undefined ? { data: null, path, errors: [...errors] } : { data: null, path, label: part.label, errors: [...errors] });
    }
  }
  return items;
}
