// The request as the pipeline carries it (GraphQLParams), the answer it sends (HttpAnswer), and the contract the
// plan + execute stages fulfil (ExecutionEngine). Types only: every stage imports them from here, so no stage
// needs to import the engine to name a request.
import type { ErrorCode } from '../errors';
import type { ErrorSummary } from '../telemetry/errorSummary';
import type { TollgateContext } from './context';

/** The GraphQL request as received: what the client asked for. */
export interface GraphQLParams {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

/** A finished HTTP answer, shareable between deduplicated requests (strings only, nothing mutable). */
export interface HttpAnswer {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  body: string;
  /** The body encoded once, when several deduplicated requests send the same answer. */
  encoded?: Buffer;
  /** The response's actual cost, when the cost policy asked for it. */
  actualCost?: number;
  /** For the record stage: the errors in the body, when there are any. */
  errors?: ErrorSummary;
  /** For the record stage: the code of a request-level rejection made by Tollgate itself. */
  rejection?: ErrorCode;
}

/** The plan + execute stages (src/execute/): one checked, policy-approved request in, one answer out. */
export interface ExecutionEngine {
  execute(params: GraphQLParams, context: TollgateContext, accept: string | undefined): Promise<HttpAnswer>;
  stop(): Promise<void>;
}
