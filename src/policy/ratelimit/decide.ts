// Pure rate-limit logic: fixed windows aligned to the epoch, counter keys, decisions and the IETF RateLimit
// headers (draft-ietf-httpapi-ratelimit-headers). No I/O and no clock: `now` is passed in; the store counts.
//
// Why fixed windows: the count in a window is one integer, checked and incremented in one atomic step, so any
// number of instances admit exactly `max` per window; memory per key is O(1) whatever `max` is (a sliding log
// keeps `max` timestamps); every instance computes the same reset time. The cost: a client may spend `max` at the
// end of one window and `max` again at the start of the next.
import { createHash } from 'node:crypto';
import type { CounterResult } from '../store/types';
import type { RateLimitRule } from './rules';

export interface FixedWindow {
  /** floor(now / windowMs): the same on every instance with a synchronised clock. */
  index: number;
  /** When the window ends (ms since the epoch). */
  end: number;
}

export function fixedWindow(windowMs: number, now: number): FixedWindow {
  const index = Math.floor(now / windowMs);
  return { index, end: (index + 1) * windowMs };
}

/**
 * `{prefix}{<identity>}`: the start of every key of one client. The braces are a Redis Cluster hash tag, so all of a
 * request's counters (one client) live in one slot and one script can charge them together.
 */
export function clientKeyPrefix(prefix: string, identity: string): string {
  return `${prefix}{${identity.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}}`;
}

/** Values longer than this are hashed in keys, so a huge argument can't make a huge key. */
const MAX_ARGS_IN_KEY = 128;

/** The counter of one rule, client, identity-argument values and window: type and field are part of it (Query.x ≠ Mutation.x). */
export function rateLimitKey(clientPrefix: string, rule: RateLimitRule, args: Record<string, unknown>, window: FixedWindow): string {
  let identityArgs = '';
  if (rule.identityArgs.length > 0) {
    identityArgs = JSON.stringify(rule.identityArgs.map((path) => valueAt(args, path) ?? null));
    if (identityArgs.length > MAX_ARGS_IN_KEY) identityArgs = `#${createHash('sha256').update(identityArgs).digest('base64url')}`;
  }
  return `${clientPrefix}:rl:${rule.coordinate}:${rule.windowMs}:${identityArgs}:${window.index}`;
}

/** How many calls one occurrence makes: the length of `arrayLengthField` when it is a list, else 1. */
export function callsOf(rule: RateLimitRule, args: Record<string, unknown>): number {
  if (!rule.arrayLengthField) return 1;
  const value = valueAt(args, rule.arrayLengthField);
  return Array.isArray(value) ? value.length : 1;
}

export interface RateLimitDecision {
  rule: RateLimitRule;
  allowed: boolean;
  /** Calls left in this window after this one (never negative). */
  remaining: number;
  /** Whole seconds until the window ends (at least 1): RateLimit-Reset and Retry-After. */
  resetSeconds: number;
}

export function decideRateLimit(rule: RateLimitRule, hits: CounterResult, window: FixedWindow, now: number): RateLimitDecision {
  return {
    rule,
    allowed: hits.admitted,
    remaining: Math.max(0, rule.max - hits.count),
    resetSeconds: Math.max(1, Math.ceil((window.end - now) / 1000)),
  };
}

/**
 * RateLimit-Limit/-Remaining/-Reset for the most constrained limit (least remaining, then latest reset),
 * RateLimit-Policy listing each limit, and Retry-After when the request is refused (429).
 */
export function rateLimitHeaders(decisions: readonly { limit: number; remaining: number; resetSeconds: number; windowMs: number }[], refused: boolean): Array<[string, string]> {
  if (decisions.length === 0) return [];
  let tightest = decisions[0];
  for (const d of decisions) {
    if (d.remaining < tightest.remaining || (d.remaining === tightest.remaining && d.resetSeconds > tightest.resetSeconds)) tightest = d;
  }
  const policies = [...new Set(decisions.map((d) => `${d.limit};w=${Math.ceil(d.windowMs / 1000)}`))];
  const headers: Array<[string, string]> = [
    ['ratelimit-limit', String(tightest.limit)],
    ['ratelimit-remaining', String(tightest.remaining)],
    ['ratelimit-reset', String(tightest.resetSeconds)],
    ['ratelimit-policy', policies.join(', ')],
  ];
  if (refused) headers.push(['retry-after', String(tightest.resetSeconds)]);
  return headers;
}

/** `a.b.c` in nested argument objects (graphql-rate-limit's identityArgs paths). */
function valueAt(args: Record<string, unknown>, path: string): unknown {
  let current: unknown = args;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
