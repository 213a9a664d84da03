// Who a limit or a budget belongs to, and which plan sets its size: from the principal (JWT subject, API-key
// client), else the client IP. Pure; read by the rate-limit and cost policies, and by logs.
import type { Principal } from './principal';

export interface ClientIdentity {
  /** Stable across instances and requests: "sub:<subject>", "client:<name>" or "ip:<address>". */
  id: string;
  plan: string;
}

export interface PlanDefaults {
  /** Plan of callers without credentials. */
  anonymousPlan: string;
  /** Plan of authenticated callers whose token or API key names none. */
  defaultPlan: string;
}

export function clientIdentity(principal: Principal, clientIp: string, plans: PlanDefaults): ClientIdentity {
  if (!principal.authenticated) return { id: `ip:${clientIp}`, plan: plans.anonymousPlan };
  const plan = principal.plan ?? plans.defaultPlan;
  // An API key's client is the identity; a JWT's subject is (several users may share one client application).
  if (principal.kind === 'apiKey' && principal.client) return { id: `client:${principal.client}`, plan };
  if (principal.subject) return { id: `sub:${principal.subject}`, plan };
  if (principal.client) return { id: `client:${principal.client}`, plan };
  return { id: `ip:${clientIp}`, plan };
}
