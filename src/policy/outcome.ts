// What the policy stage hands back to the pipeline: go on (with the query to run, removals, headers, the cost
// settlement) or refuse (refusal.ts builds those).
import type { GraphQLFormattedError } from 'graphql';
import type { CostSettlement } from './cost/policy';
import type { PolicyRefusal, ResponseHeader } from './refusal';
import type { PathSegment } from './walk';

export type { PolicyRefusal, ResponseHeader } from './refusal';

export interface PolicyRemoval {
  segments: readonly PathSegment[];
  error: GraphQLFormattedError;
}

export type PolicyOutcome =
  | { kind: 'continue'; query: string; removals: readonly PolicyRemoval[]; typenameHelper: boolean; headers: readonly ResponseHeader[]; cost?: CostSettlement }
  | PolicyRefusal;
