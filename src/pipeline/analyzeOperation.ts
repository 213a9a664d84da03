// The parse stage: parse (with a token limit), pick the operation, measure its shape against the limits.
// Cached per (query text, operation name), so repeated operations cost one map lookup per request.
import { GraphQLError, Kind, parse, type DocumentNode, type OperationDefinitionNode, type OperationTypeNode } from 'graphql';
import type { TollgateConfig } from '../config/schema';
import type { ErrorCode } from '../errors';
import { sha256Hex } from '../identity/apiKeys';
import { checkOperationLimits, measureOperation } from '../policy/operationShape';
import { LruCache } from '../util/lru';

export type OperationAnalysis =
  /** `hash`: SHA-256 (hex) of the query text, for logs, traces and metrics (computed once per cached entry). */
  | { kind: 'ok'; operationType: OperationTypeNode; document: DocumentNode; operation: OperationDefinitionNode; hash: string }
  /** The operation can't be chosen (none, several without a name, unknown name): Apollo Server reports it. */
  | { kind: 'unresolved'; hash: string }
  | { kind: 'rejected'; code: ErrorCode; message: string; extensions?: Record<string, unknown>; locations?: GraphQLError['locations'] };

/** Queries longer than this are analysed every time rather than cached (they're rare and would crowd the cache). */
const MAX_CACHED_QUERY_LENGTH = 64 * 1024;

export class OperationAnalyzer {
  private readonly cache = new LruCache<string, OperationAnalysis>(2000);

  constructor(private readonly limits: TollgateConfig['limits']) {}

  analyze(query: string, operationName: string | undefined): OperationAnalysis {
    const key = operationName ? `${operationName}\u0000${query}` : query;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const analysis = analyzeOperation(query, operationName, this.limits);
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

export function analyzeOperation(query: string, operationName: string | undefined, limits: TollgateConfig['limits']): OperationAnalysis {
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

  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return { kind: 'unresolved', hash: sha256Hex(query) };

  const violation = checkOperationLimits(measureOperation(document, operation), limits);
  if (violation) {
    return { kind: 'rejected', code: violation.code, message: LIMIT_MESSAGES[violation.code](violation.actual, violation.max), extensions: { actual: violation.actual, max: violation.max } };
  }
  return { kind: 'ok', operationType: operation.operation, document, operation, hash: sha256Hex(query) };
}
