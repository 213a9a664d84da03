// JWT verification with jose: JWKS (cached, refetched on an unknown kid), shared secret or public key;
// issuer, audience, clock tolerance. Verified tokens are cached until they expire, so a client re-sending
// the same token costs one map lookup, not one signature check.
import { createHash, createSecretKey } from 'node:crypto';
// jose is loaded only when JWT authentication is configured (it costs memory every gateway would pay).
import type { JWTPayload, JWTVerifyGetKey, KeyLike } from 'jose';

type Jose = typeof import('jose');
import type { TollgateConfig } from '../config/schema';
import { LruCache } from '../util/lru';

type JwtConfig = NonNullable<TollgateConfig['authentication']['jwt']>;

export class InvalidTokenError extends Error {}

export interface JwtVerifier {
  verify(token: string, now?: number): Promise<JWTPayload>;
}

export async function createJwtVerifier(config: JwtConfig): Promise<JwtVerifier> {
  const jose: Jose = await import('jose');
  const { jwtVerify } = jose;
  const key = await resolveKey(jose, config);
  const options = {
    algorithms: config.algorithms,
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: Math.floor(config.clockTolerance / 1000),
  };
  // Keyed by the token itself: two different tokens never share an entry.
  const verified = new LruCache<string, { payload: JWTPayload; expiresAt: number }>(10_000);
  const toleranceMs = config.clockTolerance;
  const timeRules: TimeRules = { toleranceMs, requireExp: config.requireExp, maxTokenAgeMs: config.maxTokenAge };

  return {
    async verify(token, now = Date.now()) {
      const cached = verified.get(token);
      if (cached) {
        // Re-check time on every hit: a cached token must still expire (and age out) on time.
        if (now > cached.expiresAt + toleranceMs) throw new InvalidTokenError('token expired');
        const problem = checkTimeClaims(cached.payload, now, timeRules);
        if (problem) throw new InvalidTokenError(problem);
        return cached.payload;
      }
      let payload: JWTPayload;
      try {
        // Two calls only because jose's overloads don't accept the union of key kinds.
        ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, { ...options, currentDate: new Date(now) }) : await jwtVerify(token, key, { ...options, currentDate: new Date(now) }));
      } catch (error) {
        throw new InvalidTokenError(describeJoseError(jose, error));
      }
      // jose checks exp and nbf when present; what it lets through (no exp, iat in the future, too old) is ours.
      const problem = checkTimeClaims(payload, now, timeRules);
      if (problem) throw new InvalidTokenError(problem);
      // Tokens without `exp` (requireExp: false) are re-verified after a minute rather than trusted forever.
      const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : now + 60_000;
      verified.set(token, { payload, expiresAt });
      return payload;
    },
  };
}

export interface TimeRules {
  toleranceMs: number;
  requireExp: boolean;
  maxTokenAgeMs?: number;
}

/**
 * The time checks jose leaves to the caller (RFC 7519 §4.1.4–4.1.6): a token must carry `exp` (unless configured
 * otherwise), must not be issued or valid only in the future beyond the clock tolerance, and must not be older than
 * `maxTokenAge`. Returns why a token fails, or undefined. Pure: `now` is passed in.
 */
export function checkTimeClaims(payload: JWTPayload, now: number, rules: TimeRules): string | undefined {
  const { exp, nbf, iat } = payload;
  if (exp === undefined) {
    if (rules.requireExp) return 'token has no "exp" claim (authentication.jwt.requireExp)';
  } else if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'claim "exp" is not a number';
  else if (now > exp * 1000 + rules.toleranceMs) return 'token expired';
  if (nbf !== undefined && (typeof nbf !== 'number' || now < nbf * 1000 - rules.toleranceMs)) return 'token is not valid yet ("nbf")';
  if (iat !== undefined && (typeof iat !== 'number' || now < iat * 1000 - rules.toleranceMs)) return 'token is issued in the future ("iat")';
  if (rules.maxTokenAgeMs !== undefined) {
    if (typeof iat !== 'number') return 'token has no "iat" claim (authentication.jwt.maxTokenAge)';
    if (now - iat * 1000 > rules.maxTokenAgeMs + rules.toleranceMs) return 'token is too old (authentication.jwt.maxTokenAge)';
  }
  return undefined;
}

async function resolveKey({ createRemoteJWKSet, importJWK, importSPKI }: Jose, config: JwtConfig): Promise<KeyLike | Uint8Array | JWTVerifyGetKey> {
  const sources = [config.jwksUrl, config.secret, config.publicKey].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new Error('authentication.jwt needs exactly one of jwksUrl, secret or publicKey');
  if (config.jwksUrl) {
    return createRemoteJWKSet(new URL(config.jwksUrl), { cacheMaxAge: config.jwksCacheTtl, cooldownDuration: 30_000, timeoutDuration: 5_000 });
  }
  if (config.secret) {
    if (!config.algorithms.every((a) => a.startsWith('HS'))) throw new Error('authentication.jwt.secret works with HS* algorithms only');
    return createSecretKey(Buffer.from(config.secret, 'utf8'));
  }
  const text = config.publicKey!.trim();
  const algorithm = config.algorithms[0];
  if (text.startsWith('{')) return importJWK(JSON.parse(text), algorithm);
  return importSPKI(text, algorithm);
}

function describeJoseError({ errors: joseErrors }: Jose, error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim "${error.claim}" is invalid: ${error.reason}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key matches the token';
  if (error instanceof joseErrors.JWKSTimeout) return 'timed out fetching the signing keys';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'malformed token';
  return error instanceof Error ? error.message : 'invalid token';
}

/** A short, non-reversible fingerprint of a credential, for cache keys and logs. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 22);
}
