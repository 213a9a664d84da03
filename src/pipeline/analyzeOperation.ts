// The parse stage: parse (with a token limit), resolve exactly one executable operation, measure its shape against
// the limits. Cached per (query text, operation name) under a collision-free key, so repeated operations cost one
// map lookup per request. A request that does not resolve to exactly one operation is refused here: nothing that
// the policy stage has not judged may reach the engine.
import { GraphQLError, Kind, parse, type DocumentNode, type OperationDefinitionNode, type OperationTypeNode } from 'graphql';
import type { TollgateConfig } from '../config/schema';
import type { ErrorCode } from '../errors';
import { sha256Hex } from '../identity/apiKeys';
import { checkOperationLimits, measureOperation } from '../policy/operationShape';
import { cacheKey } from '../util/cacheKey';
import { LruCache } from '../util/lru';

export type OperationAnalysis =
  /** `hash`: SHA-256 (hex) of the query text, for logs, traces and metrics (computed once per cached entry). */
  | { kind: 'ok'; operationType: OperationTypeNode; document: DocumentNode; operation: OperationDefinitionNode; hash: string }
  | { kind: 'rejected'; code: ErrorCode; message: string; extensions?: Record<string, unknown>; locations?: GraphQLError['locations'] };

/** Queries longer than this are analysed every time rather than cached (they're rare and would crowd the cache). */
/** Longer query texts are analysed every time rather than cached (a cache of client texts must stay bounded in bytes). */
export const MAX_CACHED_QUERY_LENGTH = 64 * 1024;

export class OperationAnalyzer {
  private readonly cache = new LruCache<string, OperationAnalysis>(2000);

  /** `subscriptions`: accept subscription operations (the WebSocket / SSE entry, src/subscriptions/). */
  constructor(
    private readonly limits: TollgateConfig['limits'],
    private readonly options: { subscriptions?: boolean } = {},
  ) {}

  analyze(query: string, operationName: string | undefined): OperationAnalysis {
    const key = cacheKey(operationName, query);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const analysis = analyzeOperation(query, operationName, this.limits, this.options);
    if (query.length <= MAX_CACHED_QUERY_LENGTH) this.cache.set(key, analysis);
    return analysis;
  }
}

const LIMIT_MESSAGES = {
  MAX_DEPTH_LIMIT: (actual: number, max: number) => `The operation nests ${actual} levels deep; the limit is ${max} (limits.maxDepth).`,
  MAX_ALIASES_LIMIT: (actual: number, max: number) => `The operation uses ${actual} aliases; the limit is ${max} (limits.maxAliases).`,
  MAX_ROOT_FIELDS_LIMIT: (actual: number, max: number) => `The operation selects ${actual} root fields; the limit is ${max} (limits.maxRootFields).`,
  MAX_FIELDS_LIMIT: (actual: number, max: number) =>
    `The operation selects ${actual} fields once its fragments are expanded; the limit is ${max} (limits.maxFields).`,
} as const;

export function analyzeOperation(query: string, operationName: string | undefined, limits: TollgateConfig['limits'], options: { subscriptions?: boolean } = {}): OperationAnalysis {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens > 0 ? limits.maxTokens : undefined, noLocation: false });
  } catch (error) {
    const graphqlError = error as GraphQLError;
    // graphql-js 16 words it "contains more that N tokens" (sic); match both spellings.
    if (/Document contains more (?:than|that) \d+ tokens/.test(graphqlError.message)) {
      return {
        kind: 'rejected',
        code: 'MAX_TOKENS_LIMIT',
        message: `The query has more than ${limits.maxTokens} tokens (limits.maxTokens).`,
        extensions: { max: limits.maxTokens },
      };
    }
    return { kind: 'rejected', code: 'GRAPHQL_PARSE_FAILED', message: graphqlError.message, locations: graphqlError.locations };
  }

  const resolved = resolveOperation(document, operationName);
  if (typeof resolved === 'string') return { kind: 'rejected', code: 'OPERATION_RESOLUTION_FAILURE', message: resolved };
  const operation = resolved;
  if (operation.operation === 'subscription' && !options.subscriptions) {
    return { kind: 'rejected', code: 'SUBSCRIPTION_NOT_SUPPORTED', message: 'Subscriptions are served over WebSocket (graphql-transport-ws) and Server-Sent Events (accept: text/event-stream), not as a plain HTTP request.' };
  }

  const violation = checkOperationLimits(measureOperation(document, operation), limits);
  if (violation) {
    return { kind: 'rejected', code: violation.code, message: LIMIT_MESSAGES[violation.code](violation.actual, violation.max), extensions: { actual: violation.actual, max: violation.max } };
  }
  return { kind: 'ok', operationType: operation.operation, document, operation, hash: sha256Hex(query) };
}

/**
 * The one operation a request runs (GraphQL spec, GetOperation): by name when a name is given, else the only one.
 * Returns why not otherwise. The name is the client's string: it is quoted in the message only when it is short.
 */
export function resolveOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | string {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 0) return 'The document contains no operation.';
  if (operationName === undefined) {
    return operations.length === 1 ? operations[0] : 'The document contains several operations: send "operationName" to choose one.';
  }
  const named = operations.filter((o) => o.name?.value === operationName);
  if (named.length === 1) return named[0];
  if (named.length > 1) return `The document contains several operations named "${operationName}".`;
  return /^[_A-Za-z][_0-9A-Za-z]{0,127}$/.test(operationName) ? `Unknown operation named "${operationName}".` : 'Unknown operation: "operationName" names no operation in the document.';
}
