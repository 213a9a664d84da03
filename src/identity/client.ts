// Who a limit or a budget belongs to, and which plan sets its size: from the principal (JWT subject, API-key
// client), else the client's network (clientBucket.ts: its IPv4 address, its IPv6 /64). Pure; read by the
// rate-limit and cost policies, and by logs.
import { clientBucketOf, DEFAULT_IP_PREFIXES } from './clientBucket';
import type { Principal } from './principal';

export interface ClientIdentity {
  /**
   * Stable across instances and requests: "<kind>:<value>" — "sub:<subject>", "client:<name>" or
   * "ip:<network>". The kind is one of these fixed words without a colon, so it ends at the first colon and two
   * ids of different kinds never collide, whatever a subject or client name contains ("sub:ip:1.2.3.4" is not
   * "ip:1.2.3.4"). Store keys wrap the whole id (clientKeyPrefix), so it can't run into the rest of a key.
   */
  id: string;
  plan: string;
}

export interface PlanDefaults {
  /** Plan of callers without credentials. */
  anonymousPlan: string;
  /** Plan of authenticated callers whose token or API key names none. */
  defaultPlan: string;
}

/** `clients` in the config: the plans, and the network sizes callers identified by IP are counted per. */
export interface ClientDefaults extends PlanDefaults {
  /** Default 32: per address. */
  ipv4Prefix?: number;
  /** Default 64: per subscriber network, so one can't rotate through its own 2^64 addresses. */
  ipv6Prefix?: number;
}

export function clientIdentity(principal: Principal, clientIp: string, plans: ClientDefaults): ClientIdentity {
  const ip = () => `ip:${clientBucketOf(clientIp, { ipv4: plans.ipv4Prefix ?? DEFAULT_IP_PREFIXES.ipv4, ipv6: plans.ipv6Prefix ?? DEFAULT_IP_PREFIXES.ipv6 })}`;
  if (!principal.authenticated) return { id: ip(), plan: plans.anonymousPlan };
  const plan = principal.plan ?? plans.defaultPlan;
  // An API key's client is the identity; a JWT's subject is (several users may share one client application).
  if (principal.kind === 'apiKey' && principal.client) return { id: `client:${principal.client}`, plan };
  if (principal.subject) return { id: `sub:${principal.subject}`, plan };
  if (principal.client) return { id: `client:${principal.client}`, plan };
  return { id: ip(), plan };
}
