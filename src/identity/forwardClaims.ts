// Verified JWT claims forwarded to subgraphs and REST sources as headers (`authentication.forwardClaims`, REST
// `claim` rules). One encoding for every caller: lists joined by spaces (OAuth scopes), objects as JSON.

/** The header value a claim is sent as, or undefined when the principal has no such claim. */
export function claimHeaderValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item))).join(' ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Sets one header per forwarded claim. The header is always removed first: a client-sent header (copied by a header
 * rule) never poses as a verified claim.
 */
export function setClaimHeader(headers: Record<string, string | string[]>, header: string, value: unknown): void {
  delete headers[header];
  const text = claimHeaderValue(value);
  if (text !== undefined) headers[header] = text;
}

/** `forwardClaims` (claim → header) applied to outgoing headers. */
export function forwardClaims(headers: Record<string, string | string[]>, claimHeaders: Readonly<Record<string, string>>, claims: Readonly<Record<string, unknown>>): void {
  for (const claim in claimHeaders) setClaimHeader(headers, claimHeaders[claim], claims[claim]);
}
