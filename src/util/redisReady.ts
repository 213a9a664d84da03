// Waiting, for a bounded time, until an ioredis client is connected: start-up and reads right after a reconnect
// must not hang on a Redis that is away (the clients keep reconnecting in the background).
import type { Cluster, Redis } from 'ioredis';

/** Resolves true once `redis` is ready, or false after `timeoutMs`. */
export function whenRedisReady(redis: Redis | Cluster, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    redis.once('ready', onReady);
  });
}
