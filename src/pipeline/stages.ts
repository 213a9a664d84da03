// The request pipeline, top to bottom. handleGraphQL.ts runs these stages in this order; each line says
// where the stage lives and which error codes it may answer with (see src/errors.ts and docs/errors.md).
//
//   receive       src/server/, graphqlParams.ts   method, CORS, CSRF, body limit and deadline, JSON (depth-checked), request id
//                 → BAD_REQUEST, METHOD_NOT_ALLOWED, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, REQUEST_TIMEOUT,
//                   CSRF_PREVENTED, OPERATION_NAME_TOO_LONG
//   (persisted)   src/persisted/                  the text to run from an APQ hash, `documentId` or manifest id, per the caller's
//                                                 mode (off/apq/safelist/audit); then parsed and judged like sent text
//                 → PERSISTED_QUERY_NOT_SUPPORTED, PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_HASH_MISMATCH,
//                   PERSISTED_QUERY_NOT_IN_LIST, BAD_REQUEST (malformed id)
//   parse         analyzeOperation.ts             parse with token limit, resolve exactly one operation, depth/alias/
//                 (cached per query text and      root-field/field limits → GRAPHQL_PARSE_FAILED, OPERATION_RESOLUTION_FAILURE,
//                 operation name)                   SUBSCRIPTION_NOT_SUPPORTED, MAX_TOKENS_LIMIT, MAX_DEPTH_LIMIT, MAX_ALIASES_LIMIT,
//                                                   MAX_ROOT_FIELDS_LIMIT, MAX_FIELDS_LIMIT, METHOD_NOT_ALLOWED (GET mutation)
//   authenticate  src/identity/                   who is calling → Principal; client IP (trusted proxies) → UNAUTHENTICATED
//   policy        src/policy/                     decisions on the operation before any subgraph is called: authorization,
//                                                 cost estimate + maximum, rate limits + budget (one atomic store call)
//                                                 → UNAUTHORIZED_FIELD_OR_TYPE, COST_ESTIMATED_TOO_EXPENSIVE, COST_QUERY_PARSE_FAILURE,
//                                                   RATE_LIMITED, COST_BUDGET_EXCEEDED, RATE_LIMIT_STORE_UNAVAILABLE
//   dedupe        src/execute/inflight.ts         identical queries in flight share one execution
//   plan+execute  src/execute/engine.ts           @apollo/gateway plan (cached per operation), subgraph calls
//                 subgraphDataSource.ts           → GRAPHQL_VALIDATION_FAILED, SUBGRAPH_UNAVAILABLE, SUBGRAPH_TIMEOUT,
//                                                   SUBGRAPH_BAD_RESPONSE (partial data), SUPERGRAPH_NOT_READY
//   respond       handleGraphQL.ts, settle.ts     actual cost + budget reconciliation (per request), status, headers
//                                                 (request id, CORS, RateLimit-*), body
//   record        src/telemetry/                  one RequestRecord per request to the hub: metrics, access log, billing
//                                                 metering, live windows (dashboard, alerts), request span; operation
//                                                 usage (telemetry/usage/) for `tollgate check`; never fails a request
export const PIPELINE_STAGES = ['receive', 'parse', 'authenticate', 'policy', 'dedupe', 'execute', 'respond', 'record'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];
