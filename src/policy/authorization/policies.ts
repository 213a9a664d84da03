// @policy names → graphql-shield rules from the operator's policies module. A rule sees the principal
// (ctx.principal: claims, scopes, client, plan) and the field's arguments; true allows, anything else denies.
import type { GraphQLResolveInfo } from 'graphql';
// The package exports these types only from its typings folder. graphql-shield itself is loaded only when a
// policies module is configured (the module requires it anyway).
import type { IOptions, IShieldContext, ShieldRule } from 'graphql-shield/typings/types';
import type { Principal } from '../../identity/principal';
import { argumentsOf, type FieldOccurrence } from '../walk';
import type { PolicyCheck } from './decide';
import { cacheKey } from '../../util/cacheKey';

type RuleTable = Readonly<Record<string, ShieldRule>>;

/** One gateway's rules by @policy name and the graphql-shield options they run with (owned by its policy stage). */
export interface PolicyRules {
  readonly byName: RuleTable;
  readonly options?: IOptions;
}

/** Loads `module.exports = { policies: { name: rule } }` (or the rules at the top level). */
export function loadPolicyRules(modulePath: string | undefined): PolicyRules {
  if (!modulePath) return { byName: {} };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred: only gateways with policies need it
  const { allow } = require('graphql-shield') as typeof import('graphql-shield');
  const options: IOptions = { debug: false, allowExternalErrors: false, fallbackRule: allow, hashFunction: ({ args }) => JSON.stringify(args ?? {}) };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the operator's module is named in config at run time
  const loaded = require(modulePath) as { policies?: RuleTable; default?: RuleTable } & RuleTable;
  return { byName: loaded.policies ?? loaded.default ?? loaded, options };
}

/**
 * A per-request policy check: rules are evaluated at most once per (policy, arguments) in one request, with the
 * arguments coerced from this request's variables (the walk is cached per operation, its `args` are not ours).
 */
export function policyCheckFor(rules: PolicyRules, variables: Record<string, unknown> | undefined): PolicyCheck {
  const results = new Map<string, Promise<boolean>>();
  const shieldContext = { _shield: { cache: {} } };
  return (policy: string, occurrence: FieldOccurrence, principal: Principal) => {
    const rule = rules.byName[policy];
    if (!rule) return Promise.resolve(false); // unknown policy: deny (load-time checks warn about it)
    const args = argumentsOf(occurrence, variables);
    const key = cacheKey(policy, JSON.stringify(args));
    const cached = results.get(key);
    if (cached) return cached;
    const info = { fieldName: occurrence.fieldDef.name, parentType: occurrence.parentType, returnType: occurrence.fieldDef.type } as unknown as GraphQLResolveInfo;
    const result = rule
      .resolve({}, args, { ...shieldContext, principal } as IShieldContext, info, rules.options!)
      .then((outcome) => outcome === true)
      .catch(() => false);
    results.set(key, result);
    return result;
  };
}
