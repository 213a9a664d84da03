// The registry's Redis layout, shared by the publisher (redisStore.ts) and every gateway reading it
// (src/compose/redisSupergraphSource.ts). All keys start with the configured `supergraph.redis.key`.

export interface RegistryKeys {
  /** String: the served supergraph's sha256. */
  current: string;
  /** List of JSON history entries, oldest first. */
  history: string;
  /** Pub/sub channel: the new `current` hash is published here after every commit. */
  channel: string;
  /** String: an SDL (supergraph or subgraph) by its sha256. */
  blob(hash: string): string;
}

export const DEFAULT_REGISTRY_KEY = 'tollgate:supergraph';

export function registryKeys(prefix = DEFAULT_REGISTRY_KEY): RegistryKeys {
  return {
    current: `${prefix}:current`,
    history: `${prefix}:history`,
    channel: `${prefix}:published`,
    blob: (hash) => `${prefix}:blob:${hash}`,
  };
}
