// The authenticate stage: request headers → Principal. No credentials → anonymous; credentials that fail
// any check → an error (the pipeline answers 401 UNAUTHENTICATED and calls no subgraph).
import type { IncomingHttpHeaders } from 'node:http';
import type { TollgateConfig } from '../config/schema';
import { createApiKeyStore } from './apiKeys';
import { createJwtVerifier, fingerprint, InvalidTokenError, type JwtVerifier } from './jwt';
import { ANONYMOUS, scopesFromClaim, type Principal } from './principal';

export type AuthenticationResult = { ok: true; principal: Principal } | { ok: false; message: string };
export type Authenticator = (headers: IncomingHttpHeaders) => Promise<AuthenticationResult> | AuthenticationResult;

export async function createAuthenticator(config: TollgateConfig['authentication']): Promise<Authenticator> {
  const jwtConfig = config.jwt;
  const jwt: JwtVerifier | undefined = jwtConfig ? await createJwtVerifier(jwtConfig) : undefined;
  const apiKeys = config.apiKeys && config.apiKeys.keys.length > 0 ? createApiKeyStore(config.apiKeys) : undefined;
  const apiKeyHeader = config.apiKeys?.header ?? 'x-api-key';
  if (!jwt && !apiKeys) return () => ({ ok: true, principal: ANONYMOUS });

  return async (headers) => {
    if (apiKeys) {
      const presented = headers[apiKeyHeader];
      if (presented !== undefined) {
        const found = typeof presented === 'string' ? apiKeys(presented) : undefined;
        if (!found) return { ok: false, message: `The API key in ${apiKeyHeader} is not valid.` };
        return {
          ok: true,
          principal: {
            kind: 'apiKey',
            key: `apikey:${found.hash}`,
            authenticated: true,
            subject: found.client,
            client: found.client,
            plan: found.plan,
            scopes: new Set(found.scopes),
            claims: {},
          },
        };
      }
    }
    if (jwt && jwtConfig) {
      const token = tokenFrom(headers, jwtConfig);
      if (token === undefined) return { ok: true, principal: ANONYMOUS };
      if (token === null) {
        const where = headers[jwtConfig.header] === undefined && jwtConfig.cookie ? `The ${jwtConfig.cookie} cookie must hold a token.` : `The ${jwtConfig.header} header must be "${jwtConfig.prefix}<token>".`;
        return { ok: false, message: where };
      }
      try {
        const claims = await jwt.verify(token);
        const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
        const client = claims[jwtConfig.clientClaim];
        const plan = claims[jwtConfig.planClaim];
        return {
          ok: true,
          principal: {
            kind: 'jwt',
            key: `jwt:${fingerprint(token)}`,
            authenticated: true,
            subject,
            client: typeof client === 'string' ? client : subject,
            plan: typeof plan === 'string' ? plan : undefined,
            scopes: scopesFromClaim(claims[jwtConfig.scopeClaim]),
            claims,
          },
        };
      } catch (error) {
        const reason = error instanceof InvalidTokenError ? error.message : 'invalid token';
        return { ok: false, message: `The token is not valid: ${reason}.` };
      }
    }
    return { ok: true, principal: ANONYMOUS };
  };
}

type JwtConfig = NonNullable<TollgateConfig['authentication']['jwt']>;

/** The raw token: undefined when absent, null when present but malformed (wrong scheme, empty). */
function tokenFrom(headers: IncomingHttpHeaders, config: JwtConfig): string | null | undefined {
  const header = headers[config.header];
  if (typeof header === 'string') {
    const prefix = config.prefix;
    if (prefix && header.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return null;
    const token = header.slice(prefix.length).trim();
    return token === '' ? null : token;
  }
  if (config.cookie && typeof headers.cookie === 'string') {
    for (const part of headers.cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim() === config.cookie) {
        let token: string;
        try {
          token = decodeURIComponent(part.slice(eq + 1).trim());
        } catch {
          return null; // a malformed %-sequence: malformed credentials, not a server error
        }
        return token === '' ? null : token;
      }
    }
  }
  return undefined;
}
