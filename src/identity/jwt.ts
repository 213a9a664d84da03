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
  const verified = new LruCache<string, { payload: JWTPayload; expiresAt: number }>(10_000);
  const toleranceMs = config.clockTolerance;

  return {
    async verify(token, now = Date.now()) {
      const cached = verified.get(token);
      if (cached) {
        // Re-check time on every hit: a cached token must still expire on time.
        if (now <= cached.expiresAt + toleranceMs && !(typeof cached.payload.nbf === 'number' && now < cached.payload.nbf * 1000 - toleranceMs)) {
          return cached.payload;
        }
        throw new InvalidTokenError('token expired');
      }
      let payload: JWTPayload;
      try {
        // Two calls only because jose's overloads don't accept the union of key kinds.
        ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, { ...options, currentDate: new Date(now) }) : await jwtVerify(token, key, { ...options, currentDate: new Date(now) }));
      } catch (error) {
        throw new InvalidTokenError(describeJoseError(jose, error));
      }
      // Tokens without `exp` are re-verified after a minute rather than trusted forever.
      const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : now + 60_000;
      verified.set(token, { payload, expiresAt });
      return payload;
    },
  };
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
