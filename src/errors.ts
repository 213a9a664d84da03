// Every error code Tollgate emits, in one table: code → HTTP status and meaning.
// Codes are API: never rename or reuse one (docs/errors.md lists them; test/errors-doc.test.ts keeps both in step).
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export const ERROR_CODES = {
  // receive
  BAD_REQUEST: { status: 400, meaning: 'The HTTP request is not a GraphQL request: malformed JSON, no query, wrong field types.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'HTTP method not allowed, or a mutation sent with GET.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'POST body is not application/json.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body exceeds `server.bodyLimit`.' },
  REQUEST_TIMEOUT: { status: 408, meaning: 'The request body did not arrive within `server.bodyTimeout` (a client that promises more than it sends).' },
  CSRF_PREVENTED: {
    status: 400,
    meaning: 'A request a browser could send without a CORS preflight; add `content-type: application/json` or an `apollo-require-preflight` header.',
  },
  NOT_FOUND: { status: 404, meaning: 'No route at this path.' },
  // parse / validate
  GRAPHQL_PARSE_FAILED: { status: 400, meaning: 'The query is not valid GraphQL syntax.' },
  OPERATION_RESOLUTION_FAILURE: {
    status: 400,
    meaning: 'The request does not name exactly one operation of its document: none in it, several and no `operationName`, or an `operationName` that names none.',
  },
  OPERATION_NAME_TOO_LONG: { status: 400, meaning: '`operationName` is longer than `limits.maxOperationNameLength`.' },
  SUBSCRIPTION_NOT_SUPPORTED: { status: 400, meaning: 'A subscription sent as a plain HTTP request (JSON answer); subscribe over WebSocket (`graphql-transport-ws`) or Server-Sent Events instead (docs/subscriptions.md).' },
  BAD_USER_INPUT: { status: 400, meaning: "The request's variables do not fit the operation's declared types (Apollo Server's code, kept by both executors)." },
  GRAPHQL_VALIDATION_FAILED: { status: 400, meaning: 'The query does not validate against the schema (also: introspection disabled).' },
  MAX_TOKENS_LIMIT: { status: 400, meaning: 'The query has more lexical tokens than `limits.maxTokens`.' },
  MAX_DEPTH_LIMIT: { status: 400, meaning: 'The operation nests deeper than `limits.maxDepth`.' },
  MAX_ALIASES_LIMIT: { status: 400, meaning: 'The operation uses more aliases than `limits.maxAliases`.' },
  MAX_ROOT_FIELDS_LIMIT: { status: 400, meaning: 'The operation selects more root fields than `limits.maxRootFields`.' },
  MAX_FIELDS_LIMIT: {
    status: 400,
    meaning: 'The operation selects more fields than `limits.maxFields` once its fragments are expanded (a fragment spread n times counts n times).',
  },
  // authenticate
  UNAUTHENTICATED: { status: 401, meaning: 'Credentials were sent but are not valid: bad signature, expired, wrong issuer or audience, `alg: none`, malformed header, unknown API key.' },
  // policy
  UNAUTHORIZED_FIELD_OR_TYPE: {
    status: 403,
    meaning: 'The caller may not see a field (@authenticated, @requiresScopes, @policy). In `filter` mode the field is null and the rest is returned (HTTP 200); in `reject` mode the request fails with 403.',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 400, meaning: 'Hash-only (APQ) requests are not accepted: every request must carry its query, so policies can check it.' },
  // persisted operations (src/persisted/, docs/persisted-operations.md)
  PERSISTED_QUERY_NOT_FOUND: {
    status: 200,
    meaning: 'The id is neither in the manifest nor registered (APQ): send the query text with the id to register it. Answered as Apollo Server does (HTTP 200, `cache-control: private, no-cache, must-revalidate`), so Apollo Client retries with the text.',
  },
  PERSISTED_QUERY_HASH_MISMATCH: {
    status: 400,
    meaning: "The query text sent with an id is not that id's document: its SHA-256 is not the APQ hash, or it differs from the manifest operation with that id. Nothing is stored or run.",
  },
  PERSISTED_QUERY_NOT_IN_LIST: {
    status: 403,
    meaning: 'Safelist mode: only operations of the persisted-operation manifest run; this request sent text (or an id) that is not one of them.',
  },
  PERSISTED_QUERY_ID_REQUIRED: {
    status: 400,
    meaning: 'Safelist mode with `requireId`: operations run by id only; a request that sends text without an id is refused, even when the text is a manifest operation.',
  },
  RATE_LIMITED: {
    status: 429,
    meaning: 'A field is over its rate limit (@rateLimit or `rateLimits.fields`). With `onLimit: filter` the field is null and the rest is returned (HTTP 200); with `reject` the request fails with 429, `Retry-After` and `RateLimit-*` headers.',
  },
  COST_ESTIMATED_TOO_EXPENSIVE: {
    status: 400,
    meaning: "The operation's estimated cost is over the plan's `cost.max`, or over its whole budget per window; the same operation always is, so retrying does not help.",
  },
  COST_BUDGET_EXCEEDED: { status: 429, meaning: "The client's cost budget for the current window is spent; `Retry-After` says when it refills." },
  COST_QUERY_PARSE_FAILURE: {
    status: 400,
    meaning: "The operation's cost can't be estimated: a @listSize field needs exactly one slicing argument (`requireOneSlicingArgument`), or a slicing argument's value is not a whole number from 0 to 2147483647.",
  },
  RATE_LIMIT_STORE_UNAVAILABLE: { status: 503, meaning: 'The rate-limit store (Redis) is unreachable and `store.onUnavailable` is `closed`: requests that need a limit or budget are refused.' },
  // execute
  SUBGRAPH_UNAVAILABLE: { status: 200, meaning: 'A subgraph could not be reached (connection refused or reset). Other data is returned.' },
  SUBGRAPH_TIMEOUT: { status: 200, meaning: 'A subgraph did not answer within its timeout. Other data is returned.' },
  SUBGRAPH_BAD_RESPONSE: {
    status: 200,
    meaning:
      'A subgraph answered with a non-2xx status, a body that is not a GraphQL JSON response, or one larger than `traffic.maxResponseSize`; or it sent more than `traffic.maxErrorsPerResponse` errors (the rest are dropped). Other data is returned.',
  },
  // execute: REST connectors (src/rest/), always with the rest of the data
  REST_NOT_FOUND: { status: 200, meaning: 'A REST service answered 404 for this field or entity; the field is null. Other data is returned.' },
  REST_UPSTREAM_ERROR: { status: 200, meaning: 'A REST service answered another non-2xx status (after retries for GET). Other data is returned.' },
  REST_UNAVAILABLE: { status: 200, meaning: 'A REST service could not be reached (connection refused or reset, after retries for GET). Other data is returned.' },
  REST_TIMEOUT: { status: 200, meaning: 'A REST service did not answer within its timeout (after retries for GET). Other data is returned.' },
  REST_BAD_RESPONSE: { status: 200, meaning: 'A REST service answered 2xx with a body that is not JSON (e.g. an HTML page). Other data is returned.' },
  REST_MAPPING_ERROR: {
    status: 200,
    meaning: "A REST service's JSON does not fit the connector's selection or the field's type, or a request could not be built from it. Other data is returned.",
  },
  // admin endpoint: publishing supergraphs (src/publish/, docs/publishing.md)
  ADMIN_UNAUTHENTICATED: { status: 401, meaning: 'An /admin request without a valid admin key (`authorization: Bearer <key>`, one of `publish.admin.keys`).' },
  ADMIN_FORBIDDEN: { status: 403, meaning: "The admin key may not do this: a key limited to some subgraphs may check and publish only those, and can't roll back." },
  COMPOSITION_FAILED: { status: 422, meaning: 'The candidate schema does not compose with the other subgraphs, or the gateway would refuse the supergraph; nothing was published.' },
  BREAKING_CHANGES: { status: 409, meaning: 'The candidate would break the API (or recently used operations); nothing was published. Publish with `allowBreaking` to ship it anyway.' },
  PUBLISH_CONFLICT: { status: 409, meaning: 'Other publishes kept landing while this one was being checked; try again.' },
  HISTORY_ENTRY_NOT_FOUND: { status: 404, meaning: 'The rollback target is not in the history (or is what is served now).' },
  PUBLISH_NOT_CONFIGURED: { status: 409, meaning: 'This gateway composes `supergraph.rover` itself; publishing needs `supergraph.file` or `supergraph.redis`.' },
  REGISTRY_UNAVAILABLE: { status: 503, meaning: 'The registry store (supergraph folder or Redis) or rover.yaml could not be read or written.' },
  // subscriptions (src/subscriptions/, docs/subscriptions.md): sent in the stream, then the subscription completes
  SUBSCRIPTION_LIMIT_EXCEEDED: { status: 429, meaning: 'The client already holds `subscriptions.maxPerClient` open subscriptions on this instance; end one first.' },
  SUBSCRIPTION_TOKEN_EXPIRED: { status: 401, meaning: 'The token a subscription was authenticated with has expired; the subscription ends. Reconnect with a fresh token.' },
  SUBSCRIPTION_SCHEMA_RELOAD: { status: 200, meaning: 'The supergraph was reloaded, so open subscriptions end (as Apollo Router does); resubscribe to run on the new one.' },
  SUBSCRIPTION_CLIENT_TOO_SLOW: { status: 200, meaning: 'The client read events more slowly than they came: over `subscriptions.maxBufferedEvents` waited, so its subscription was ended and the buffer freed.' },
  SUBSCRIPTION_CONNECTION_LIMIT_EXCEEDED: { status: 429, meaning: 'The client already holds `subscriptions.maxConnectionsPerClient` open subscription connections (WebSockets, SSE and multipart streams) on this instance; close one first.' },
  ORIGIN_NOT_ALLOWED: { status: 403, meaning: 'A WebSocket upgrade from a browser page whose Origin is neither the gateway itself nor one of `server.cors.origins` (cross-site WebSocket hijacking).' },
  // gateway state
  SUPERGRAPH_NOT_READY: { status: 503, meaning: 'No supergraph is loaded yet (see `/ready`).' },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'A bug in Tollgate; the log has the details under the request id.' },
  QUERY_PLANNING_FAILED: {
    status: 200,
    meaning: "`planner: hive`: Hive Router's planner found no way to resolve the (valid) operation across the subgraphs, e.g. a field only a non-resolvable key or @interfaceObject reaches; `data` is null Other refusals of Hive's planner are planned by @apollo/query-planner instead, unless `plannerFallback: false`.",
  },
  INVALID_GRAPHQL: {
    status: 200,
    meaning: "A subgraph's value does not fit the field's type (null for a non-null field, an unknown `__typename`, a bad scalar); the field is null (non-null propagation) and the rest is returned, as @apollo/gateway does.",
  },
  ADMIN_UNAVAILABLE: { status: 503, meaning: 'An operations page (`/metrics`, `/admin/dashboard`, `/admin/metering`) could not build its answer; the log has the details.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes once shipped and since withdrawn: never used again for anything else (test/stage-table.test.ts). */
export const RETIRED_CODES: readonly string[] = [];

/** A GraphQL error with a stable `extensions.code` from the table above. */
export function tollgateError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  path?: ReadonlyArray<string | number>,
): GraphQLError {
  return new GraphQLError(message, { path, extensions: { code, ...extensions } });
}

