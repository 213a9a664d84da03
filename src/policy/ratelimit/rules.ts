// The rate-limit rules in force for one supergraph: each field's @rateLimit merged with `rateLimits.fields`, sized
// per plan. Built on every (re)load; `limitedOccurrences` runs once per operation (cached by the policy stage).
import { isInterfaceType } from 'graphql';
import type { FieldOccurrence } from '../walk';
import type { RateLimitsConfig } from './config';
import type { RateLimitDirective } from './directives';

/** One field's limit for one plan. */
export interface RateLimitRule {
  coordinate: string;
  max: number;
  windowMs: number;
  identityArgs: readonly string[];
  arrayLengthField?: string;
  uncountRejected: boolean;
  message?: string;
}

/** An occurrence that some limit applies to, with the coordinates whose rules apply (interface fields: each implementation's too). */
export interface LimitedOccurrence {
  occurrence: FieldOccurrence;
  coordinates: readonly string[];
}

interface FieldLimit {
  base: Omit<RateLimitRule, 'max' | 'windowMs'> & { max?: number; windowMs?: number };
  plans: RateLimitsConfig['fields'][string]['plans'];
}

export class RateLimitRules {
  private readonly limits = new Map<string, FieldLimit>();
  private readonly byPlan = new Map<string, Map<string, RateLimitRule | null>>();
  /** Config entries that can't apply, for a warning at load. */
  readonly problems: string[] = [];

  constructor(directives: ReadonlyMap<string, RateLimitDirective>, config: RateLimitsConfig['fields'], knownCoordinates: (coordinate: string) => boolean) {
    for (const coordinate of new Set([...directives.keys(), ...Object.keys(config)])) {
      const directive = directives.get(coordinate) ?? {};
      const own = config[coordinate];
      if (own && !knownCoordinates(coordinate)) this.problems.push(`rateLimits.fields["${coordinate}"]: no such field in the supergraph`);
      const base = {
        coordinate,
        max: own?.max ?? directive.max,
        windowMs: own?.window ?? directive.windowMs,
        identityArgs: own?.identityArgs ?? directive.identityArgs ?? [],
        arrayLengthField: own?.arrayLengthField ?? directive.arrayLengthField,
        uncountRejected: own?.uncountRejected ?? directive.uncountRejected ?? false,
        message: own?.message ?? directive.message,
      };
      const plans = own?.plans ?? {};
      const planSized = Object.values(plans).every((p) => p === 'unlimited' || (p.max !== undefined && p.window !== undefined));
      if ((base.max === undefined || base.windowMs === undefined) && !planSized) {
        this.problems.push(`${coordinate}: a rate limit needs both max and window (from @rateLimit or rateLimits.fields); plans without them are not limited`);
      }
      this.limits.set(coordinate, { base, plans });
    }
  }

  get isEmpty(): boolean {
    return this.limits.size === 0;
  }

  has(coordinate: string): boolean {
    return this.limits.has(coordinate);
  }

  /** The rule for `coordinate` on `plan`, or undefined when the plan is unlimited there. Cached per plan. */
  forPlan(coordinate: string, plan: string): RateLimitRule | undefined {
    let rules = this.byPlan.get(plan);
    if (!rules) {
      rules = new Map();
      this.byPlan.set(plan, rules);
    }
    let rule = rules.get(coordinate);
    if (rule === undefined) {
      rule = this.resolve(coordinate, plan);
      rules.set(coordinate, rule);
    }
    return rule ?? undefined;
  }

  private resolve(coordinate: string, plan: string): RateLimitRule | null {
    const limit = this.limits.get(coordinate);
    if (!limit) return null;
    const override = limit.plans[plan];
    if (override === 'unlimited') return null;
    const max = override?.max ?? limit.base.max;
    const windowMs = override?.window ?? limit.base.windowMs;
    if (max === undefined || windowMs === undefined) return null;
    return { ...limit.base, max, windowMs };
  }
}

/** The occurrences a rule applies to: by coordinate as selected, and — on an interface — by each implementation's. */
export function limitedOccurrences(occurrences: readonly FieldOccurrence[], rules: RateLimitRules): LimitedOccurrence[] {
  if (rules.isEmpty) return [];
  const limited: LimitedOccurrence[] = [];
  for (const occurrence of occurrences) {
    const coordinates = new Set<string>();
    if (rules.has(occurrence.coordinate)) coordinates.add(occurrence.coordinate);
    if (isInterfaceType(occurrence.parentType)) {
      for (const possible of occurrence.possibleTypes) {
        const coordinate = `${possible.name}.${occurrence.fieldDef.name}`;
        if (rules.has(coordinate)) coordinates.add(coordinate);
      }
    }
    if (coordinates.size > 0) limited.push({ occurrence, coordinates: [...coordinates] });
  }
  return limited;
}
