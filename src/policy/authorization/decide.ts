// Pure authorization decisions: which field occurrences a principal may not see.
// `guardOccurrences` runs once per operation (cached); `decideAuthorization` runs per request and only
// touches the guarded occurrences, so a public operation costs nothing here.
import { getNamedType, isInterfaceType } from 'graphql';
import type { Principal } from '../../identity/principal';
import type { FieldOccurrence } from '../walk';
import { scopesSatisfy, type AuthRequirements, type Requirement } from './requirements';

export interface GuardedOccurrence {
  occurrence: FieldOccurrence;
  requirements: readonly Requirement[];
}

/** Every occurrence with at least one requirement: its field, its return type, and per possible parent type. */
export function guardOccurrences(occurrences: readonly FieldOccurrence[], auth: AuthRequirements): GuardedOccurrence[] {
  if (auth.isEmpty) return [];
  const guarded: GuardedOccurrence[] = [];
  for (const occurrence of occurrences) {
    const requirements: Requirement[] = [];
    const add = (requirement: Requirement | undefined) => {
      if (requirement) requirements.push(requirement);
    };
    const fieldName = occurrence.fieldDef.name;
    add(auth.fields.get(occurrence.coordinate));
    add(auth.types.get(getNamedType(occurrence.fieldDef.type).name));
    add(auth.types.get(occurrence.parentType.name));
    // Selected on an interface: any implementation's own requirement applies (the object may be that type).
    if (isInterfaceType(occurrence.parentType)) {
      for (const possible of occurrence.possibleTypes) {
        add(auth.fields.get(`${possible.name}.${fieldName}`));
        add(auth.types.get(possible.name));
      }
    }
    if (requirements.length > 0) guarded.push({ occurrence, requirements });
  }
  return guarded;
}

/** Evaluates one @policy name for one occurrence; true = allowed. */
export type PolicyCheck = (policy: string, occurrence: FieldOccurrence, principal: Principal) => Promise<boolean>;

/** The guarded occurrences the principal fails. Policies are evaluated only where scopes and authentication pass. */
export async function decideAuthorization(
  guarded: readonly GuardedOccurrence[],
  principal: Principal,
  checkPolicy: PolicyCheck,
): Promise<FieldOccurrence[]> {
  const denied: FieldOccurrence[] = [];
  for (const { occurrence, requirements } of guarded) {
    if (!(await meetsAll(requirements, occurrence, principal, checkPolicy))) denied.push(occurrence);
  }
  return denied;
}

async function meetsAll(requirements: readonly Requirement[], occurrence: FieldOccurrence, principal: Principal, checkPolicy: PolicyCheck): Promise<boolean> {
  for (const requirement of requirements) {
    if (requirement.authenticated && !principal.authenticated) return false;
    if (requirement.scopes && !scopesSatisfy(requirement.scopes, principal.scopes)) return false;
  }
  for (const requirement of requirements) {
    if (!requirement.policies) continue;
    let anyGroup = false;
    for (const group of requirement.policies) {
      let all = true;
      for (const policy of group) {
        if (!(await checkPolicy(policy, occurrence, principal))) {
          all = false;
          break;
        }
      }
      if (all) {
        anyGroup = true;
        break;
      }
    }
    if (!anyGroup) return false;
  }
  return true;
}
