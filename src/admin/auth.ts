// Admin authentication for the operations pages (/admin/dashboard, its feed, /admin/metering, and /metrics when
// asked): the admin keys of `publish.admin.keys` (hashed, src/publish/adminAuth.ts), any of them — reading is
// allowed to every key. Accepted as `authorization: Bearer <key>` (scripts, the CLI) or Basic auth with the key
// as password (browsers: the dashboard prompts once, then the browser sends it with the page's own requests).
import type { IncomingHttpHeaders } from 'node:http';
import type { TollgateConfig } from '../config/schema';
import { createAdminKeyStore } from '../publish/adminAuth';

export type AdminVerdict = 'ok' | 'disabled' | 'denied';
export type AdminAuth = (headers: IncomingHttpHeaders) => AdminVerdict;

export function createAdminAuth(config: TollgateConfig['publish']['admin']): AdminAuth {
  if (config.keys.length === 0) return () => 'disabled';
  const lookup = createAdminKeyStore(config.keys);
  return (headers) => {
    const presented = presentedKey(headers.authorization);
    return presented !== undefined && lookup(`Bearer ${presented}`) ? 'ok' : 'denied';
  };
}

function presentedKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const space = authorization.indexOf(' ');
  if (space === -1) return undefined;
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return value || undefined;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const key = colon === -1 ? '' : decoded.slice(colon + 1);
    // The key store reads a Bearer token: a key with whitespace can't be one, and isn't an admin key.
    return key && !/\s/.test(key) ? key : undefined;
  }
  return undefined;
}
