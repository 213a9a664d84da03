// Policy refusals are built here only, from a code the stage table (src/pipeline/stages.ts) gives the policy stages,
// so the HTTP status always comes from src/errors.ts. What the stage hands back as a whole is outcome.ts.
import type { GraphQLFormattedError } from 'graphql';
import { rejection, type Rejection } from '../errors';
import type { CodesOf } from '../pipeline/stages';

/** The codes the policy stages (authorization, cost, limits) may refuse a request with. */
export type PolicyCode = CodesOf<'policy'> | CodesOf<'policy: cost'> | CodesOf<'policy: limits'>;

export type ResponseHeader = readonly [string, string];

export type PolicyRefusal = { kind: 'reject' } & Rejection;

/** A policy refusal: its errors (the first carries `code`), headers and top-level extensions. */
export function refuse(code: PolicyCode, errors: GraphQLFormattedError[], headers: readonly ResponseHeader[] = [], extensions?: Record<string, unknown>): PolicyRefusal {
  return { kind: 'reject', ...rejection(code, errors, headers, extensions) };
}
