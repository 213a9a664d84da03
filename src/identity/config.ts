// Config sections of who is calling: `authentication` (JWT, API keys, forwarded claims) and `clients` (plans).
// docs/configuration.md#authentication and #clients mirror them.
import { z } from 'zod';
import { bool, duration, headerName, int } from '../config/fields';

const jwtConfig = z.strictObject({
  /** Header carrying the token, and the scheme prefix before it. */
  header: headerName.default('authorization'),
  prefix: z.string().default('Bearer '),
  /** Or a cookie carrying the bare token (checked when the header is absent). */
  cookie: z.string().optional(),
  /** Accepted signature algorithms; `none` is never accepted. */
  algorithms: z.array(z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'])).default(['RS256', 'ES256']),
  /** Keys: a JWKS URL (cached, refetched on an unknown `kid`), a shared secret (HS*), or a public key (PEM or JWK JSON). */
  jwksUrl: z.string().url().optional(),
  jwksCacheTtl: duration.default(600_000),
  secret: z.string().min(1).optional(),
  publicKey: z.string().min(1).optional(),
  issuer: z.union([z.string(), z.array(z.string())]).optional(),
  audience: z.union([z.string(), z.array(z.string())]).optional(),
  clockTolerance: duration.default(30_000),
  /** Refuse tokens without an `exp` claim: a token that never expires can't be taken back. */
  requireExp: bool.default(true),
  /** Refuse tokens issued (`iat`) longer ago than this, whatever their `exp`; tokens without `iat` are then refused. */
  maxTokenAge: duration.optional(),
  /** Claim holding scopes: a space-separated string or an array. */
  scopeClaim: z.string().default('scope'),
  /** Claim naming the client application (for limits and metering); the subject when absent. */
  clientClaim: z.string().default('azp'),
  /** Claim naming the client's plan. */
  planClaim: z.string().default('plan'),
});

const apiKeyConfig = z
  .strictObject({
    client: z.string().min(1),
    /** The key itself (from `${env.X}`); hashed at load and never kept in memory in clear. */
    key: z.string().min(16, 'API keys must be at least 16 characters').optional(),
    /** Or its SHA-256, hex-encoded. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'expected 64 hex characters').optional(),
    scopes: z.array(z.string()).default([]),
    plan: z.string().optional(),
  })
  .refine((k) => (k.key === undefined) !== (k.sha256 === undefined), { message: 'give exactly one of `key` or `sha256`' });

/** Who is calling. No credentials → anonymous; bad credentials → 401 UNAUTHENTICATED before anything runs. */
export const authenticationConfig = z
  .strictObject({
    jwt: jwtConfig.optional(),
    apiKeys: z
      .strictObject({
        header: headerName.default('x-api-key'),
        keys: z.array(apiKeyConfig).default([]),
      })
      .optional(),
    /** Claims sent to every subgraph as headers, e.g. `{ sub: x-user-id }`. */
    forwardClaims: z.record(z.string(), headerName).default({}),
  })
  .prefault({});

/** Which plan a caller is on; plans select rate limits and cost budgets. A token's plan claim or an API key's `plan` wins. */
export const clientsConfig = z
  .strictObject({
    /** Plan of callers without credentials (identified by IP). */
    anonymousPlan: z.string().min(1).default('anonymous'),
    /** Plan of authenticated callers whose token or key names none. */
    defaultPlan: z.string().min(1).default('free'),
    /** Callers identified by IP are counted per network: IPv4 per this prefix (32: per address), IPv6 per this one (64: per subscriber). */
    ipv4Prefix: int(0, 32).default(32),
    ipv6Prefix: int(0, 128).default(64),
  })
  .prefault({});
