// Bounds what one parsed subgraph answer may hand to @apollo/gateway: its shape is checked, its error list cut to
// `maxErrors`, each kept error normalised. Its size was bounded before (httpCall, `traffic.maxResponseSize`).
// Why here: the gateway's executeQueryPlan does `context.errors.push(...errors)` and builds a GraphQLError per error
// (200,000 errors stalled the event loop for seconds, then overflowed the stack), spreads each error's `extensions`
// into an object (a string there becomes one key per character), and merges `data` and each `_entities` item with
// Object.keys (a string or an array there, likewise). None of that can be changed from outside, so it is fed only
// what it handles in bounded work. Pure: the data source turns problems and drop counts into coded errors.
import { type GatewayGraphQLResponse } from '../apollo';
import type { GraphQLFormattedError } from 'graphql';

/** An error path longer than this is no response path (operations are limited far below it): it is dropped. */
export const MAX_ERROR_PATH_LENGTH = 512;

export type BoundedResponse =
  | { ok: true; response: GatewayGraphQLResponse; errorCount: number; dropped: number }
  | { ok: false; problem: string };

const MALFORMED_ERROR = 'The subgraph returned a malformed error';

/** `parsed` is the JSON of a body already known to be an object with `data` or `errors`. */
export function boundSubgraphResponse(parsed: Record<string, unknown>, maxErrors: number): BoundedResponse {
  const { data, errors, extensions } = parsed;
  if (data !== undefined && data !== null && !isPlainObject(data)) return { ok: false, problem: '`data` is not an object' };
  const entities = data ? data._entities : undefined;
  if (entities !== undefined && entities !== null) {
    if (!Array.isArray(entities)) return { ok: false, problem: '`data._entities` is not a list' };
    for (const entity of entities) if (entity !== null && !isPlainObject(entity)) return { ok: false, problem: '`data._entities` holds a value that is not an object' };
  }
  if (errors !== undefined && errors !== null && !Array.isArray(errors)) return { ok: false, problem: '`errors` is not a list' };

  const response: GatewayGraphQLResponse = {};
  if (data !== undefined) response.data = data;
  if (isPlainObject(extensions)) response.extensions = extensions;
  const errorCount = errors ? errors.length : 0;
  if (errors && errorCount > 0) {
    const kept = errorCount > maxErrors ? errors.slice(0, maxErrors) : errors;
    for (let i = 0; i < kept.length; i++) kept[i] = normalizeError(kept[i]);
    response.errors = kept as GraphQLFormattedError[];
  }
  return { ok: true, response, errorCount, dropped: Math.max(0, errorCount - maxErrors) };
}

/**
 * The error that follows the kept ones when an answer had more than `max`: it counts the dropped rest. The data and
 * the kept errors still count; the answer as a whole was abusive, hence SUBGRAPH_BAD_RESPONSE.
 */
export function droppedErrorsError(subgraph: string, total: number, max: number): GraphQLFormattedError {
  return {
    message: `Subgraph "${subgraph}" answered with ${total} errors; the first ${max} are kept, ${total - max} dropped (traffic.maxErrorsPerResponse)`,
    extensions: { code: 'SUBGRAPH_BAD_RESPONSE', subgraph, droppedErrors: total - max, maxErrorsPerResponse: max },
  };
}

/** The error as is when it is well-formed (the common case allocates nothing), else what can be kept of it. */
function normalizeError(error: unknown): GraphQLFormattedError {
  if (!isPlainObject(error)) return { message: MALFORMED_ERROR };
  const { message, path, extensions } = error;
  const messageOk = typeof message === 'string';
  const pathOk = path === undefined || isResponsePath(path);
  const extensionsOk = extensions === undefined || isPlainObject(extensions);
  if (messageOk && pathOk && extensionsOk) return error as unknown as GraphQLFormattedError;
  const fixed: { message: string; path?: Array<string | number>; extensions?: Record<string, unknown> } = { message: messageOk ? message : MALFORMED_ERROR };
  if (pathOk && path !== undefined) fixed.path = path as Array<string | number>;
  if (extensionsOk && extensions !== undefined) fixed.extensions = extensions as Record<string, unknown>;
  return fixed;
}

function isResponsePath(path: unknown): boolean {
  if (!Array.isArray(path) || path.length > MAX_ERROR_PATH_LENGTH) return false;
  for (const segment of path) if (typeof segment !== 'string' && !Number.isInteger(segment)) return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
