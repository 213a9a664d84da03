// What the policy stage hands back to the pipeline: go on (with the query to run, removals, headers, the cost
// settlement) or refuse. Refusals are built here only, from a code the stage table gives the policy stages, so the
// HTTP status always comes from src/errors.ts.
import type { GraphQLFormattedError } from 'graphql';
import { rejection, type Rejection } from '../errors';
import type { CodesOf } from '../pipeline/stages';
import type { CostSettlement } from './cost/policy';
import type { PathSegment } from './walk';

/** The codes the policy stages (authorization, cost, limits) may refuse a request with. */
export type PolicyCode = CodesOf<'policy'> | CodesOf<'policy: cost'> | CodesOf<'policy: limits'>;

export interface PolicyRemoval {
  segments: readonly PathSegment[];
  error: GraphQLFormattedError;
}

export type ResponseHeader = readonly [string, string];

export type PolicyRefusal = { kind: 'reject' } & Rejection;

export type PolicyOutcome =
  | { kind: 'continue'; query: string; removals: readonly PolicyRemoval[]; typenameHelper: boolean; headers: readonly ResponseHeader[]; cost?: CostSettlement }
  | PolicyRefusal;

/** A policy refusal: its errors (the first carries `code`), headers and top-level extensions. */
export function refuse(code: PolicyCode, errors: GraphQLFormattedError[], headers: readonly ResponseHeader[] = [], extensions?: Record<string, unknown>): PolicyRefusal {
  return { kind: 'reject', ...rejection(code, errors, headers, extensions) };
}
