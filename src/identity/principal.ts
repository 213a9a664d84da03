// Who is calling: the result of the authenticate stage, read by policies, limits, headers to subgraphs and logs.

export interface Principal {
  kind: 'anonymous' | 'jwt' | 'apiKey';
  /**
   * Identifies the exact credentials, for caches and inbound deduplication: two requests share an answer only
   * when their keys are equal. Never logged (it may contain a token).
   */
  key: string;
  authenticated: boolean;
  /** JWT `sub`, or the API key's client name. */
  subject?: string;
  /** The client application (JWT client claim, API key client), for limits and metering. */
  client?: string;
  /** The client's plan, selecting limits and budgets. */
  plan?: string;
  scopes: ReadonlySet<string>;
  /** Verified JWT claims (empty for API keys and anonymous callers). */
  claims: Readonly<Record<string, unknown>>;
}

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  key: 'anonymous',
  authenticated: false,
  scopes: new Set<string>(),
  claims: Object.freeze({}),
});

/** Scopes from a claim: "a b c" or ["a", "b", "c"]. */
export function scopesFromClaim(value: unknown): Set<string> {
  if (typeof value === 'string') return new Set(value.split(/\s+/).filter(Boolean));
  if (Array.isArray(value)) return new Set(value.filter((v): v is string => typeof v === 'string'));
  return new Set();
}
