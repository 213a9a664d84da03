// Rate limits for one request: the store ops of its limited field occurrences (one per occurrence and rule), and
// what the store's answers mean — RATE_LIMITED errors at the refused paths and RateLimit-* headers. The policy
// stage charges these ops together with the budget in one atomic store call and applies measure/enforce.
import type { GraphQLFormattedError } from 'graphql';
import { codedError } from '../../errors';
import type { CounterOp, CounterResult } from '../store/types';
import { argumentsOf, errorPath, type FieldOccurrence } from '../walk';
import { callsOf, decideRateLimit, fixedWindow, rateLimitHeaders, rateLimitKey, type FixedWindow, type RateLimitDecision } from './decide';
import type { LimitedOccurrence, RateLimitRule, RateLimitRules } from './rules';

export interface RateLimitBatch {
  ops: CounterOp[];
  /** Parallel to `ops`. */
  entries: Array<{ occurrence: FieldOccurrence; rule: RateLimitRule; window: FixedWindow }>;
}

export interface RateLimitVerdict {
  /** Occurrences over a limit, in operation order. */
  refused: FieldOccurrence[];
  errors: Map<FieldOccurrence, GraphQLFormattedError>;
  decisions: RateLimitDecision[];
}

/** The ops for every limited occurrence outside `removed` (a field the caller may not see is not counted). */
export function rateLimitBatch(
  limited: readonly LimitedOccurrence[],
  rules: RateLimitRules,
  request: { plan: string; clientPrefix: string; variables: Record<string, unknown> | undefined; now: number; removed?: ReadonlySet<FieldOccurrence> },
): RateLimitBatch {
  const batch: RateLimitBatch = { ops: [], entries: [] };
  for (const { occurrence, coordinates } of limited) {
    if (request.removed && insideRemoved(occurrence, request.removed)) continue;
    for (const coordinate of coordinates) {
      const rule = rules.forPlan(coordinate, request.plan);
      if (!rule) continue;
      const args = argumentsOf(occurrence, request.variables);
      const window = fixedWindow(rule.windowMs, request.now);
      batch.ops.push({
        key: rateLimitKey(request.clientPrefix, rule, args, window),
        kind: rule.uncountRejected ? 'hitIfAdmitted' : 'hit',
        amount: callsOf(rule, args),
        max: rule.max,
        windowEnd: window.end,
      });
      batch.entries.push({ occurrence, rule, window });
    }
  }
  return batch;
}

export function rateLimitVerdict(batch: RateLimitBatch, results: readonly CounterResult[], now: number): RateLimitVerdict {
  const verdict: RateLimitVerdict = { refused: [], errors: new Map(), decisions: [] };
  batch.entries.forEach(({ occurrence, rule, window }, i) => {
    const decision = decideRateLimit(rule, results[i], window, now);
    verdict.decisions.push(decision);
    if (decision.allowed || verdict.errors.has(occurrence)) return;
    verdict.refused.push(occurrence);
    verdict.errors.set(occurrence, rateLimitedError(occurrence, decision));
  });
  return verdict;
}

export function headersOf(decisions: readonly RateLimitDecision[], refused: boolean): Array<[string, string]> {
  return rateLimitHeaders(
    decisions.map((d) => ({ limit: d.rule.max, remaining: d.remaining, resetSeconds: d.resetSeconds, windowMs: d.rule.windowMs })),
    refused,
  );
}

function rateLimitedError(occurrence: FieldOccurrence, decision: RateLimitDecision): GraphQLFormattedError {
  const { rule } = decision;
  return codedError(
    'RATE_LIMITED',
    rule.message ?? `Rate limit exceeded for ${rule.coordinate}: at most ${rule.max} per ${formatWindow(rule.windowMs)}; retry in ${decision.resetSeconds}s.`,
    { coordinate: rule.coordinate, limit: rule.max, windowSeconds: rule.windowMs / 1000, retryAfter: decision.resetSeconds },
    errorPath(occurrence.segments),
  );
}

function insideRemoved(occurrence: FieldOccurrence, removed: ReadonlySet<FieldOccurrence>): boolean {
  for (let current: FieldOccurrence | undefined = occurrence; current; current = current.parent) if (removed.has(current)) return true;
  return false;
}

export function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
