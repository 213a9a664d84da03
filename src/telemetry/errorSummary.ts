// What the errors in a GraphQL answer say, for the record stage: how many per service and per code, and
// whether data came with them. Built once per answer (and only when it has errors), shared by deduped requests.
import type { GraphQLFormattedError } from 'graphql';
import { cacheKey } from '../util/cacheKey';
import { MAX_LABEL_LENGTH, truncate } from '../util/bounded';

export interface ErrorSummary {
  total: number;
  /** Errors by `extensions.serviceName` (the subgraph or REST service); `gateway` for Tollgate's own. */
  bySubgraph: Readonly<Record<string, number>>;
  /** Errors by `extensions.code` (`UNKNOWN` without one). */
  byCode: Readonly<Record<string, number>>;
  /** [service, code, count] for each pair that occurred. */
  pairs: ReadonlyArray<readonly [string, string, number]>;
  /** The answer carried data beside the errors (a partial answer). */
  hasData: boolean;
}

export const GATEWAY_SERVICE = 'gateway';

export function summarizeErrors(errors: ReadonlyArray<GraphQLFormattedError>, hasData: boolean): ErrorSummary {
  const bySubgraph: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  const pairs = new Map<string, [string, string, number]>();
  for (const error of errors) {
    const extensions = error.extensions;
    const service = typeof extensions?.serviceName === 'string' ? truncate(extensions.serviceName, MAX_LABEL_LENGTH) : GATEWAY_SERVICE;
    // Subgraphs choose their codes: bounded, as they become log fields and metric labels.
    const code = typeof extensions?.code === 'string' ? truncate(extensions.code, MAX_LABEL_LENGTH) : 'UNKNOWN';
    bySubgraph[service] = (bySubgraph[service] ?? 0) + 1;
    byCode[code] = (byCode[code] ?? 0) + 1;
    const key = cacheKey(service, code);
    const pair = pairs.get(key);
    if (pair) pair[2] += 1;
    else pairs.set(key, [service, code, 1]);
  }
  return { total: errors.length, bySubgraph, byCode, pairs: [...pairs.values()], hasData };
}

const rejections = new Map<string, ErrorSummary>();

/** The summary of a request-level rejection: one gateway error with this code (cached per code). */
export function rejectionSummary(code: string): ErrorSummary {
  let summary = rejections.get(code);
  if (!summary) {
    summary = Object.freeze({ total: 1, bySubgraph: { [GATEWAY_SERVICE]: 1 }, byCode: { [code]: 1 }, pairs: [[GATEWAY_SERVICE, code, 1] as const], hasData: false });
    rejections.set(code, summary);
  }
  return summary;
}
