// API keys from config: kept only as SHA-256 hashes, looked up in constant time per key.
import { timingSafeEqual } from 'node:crypto';
import type { TollgateConfig } from '../config/schema';
import { sha256Hex } from '../util/sha256';

type ApiKeysConfig = NonNullable<TollgateConfig['authentication']['apiKeys']>;

export interface ApiKeyClient {
  client: string;
  scopes: readonly string[];
  plan?: string;
  /** Hex SHA-256 of the key. */
  hash: string;
}

export { sha256Hex };

export function createApiKeyStore(config: ApiKeysConfig): (presented: string) => ApiKeyClient | undefined {
  const byHash = new Map<string, ApiKeyClient>();
  for (const entry of config.keys) {
    const hash = (entry.sha256 ?? sha256Hex(entry.key!)).toLowerCase();
    byHash.set(hash, { client: entry.client, scopes: entry.scopes, plan: entry.plan, hash });
  }
  return (presented) => {
    const hash = sha256Hex(presented);
    const found = byHash.get(hash);
    // The map lookup already compared hashes; this keeps the final comparison constant-time.
    if (!found || !timingSafeEqual(Buffer.from(found.hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
    return found;
  };
}
