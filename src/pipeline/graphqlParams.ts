// Turns an HTTP request (GET query string or POST JSON body) into GraphQL params, per GraphQL over HTTP.
// Pure: returns params or a BAD_REQUEST reason; nothing here throws on client input.
import type { GraphQLParams } from './request';

/** `documentId`: a persisted document's id (GraphQL over HTTP, persisted documents), resolved by src/persisted/. */
export type ParamsResult = { ok: true; params: GraphQLParams; documentId?: string } | { ok: false; message: string };

/** `maxDepth`: deepest nesting of `variables` / `extensions` accepted (later stages serialise and walk them). */
export function paramsFromJsonBody(text: string, maxDepth = DEFAULT_MAX_DEPTH): ParamsResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Request body is not valid JSON: ${(error as Error).message}` };
  }
  if (Array.isArray(body)) return { ok: false, message: 'Batched requests (a JSON array) are not supported; send one operation per request.' };
  if (body === null || typeof body !== 'object') return { ok: false, message: 'Request body must be a JSON object with a "query".' };
  return checkParams(body as Record<string, unknown>, maxDepth);
}

export function paramsFromSearch(search: URLSearchParams, maxDepth = DEFAULT_MAX_DEPTH): ParamsResult {
  const raw: Record<string, unknown> = {};
  for (const key of ['query', 'operationName', 'documentId', 'doc_id'] as const) {
    const value = search.get(key);
    if (value !== null) raw[key] = value;
  }
  for (const key of ['variables', 'extensions'] as const) {
    const value = search.get(key);
    if (value === null || value === '') continue;
    try {
      raw[key] = JSON.parse(value);
    } catch {
      return { ok: false, message: `The "${key}" query parameter is not valid JSON.` };
    }
  }
  return checkParams(raw, maxDepth);
}

const DEFAULT_MAX_DEPTH = 64;

function checkParams(raw: Record<string, unknown>, maxDepth: number): ParamsResult {
  const { query, operationName, variables, extensions, doc_id: docId } = raw;
  let { documentId } = raw;
  if (query !== undefined && query !== null && typeof query !== 'string') return { ok: false, message: '"query" must be a string.' };
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return { ok: false, message: '"operationName" must be a string.' };
  }
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return { ok: false, message: '"variables" must be an object.' };
  if (extensions !== undefined && extensions !== null && !isPlainObject(extensions)) return { ok: false, message: '"extensions" must be an object.' };
  for (const [name, value] of [['variables', variables], ['extensions', extensions]] as const) {
    if (jsonDepthExceeds(value, maxDepth)) return { ok: false, message: `"${name}" nests deeper than ${maxDepth} levels (limits.maxVariablesDepth).` };
  }
  if (documentId !== undefined && documentId !== null && typeof documentId !== 'string') return { ok: false, message: '"documentId" must be a string.' };
  // Relay's network layers send `doc_id` (relay.dev, persisted queries): the same id under its older name.
  if (docId !== undefined && docId !== null) {
    if (typeof docId !== 'string') return { ok: false, message: '"doc_id" must be a string.' };
    if (typeof documentId === 'string' && documentId !== docId) return { ok: false, message: '"documentId" and "doc_id" name different operations.' };
    documentId = docId;
  }
  const hasPersistedQuery = (isPlainObject(extensions) && 'persistedQuery' in extensions) || typeof documentId === 'string';
  if ((typeof query !== 'string' || query.trim() === '') && !hasPersistedQuery) {
    return { ok: false, message: 'The request has no "query" (a non-empty GraphQL document string is required).' };
  }
  // Only keys the client sent: Apollo Server rejects `"extensions": undefined` as "not an object".
  const params: GraphQLParams = {};
  if (typeof query === 'string') params.query = query;
  // An empty name is no name (GraphQL names are never empty): the document's only operation is meant.
  if (typeof operationName === 'string' && operationName !== '') params.operationName = operationName;
  if (isPlainObject(variables)) params.variables = variables;
  if (isPlainObject(extensions)) params.extensions = extensions;
  return typeof documentId === 'string' ? { ok: true, params, documentId } : { ok: true, params };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether JSON nests deeper than `max` objects/arrays; iterative, so hostile nesting can't overflow the stack here. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
