// The one admin authentication, for every /admin route and /metrics when asked: the admin keys of
// `publish.admin.keys`, kept only as SHA-256 hashes (like API keys, src/identity/apiKeys.ts), each optionally
// limited to the subgraphs its team owns. Publishing takes `authorization: Bearer <key>` only; the read-only
// operations pages also take Basic auth with the key as password (browsers: the dashboard prompts once, then the
// browser sends it with the page's own requests — never to a route that changes anything). Pure decisions.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TollgateConfig } from '../config/schema';
import { sha256Hex } from '../identity/apiKeys';

export interface AdminClient {
  client: string;
  /** undefined: every subgraph, and rollback. */
  subgraphs?: ReadonlySet<string>;
}

export type AdminAction = { kind: 'read' } | { kind: 'check' | 'publish'; subgraph: string } | { kind: 'rollback' };

type AdminKeys = TollgateConfig['publish']['admin']['keys'];

/** `authorization: Bearer <key>` → the key's client, or undefined for a missing or unknown key. */
export type AdminKeyLookup = (authorization: string | undefined) => AdminClient | undefined;

export function createAdminKeyStore(keys: AdminKeys): AdminKeyLookup {
  const byHash = new Map<string, AdminClient & { hash: string }>();
  for (const entry of keys) {
    const hash = (entry.sha256 ?? sha256Hex(entry.key!)).toLowerCase();
    byHash.set(hash, { client: entry.client, hash, ...(entry.subgraphs ? { subgraphs: new Set(entry.subgraphs) } : {}) });
  }
  return (authorization) => {
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match) return undefined;
    const hash = sha256Hex(match[1]);
    const found = byHash.get(hash);
    // The map lookup compared hashes already; this keeps the final comparison constant-time.
    if (!found || !timingSafeEqual(Buffer.from(found.hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
    return found.subgraphs ? { client: found.client, subgraphs: found.subgraphs } : { client: found.client };
  };
}

/** Undefined when allowed, else why not. A team's key checks and publishes its own subgraphs; rollback is the platform's. */
export function denyReason(client: AdminClient, action: AdminAction): string | undefined {
  if (action.kind === 'read' || !client.subgraphs) return undefined;
  if (action.kind === 'rollback') return `the admin key of "${client.client}" is limited to subgraphs (${[...client.subgraphs].join(', ')}) and cannot roll back the whole graph`;
  if (!client.subgraphs.has(action.subgraph)) return `the admin key of "${client.client}" may not ${action.kind} subgraph "${action.subgraph}" (only ${[...client.subgraphs].join(', ')})`;
  return undefined;
}


export type AdminVerdict = 'ok' | 'disabled' | 'denied';
export type AdminAuth = (headers: IncomingHttpHeaders) => AdminVerdict;

/** `lookup`: the gateway's one key store (the router builds it once for pages and publishing). */
export function createAdminAuth(config: TollgateConfig['publish']['admin'], lookup: AdminKeyLookup = createAdminKeyStore(config.keys)): AdminAuth {
  if (config.keys.length === 0) return () => 'disabled';
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
