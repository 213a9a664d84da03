// Which registry store a config names: Redis with `supergraph.redis`, files with `supergraph.file`, none with
// `supergraph.rover` (that gateway composes for itself, so there is nothing to publish to).
import { dirname, join } from 'node:path';
import type { TollgateConfig } from '../../config/schema';
import { FileRegistryStore } from './fileStore';
import { RedisRegistryStore } from './redisStore';
import type { RegistryStore } from './types';

export function openRegistryStore(config: TollgateConfig): RegistryStore | undefined {
  const { supergraph, publish } = config;
  if (supergraph.redis) return new RedisRegistryStore({ url: supergraph.redis.url, key: supergraph.redis.key, historyLimit: publish.historyLimit });
  if (supergraph.file) {
    return new FileRegistryStore({
      supergraphFile: supergraph.file,
      historyDir: publish.historyDir ?? join(dirname(supergraph.file), 'history'),
      historyLimit: publish.historyLimit,
    });
  }
  return undefined;
}