/** The HTTP status a request-level rejection with this code is answered with. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/**
 * One coded error as it goes into a response's `errors` list (a field a policy removed, a refusal's error); the
 * `path` key only when there is one, so the JSON is what graphql-js would print.
 */
export function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, path?: ReadonlyArray<string | number>): GraphQLFormattedError {
  return path ? { message, path, extensions: { code, ...extensions } } : { message, extensions: { code, ...extensions } };
}

/** A request-level refusal: its code, the HTTP status the table gives that code, the errors and what goes with them. */
export interface Rejection {
  code: ErrorCode;
  status: number;
  errors: GraphQLFormattedError[];
  headers: ReadonlyArray<readonly [string, string]>;
  /** Top-level `extensions` of the answer (e.g. `cost`). */
  extensions?: Record<string, unknown>;
}

/** The one constructor of refusals: the status always comes from the code. */
export function rejection(
  code: ErrorCode,
  errors: GraphQLFormattedError[],
  headers: ReadonlyArray<readonly [string, string]> = [],
  extensions?: Record<string, unknown>,
): Rejection {
  return { code, status: httpStatusOf(code), errors, headers, ...(extensions ? { extensions } : {}) };
}

/** A response body holding only errors, as sent when a request is rejected before execution. */
export function errorBody(errors: GraphQLFormattedError[]): string {
  return JSON.stringify({ errors });
}

/** Formats one request-level rejection: `{ errors: [{ message, extensions: { code } }] }`. */
export function rejectionBody(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): string {
  return errorBody([{ message, extensions: { code, ...extensions } }]);
}
