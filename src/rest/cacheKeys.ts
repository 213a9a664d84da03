// The keys of every REST cache, in one place so they can be audited together. Each is the JSON of an array, so two
// different inputs can never share a key whatever characters they contain (a key made by joining strings with a
// separator collides as soon as a value contains the separator).
//   callKey   → per-request identical-GET dedupe (the calls DataLoader) and the cross-request cacheTtl LRU
//   entityKey → the per-request entity DataLoaders, and matching a batch answer to the entities it was asked for
// (dataSource.ts's document cache is keyed by the whole subgraph query, no concatenation; entity loaders are kept
// per connector coordinate, a schema name.)
import type { UpstreamRequest } from './upstream';

/** Everything that can change the answer: method, origin, path, every header but the request id, body. */
export function callKey(origin: string, request: UpstreamRequest, requestIdHeader: string): string {
  const headers = Object.keys(request.headers)
    .filter((name) => name !== requestIdHeader)
    .sort()
    .map((name) => [name, request.headers[name]]);
  return JSON.stringify([request.method, origin, request.path, headers, request.body ?? null]);
}

/**
 * An entity's key-field values. Scalars are compared as text on purpose — a batch answer may spell an ID as the
 * number 7 where the representation has "7", and the path sends both as "7" — but an object value (a custom scalar)
 * is kept apart as its JSON in an array, so it can't meet another object or the string "[object Object]".
 */
export function entityKey(keys: readonly string[], entity: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    keys.map((key) => {
      const value = entity[key];
      if (value === null || value === undefined) return null;
      return typeof value === 'object' ? [JSON.stringify(value)] : String(value);
    }),
  );
}
