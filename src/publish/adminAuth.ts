// Who may use /admin: admin keys from `publish.admin.keys`, kept only as SHA-256 hashes (like API keys,
// src/identity/apiKeys.ts), each optionally limited to the subgraphs its team owns. Pure decisions.
import { timingSafeEqual } from 'node:crypto';
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
export function createAdminKeyStore(keys: AdminKeys): (authorization: string | undefined) => AdminClient | undefined {
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
