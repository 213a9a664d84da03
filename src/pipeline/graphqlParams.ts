// Turns an HTTP request (GET query string or POST JSON body) into GraphQL params, per GraphQL over HTTP.
// Pure: returns params or a BAD_REQUEST reason; nothing here throws on client input.
import type { GraphQLParams } from '../execute/engine';

export type ParamsResult = { ok: true; params: GraphQLParams } | { ok: false; message: string };

export function paramsFromJsonBody(text: string): ParamsResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Request body is not valid JSON: ${(error as Error).message}` };
  }
  if (Array.isArray(body)) return { ok: false, message: 'Batched requests (a JSON array) are not supported; send one operation per request.' };
  if (body === null || typeof body !== 'object') return { ok: false, message: 'Request body must be a JSON object with a "query".' };
  return checkParams(body as Record<string, unknown>);
}

export function paramsFromSearch(search: URLSearchParams): ParamsResult {
  const raw: Record<string, unknown> = {};
  for (const key of ['query', 'operationName'] as const) {
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
  return checkParams(raw);
}

function checkParams(raw: Record<string, unknown>): ParamsResult {
  const { query, operationName, variables, extensions } = raw;
  if (query !== undefined && query !== null && typeof query !== 'string') return { ok: false, message: '"query" must be a string.' };
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return { ok: false, message: '"operationName" must be a string.' };
  }
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return { ok: false, message: '"variables" must be an object.' };
  if (extensions !== undefined && extensions !== null && !isPlainObject(extensions)) return { ok: false, message: '"extensions" must be an object.' };
  const hasPersistedQuery = isPlainObject(extensions) && 'persistedQuery' in extensions;
  if ((typeof query !== 'string' || query.trim() === '') && !hasPersistedQuery) {
    return { ok: false, message: 'The request has no "query" (a non-empty GraphQL document string is required).' };
  }
  // Only keys the client sent: Apollo Server rejects `"extensions": undefined` as "not an object".
  const params: GraphQLParams = {};
  if (typeof query === 'string') params.query = query;
  if (typeof operationName === 'string') params.operationName = operationName;
  if (isPlainObject(variables)) params.variables = variables;
  if (isPlainObject(extensions)) params.extensions = extensions;
  return { ok: true, params };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
