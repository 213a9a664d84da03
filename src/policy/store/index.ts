// Builds the configured counter store. The Redis client is loaded only when Redis is configured.
import type { Logger } from 'pino';
import type { StoreConfig } from './config';
import { MemoryCounterStore } from './memory';
import type { CounterStore } from './types';

export type { CounterOp, CounterResult, CounterStore, StoreStatus } from './types';
export { StoreUnavailableError } from './types';

export async function createCounterStore(config: StoreConfig, logger: Logger): Promise<CounterStore> {
  if (config.kind === 'memory' || !config.redis) return new MemoryCounterStore();
  const { RedisCounterStore } = await import('./redis');
  const store = new RedisCounterStore(config.redis, logger);
  // Start serving even when Redis is down (`onUnavailable` decides per request), but give it a moment first.
  if (!(await store.ready())) logger.warn({ store: 'redis' }, 'rate-limit store not reachable at start-up; reconnecting in the background');
  return store;
}
