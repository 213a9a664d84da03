// One REST call as the connector sees it: httpCall over the source's keep-alive pool, retries with exponential
// backoff for the methods that may be repeated, and every failure turned into a coded GraphQL error (REST_*; docs/errors.md). Never throws
// anything but those errors.
import type { GraphQLError } from 'graphql';
import type { Pool } from 'undici';
import { tollgateError, type ErrorCode } from '../errors';
import { httpCall, HttpCallError, type HttpResult } from '../execute/httpClient';
import type { ErrorRules, RestMethod } from './description';
import { applySelection, MappingError, type Selection } from './selection';

export interface UpstreamRequest {
  method: RestMethod;
  /** Path and query, already expanded and encoded, including the baseURL's own path prefix. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RetryPolicy {
  timeoutMs: number;
  maxRetries: number;
  backoffMs: number;
  /** May this call be repeated? Idempotent methods, methods the source lists, calls with an idempotency key. */
  retryable: boolean;
  /** Largest body read (bytes): the subgraph's `traffic.maxResponseSize`. */
  maxResponseSize: number;
}

/** A 2xx JSON answer: its value, status and headers (for `$status` and `$response.headers` in selections). */
export interface RestAnswer {
  json: unknown;
  status: number;
  headers: Readonly<Record<string, string>>;
}

/**
 * How the API reports errors (`errors:` on @restSource / @rest): the message and code read from an error body, and
 * for APIs that answer 200 with an error envelope, a success rule that must be true.
 */
/** Names the call in errors: which source, and which connector (coordinate) made it. */
export interface CallSite {
  source: string;
  connector: string;
}

/** An HTTP answer, or why there was none: the input to the retry decision. */
export type Outcome = { kind: 'answer'; result: HttpResult } | { kind: 'failure'; error: HttpCallError };

/**
 * A retryable call is repeated after a connection failure, a timeout, 429 and 5xx except 501; a call that may not be
 * repeated (a POST without an idempotency key) never is: the server may have acted on it before failing.
 */
export function shouldRetry(retryable: boolean, outcome: Outcome): boolean {
  if (!retryable) return false;
  if (outcome.kind === 'failure') return outcome.error.kind !== 'too-large';
  const status = outcome.result.status;
  return status === 429 || (status >= 500 && status !== 501);
}

