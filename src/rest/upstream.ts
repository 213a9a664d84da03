// One REST call as the connector sees it: httpCall over the source's keep-alive pool, retries with exponential
// backoff for the methods that may be repeated, and every failure turned into a coded GraphQL error (REST_*; docs/errors.md). Never throws
// anything but those errors.
import type { GraphQLError } from 'graphql';
import type { Pool } from 'undici';
import { tollgateError, type ErrorCode } from '../errors';
import { httpCall, HttpCallError, type HttpResult } from '../execute/httpClient';
import type { RestMethod } from './description';

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
export async function callUpstream(pool: Pool, request: UpstreamRequest, policy: RetryPolicy, site: CallSite): Promise<unknown> {
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
  return interpret(outcome, site, policy, attempts);
}

/** A 2xx JSON answer → its value; anything else → the coded error for it. */
export function interpret(outcome: Outcome, site: CallSite, { timeoutMs, maxResponseSize }: Pick<RetryPolicy, 'timeoutMs' | 'maxResponseSize'>, attempts: number): unknown {
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
  if (status === 404) throw restError('REST_NOT_FOUND', site, 'answered HTTP 404 (not found)', { upstreamStatus: 404 });
  if (status < 200 || status >= 300) throw restError('REST_UPSTREAM_ERROR', site, `answered HTTP ${status}`, { upstreamStatus: status, ...retried });
  if (status === 204 || body === '') return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw restError('REST_BAD_RESPONSE', site, `answered HTTP ${status} with a body that is not JSON`, { upstreamStatus: status, contentType: contentType ?? null });
  }
}

/** The one constructor of REST errors: message names the source and connector; extensions per docs/errors.md. */
export function restError(code: ErrorCode, site: CallSite, what: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return tollgateError(code, `REST source "${site.source}" ${what} (${site.connector})`, { source: site.source, connector: site.connector, ...extensions });
}
