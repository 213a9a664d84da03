// The respond stage's work on a GraphQL result, the same whichever executor produced it: fields the policy stage
// removed become null with one error each, the actual cost is measured (and `extensions.cost` reserved for the
// values known after reconciliation), echoed messages are bounded, the errors are summarised for the record
// stage; then the result is serialised once, as Apollo Server serialises it.
import type { GraphQLFormattedError } from 'graphql';
import { COST_EXTENSION_PLACEHOLDER } from '../policy/cost/extensions';
import { measureActualCost } from '../policy/cost/policy';
import { nullRemovedFields, type JsonObject } from '../policy/patchResponse';
import { summarizeErrors } from '../telemetry/errorSummary';
import { MAX_MESSAGE_LENGTH, truncate } from '../util/bounded';
import type { TollgateContext } from './context';
import type { HttpAnswer } from './request';

/** A GraphQL result before serialisation (the shape of Apollo Server's `singleResult`). */
export interface GraphQLResult {
  errors?: ReadonlyArray<GraphQLFormattedError>;
  data?: Record<string, unknown> | null;
  extensions?: Record<string, unknown>;
}

/** Applies the policy removals and the cost measurement to `result`, in place (Apollo's plugin hands a mutable one). */
export function applyPolicyOutcome(result: GraphQLResult, context: TollgateContext): void {
  const policy = context.policy;
  const cost = context.cost;
  if (policy && policy.removals.length > 0) {
    result.data = nullRemovedFields(result.data as JsonObject | null | undefined, policy.removals.map((r) => r.segments), policy.typenameHelper) as GraphQLResult['data'];
    result.errors = [...policy.removals.map((r) => r.error), ...(result.errors ?? [])];
  }
  if (cost) {
    cost.actual = measureActualCost(cost, result.data);
    if (cost.extensions) result.extensions = { ...result.extensions, cost: COST_EXTENSION_PLACEHOLDER };
  }
}

/** Bounds echoed messages and records the error summary for the record stage, in place. Runs last. */
export function summarizeResultErrors(result: GraphQLResult, context: TollgateContext): void {
  const errors = result.errors;
  if (!errors || errors.length === 0) return;
  // Validation errors quote names the client chose ("Cannot query field …"): bounded like every echoed string.
  if (errors.some((e) => e.message.length > MAX_MESSAGE_LENGTH)) {
    result.errors = errors.map((e) => (e.message.length > MAX_MESSAGE_LENGTH ? { ...e, message: truncate(e.message, MAX_MESSAGE_LENGTH) } : e));
  }
  context.telemetry.answerErrors = summarizeErrors(result.errors ?? errors, result.data !== null && result.data !== undefined);
}

/** The HTTP answer for a result produced by Tollgate's own executor: both steps above, then one serialisation. */
export function respondWithResult(status: number, result: GraphQLResult, context: TollgateContext, accept: string | undefined): HttpAnswer {
  applyPolicyOutcome(result, context);
  summarizeResultErrors(result, context);
  // Apollo Server's field order and trailing newline, so both executors send the same bytes.
  const body = JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions }) + '\n';
  // `no-store`: what Apollo Server's cache-control plugin sends for an answer without cache hints (all of ours).
  return { status, headers: [['cache-control', 'no-store'], ['content-type', graphqlContentType(accept)]], body, actualCost: context.cost?.actual, errors: context.telemetry.answerErrors };
}

/**
 * Whether the policy stage left work that needs the result as objects: fields to null (removals) or `extensions.cost`
 * to add. Without it, Tollgate's executor may hand over `data` already serialised (respondWithEncodedBody), and
 * measures the actual cost on its merged tree itself.
 */
export function needsResultObject(context: TollgateContext): boolean {
  return context.cost?.extensions === true || (context.policy !== undefined && context.policy.removals.length > 0);
}

/**
 * The HTTP answer for a result that is `data` only, already serialised as the whole body's bytes (Tollgate's
 * executor writes `{"data":…}\n` itself, src/execute/plan/serialize.ts): the bytes respondWithResult would send for
 * `{ data }` — no errors to bound or summarise, nothing for the policy stage (see needsResultObject).
 */
export function respondWithEncodedBody(encoded: Buffer, context: TollgateContext, accept: string | undefined): HttpAnswer {
  return new EncodedAnswer(graphqlContentType(accept), encoded, context.cost?.actual, context.telemetry.answerErrors);
}

/** An answer whose bytes came first: its text is decoded only if something asks for it (no caller on the hot path). */
class EncodedAnswer implements HttpAnswer {
  readonly status = 200;
  readonly headers: HttpAnswer['headers'];

  constructor(
    contentType: string,
    readonly encoded: Buffer,
    readonly actualCost: number | undefined,
    readonly errors: HttpAnswer['errors'],
  ) {
    this.headers = [['cache-control', 'no-store'], ['content-type', contentType]];
  }

  get body(): string {
    return this.encoded.toString('utf8');
  }
}

/** `application/graphql-response+json` only for a client that asks for it and not for JSON (as Apollo Server). */
export function graphqlContentType(accept: string | undefined): string {
  if (accept && !accept.includes('application/json') && !accept.includes('*/*') && accept.includes('application/graphql-response+json')) {
    return 'application/graphql-response+json; charset=utf-8';
  }
  return 'application/json; charset=utf-8';
}
