// The request pipeline, top to bottom. handleGraphQL.ts runs these stages in this order; each line says
// where the stage lives and which error codes it may answer with (see src/errors.ts and docs/errors.md).
//
//   receive       src/server/, graphqlParams.ts   method, CORS, CSRF, body limit, JSON, request id
//                 → BAD_REQUEST, METHOD_NOT_ALLOWED, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, CSRF_PREVENTED
//   parse         analyzeOperation.ts             parse with token limit, choose operation, depth/alias/root-field limits
//                 (cached per query text)         → GRAPHQL_PARSE_FAILED, MAX_TOKENS_LIMIT, MAX_DEPTH_LIMIT,
//                                                   MAX_ALIASES_LIMIT, MAX_ROOT_FIELDS_LIMIT, METHOD_NOT_ALLOWED (GET mutation)
//   authenticate  context.ts                      who is calling → Principal (anonymous for now)
//   policy        src/policy/                     decisions on the operation before any subgraph is called
//   dedupe        src/execute/inflight.ts         identical queries in flight share one execution
//   plan+execute  src/execute/engine.ts           @apollo/gateway plan (cached per operation), subgraph calls
//                 subgraphDataSource.ts           → GRAPHQL_VALIDATION_FAILED, SUBGRAPH_UNAVAILABLE, SUBGRAPH_TIMEOUT,
//                                                   SUBGRAPH_BAD_RESPONSE (partial data), SUPERGRAPH_NOT_READY
//   respond       handleGraphQL.ts                status, headers (request id, CORS), body
//   record        src/telemetry/                  logs; never fails a request
export const PIPELINE_STAGES = ['receive', 'parse', 'authenticate', 'policy', 'dedupe', 'execute', 'respond', 'record'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];
