// The request pipeline as data: each stage (in the order handleGraphQL.ts runs them), where it lives and the error
// codes it owns; then the surfaces outside the pipeline (admin, subscriptions). test/stage-table.test.ts ties every
// code of src/errors.ts to exactly one owner and checks docs/architecture.md's tables against this one.
import type { ErrorCode } from '../errors';

export interface StageEntry {
  /** The name the docs table uses (first column of docs/architecture.md's stage and surface tables). */
  readonly stage: string;
  /** `stage`: a step every GraphQL request over HTTP passes; `surface`: an entry point beside the pipeline. */
  readonly kind: 'stage' | 'surface';
  /** Files and folders (from the repository root) that implement it. */
  readonly where: readonly string[];
  /** Codes this stage is the one source of; every code in src/errors.ts is owned by exactly one entry. */
  readonly owns: readonly ErrorCode[];
  /** Codes it may also answer with that another entry owns (e.g. BAD_REQUEST for a malformed persisted id). */
  readonly also?: readonly ErrorCode[];
  /** Its errors come with the rest of the data (HTTP 200), never as a request-level rejection. */
  readonly partial?: true;
}

export const STAGE_TABLE = [
  {
    stage: 'receive',
    kind: 'stage',
    where: ['src/server/', 'src/pipeline/graphqlParams.ts'],
    owns: ['BAD_REQUEST', 'METHOD_NOT_ALLOWED', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'REQUEST_TIMEOUT', 'CSRF_PREVENTED', 'OPERATION_NAME_TOO_LONG', 'NOT_FOUND'],
  },
  {
    stage: 'persisted',
    kind: 'stage',
    where: ['src/persisted/'],
    owns: ['PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_HASH_MISMATCH', 'PERSISTED_QUERY_NOT_IN_LIST', 'PERSISTED_QUERY_ID_REQUIRED'],
    also: ['BAD_REQUEST'],
  },
  {
    stage: 'parse',
    kind: 'stage',
    where: ['src/pipeline/analyzeOperation.ts', 'src/policy/operationShape.ts'],
    owns: [
      'GRAPHQL_PARSE_FAILED',
      'OPERATION_RESOLUTION_FAILURE',
      'SUBSCRIPTION_NOT_SUPPORTED',
      'MAX_TOKENS_LIMIT',
      'MAX_DEPTH_LIMIT',
      'MAX_ALIASES_LIMIT',
      'MAX_ROOT_FIELDS_LIMIT',
      'MAX_FIELDS_LIMIT',
    ],
    also: ['METHOD_NOT_ALLOWED'],
  },
  { stage: 'authenticate', kind: 'stage', where: ['src/identity/'], owns: ['UNAUTHENTICATED'] },
  {
    stage: 'policy',
    kind: 'stage',
    where: ['src/policy/stage.ts', 'src/policy/operationPlan.ts', 'src/policy/walk.ts', 'src/policy/authorization/'],
    owns: ['UNAUTHORIZED_FIELD_OR_TYPE'],
    // An operation too large for the walk (limits.maxFields off) is refused, never judged in part.
    also: ['MAX_FIELDS_LIMIT'],
  },
  { stage: 'policy: cost', kind: 'stage', where: ['src/policy/cost/'], owns: ['COST_ESTIMATED_TOO_EXPENSIVE', 'COST_QUERY_PARSE_FAILURE'] },
  {
    stage: 'policy: limits',
    kind: 'stage',
    where: ['src/policy/ratelimit/', 'src/policy/store/'],
    owns: ['RATE_LIMITED', 'COST_BUDGET_EXCEEDED', 'RATE_LIMIT_STORE_UNAVAILABLE'],
  },
  { stage: 'dedupe', kind: 'stage', where: ['src/execute/inflight.ts'], owns: [] },
  {
    stage: 'plan + execute',
    kind: 'stage',
    where: ['src/execute/engine.ts', 'src/execute/plan/'],
    owns: ['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'SUPERGRAPH_NOT_READY', 'QUERY_PLANNING_FAILED', 'INVALID_GRAPHQL', 'INTERNAL_SERVER_ERROR'],
  },
  // Answers as the engine does, per part.
  { stage: '@defer', kind: 'stage', where: ['src/incremental/'], owns: [] },
  {
    stage: 'subgraph calls',
    kind: 'stage',
    where: ['src/execute/subgraphDataSource.ts', 'src/execute/httpClient.ts', 'src/execute/headerRules.ts'],
    owns: ['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT', 'SUBGRAPH_BAD_RESPONSE'],
    partial: true,
  },
  {
    stage: 'REST calls',
    kind: 'stage',
    where: ['src/rest/'],
    owns: ['REST_NOT_FOUND', 'REST_UPSTREAM_ERROR', 'REST_TIMEOUT', 'REST_UNAVAILABLE', 'REST_BAD_RESPONSE', 'REST_MAPPING_ERROR'],
    partial: true,
  },
  {
    stage: 'respond',
    kind: 'stage',
    where: ['src/pipeline/respond.ts', 'src/pipeline/handleGraphQL.ts', 'src/policy/patchResponse.ts', 'src/policy/settle.ts'],
    owns: [],
  },
  // Never fails a request.
  { stage: 'record', kind: 'stage', where: ['src/telemetry/'], owns: [] },
  {
    stage: 'admin',
    kind: 'surface',
    where: ['src/admin/', 'src/admin/router.ts', 'src/admin/auth.ts', 'src/admin/publishRoutes.ts'],
    owns: [
      'ADMIN_UNAUTHENTICATED',
      'ADMIN_FORBIDDEN',
      'ADMIN_UNAVAILABLE',
      'COMPOSITION_FAILED',
      'BREAKING_CHANGES',
      'PUBLISH_CONFLICT',
      'HISTORY_ENTRY_NOT_FOUND',
      'PUBLISH_NOT_CONFIGURED',
      'REGISTRY_UNAVAILABLE',
    ],
    also: ['NOT_FOUND', 'METHOD_NOT_ALLOWED', 'BAD_REQUEST', 'REQUEST_TIMEOUT', 'PAYLOAD_TOO_LARGE', 'INTERNAL_SERVER_ERROR'],
  },
  {
    // Over WebSocket / SSE / multipart HTTP: the request-level codes above (authenticate, persisted, parse, policy) on
    // subscribe, the connection caps and the WebSocket Origin check, then these in the stream, after which the
    // subscription completes.
    stage: 'subscriptions',
    kind: 'surface',
    where: ['src/subscriptions/'],
    owns: ['SUBSCRIPTION_LIMIT_EXCEEDED', 'SUBSCRIPTION_CONNECTION_LIMIT_EXCEEDED', 'ORIGIN_NOT_ALLOWED', 'SUBSCRIPTION_TOKEN_EXPIRED', 'SUBSCRIPTION_SCHEMA_RELOAD', 'SUBSCRIPTION_CLIENT_TOO_SLOW'],
    also: ['UNAUTHENTICATED', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_BAD_RESPONSE', 'INTERNAL_SERVER_ERROR'],
  },
] as const satisfies readonly StageEntry[];

export type StageName = (typeof STAGE_TABLE)[number]['stage'];

/** The codes a stage may answer with: the ones it owns and the ones it borrows. */
export type CodesOf<S extends StageName> =
  Extract<(typeof STAGE_TABLE)[number], { stage: S }> extends infer E
    ? E extends { owns: readonly (infer O)[] }
      ? O | (E extends { also: readonly (infer A)[] } ? A : never)
      : never
    : never;

/** The one entry that owns a code. */
export function ownerOf(code: ErrorCode): StageEntry {
  const owner = (STAGE_TABLE as readonly StageEntry[]).find((entry) => entry.owns.includes(code));
  if (!owner) throw new Error(`${code} has no owner in STAGE_TABLE`); // test/stage-table.test.ts rules this out
  return owner;
}