/** Wait before retry number `retry` (1-based): backoff, then twice as long each time. */
export function retryDelay(retry: number, backoffMs: number): number {
  return backoffMs * 2 ** (retry - 1);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Makes the call (with retries) and returns the parsed JSON of a 2xx answer, or throws a coded GraphQLError. */
export async function callUpstream(pool: Pool, request: UpstreamRequest, policy: RetryPolicy, site: CallSite, rules: ErrorRules = {}): Promise<RestAnswer> {
  let attempts = 0;
  let outcome: Outcome;
  for (;;) {
    attempts++;
    try {
      outcome = { kind: 'answer', result: await httpCall(pool, request, policy.timeoutMs, policy.maxResponseSize) };
    } catch (error) {
      outcome = { kind: 'failure', error: error instanceof HttpCallError ? error : new HttpCallError('unavailable', String(error)) };
    }
    if (attempts > policy.maxRetries || !shouldRetry(policy.retryable, outcome)) break;
    await sleep(retryDelay(attempts, policy.backoffMs));
  }
  return interpret(outcome, site, policy, attempts, rules);
}

/** A 2xx JSON answer → its value; anything else → the coded error for it. */
export function interpret(
  outcome: Outcome,
  site: CallSite,
  { timeoutMs, maxResponseSize }: Pick<RetryPolicy, 'timeoutMs' | 'maxResponseSize'>,
  attempts: number,
  rules: ErrorRules = {},
): RestAnswer {
  const retried = attempts > 1 ? { attempts } : {};
  if (outcome.kind === 'failure') {
    const { error } = outcome;
    if (error.kind === 'timeout') throw restError('REST_TIMEOUT', site, `did not answer within ${timeoutMs}ms`, { timeoutMs, ...retried });
    if (error.kind === 'too-large') {
      throw restError('REST_BAD_RESPONSE', site, `answered with a body larger than traffic.maxResponseSize (${maxResponseSize} bytes)`, { maxResponseSize, ...retried });
    }
    throw restError('REST_UNAVAILABLE', site, `is unavailable (${error.causeCode ?? error.message})`, retried);
  }
  const { status, contentType, body } = outcome.result;
  const headers = textHeaders(outcome.result.headers);
  const variables = { $status: status, $response: { headers } };
  const parsed = parseJson(body);
  // An isSuccess rule (Connectors) decides for every status; without one, 2xx is success.
  const ok = rules.isSuccess ? isTrue(safeApply(rules.isSuccess, parsed === undefined ? null : parsed, variables)) : status >= 200 && status < 300;
  if (!ok) {
    const reported = reportedError(rules, parsed, variables);
    const said = reported.upstreamMessage !== undefined ? `: ${String(reported.upstreamMessage)}` : '';
    if (status >= 200 && status < 300) throw restError('REST_UPSTREAM_ERROR', site, `answered HTTP ${status} with an error (its isSuccess rule is not true)${said}`, { upstreamStatus: status, ...reported });
    if (status === 404) throw restError('REST_NOT_FOUND', site, `answered HTTP 404 (not found)${said}`, { upstreamStatus: 404, ...reported });
    throw restError('REST_UPSTREAM_ERROR', site, `answered HTTP ${status}${said}`, { upstreamStatus: status, ...reported, ...retried });
  }
  if (status === 204 || body === '') return { json: null, status, headers };
  const json = parsed;
  if (json === undefined) throw restError('REST_BAD_RESPONSE', site, `answered HTTP ${status} with a body that is not JSON`, { upstreamStatus: status, contentType: contentType ?? null });
  if (rules.success && !isTrue(safeApply(rules.success, json, variables))) {
    const reported = reportedError(rules, json, variables);
    const said = reported.upstreamMessage !== undefined ? `: ${String(reported.upstreamMessage)}` : '';
    throw restError('REST_UPSTREAM_ERROR', site, `answered HTTP ${status} with an error (its success rule is not true)${said}`, { upstreamStatus: status, ...reported });
  }
  return { json, status, headers };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function isTrue(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false && value !== 0 && value !== '';
}

/** A rule that does not fit the body (an HTML error page) reads as nothing, never as a second error. */
function safeApply(selection: Selection, json: unknown, variables: Record<string, unknown>): unknown {
  try {
    return json === undefined ? undefined : applySelection(selection, json, variables);
  } catch (error) {
    if (error instanceof MappingError) return undefined;
    throw error;
  }
}

/** The message and code an error body gives by the rules, as strings of bounded length (a body is untrusted). */
function reportedError(rules: ErrorRules, json: unknown, variables: Record<string, unknown>): { upstreamMessage?: string; upstreamCode?: string } {
  const out: { upstreamMessage?: string; upstreamCode?: string } = {};
  const message = rules.message ? safeApply(rules.message, json, variables) : undefined;
  const code = rules.code ? safeApply(rules.code, json, variables) : undefined;
  if (message !== undefined && message !== null) out.upstreamMessage = boundedText(message);
  if (code !== undefined && code !== null) out.upstreamCode = boundedText(code);
  return out;
}

const MAX_REPORTED = 500;

function boundedText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_REPORTED ? `${text.slice(0, MAX_REPORTED)}…` : text;
}

function textHeaders(headers: HttpResult['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** The one constructor of REST errors: message names the source and connector; extensions per docs/errors.md. */
export function restError(code: ErrorCode, site: CallSite, what: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return tollgateError(code, `REST source "${site.source}" ${what} (${site.connector})`, { source: site.source, connector: site.connector, ...extensions });
}
