// The Redis test harness itself: a real server that can be killed and brought back.
import Redis from 'ioredis';
import { eventually } from './harness';
import { startRedis } from './redisServer';

it('starts a real redis-server on a random port, kills and restarts it', async () => {
  const redis = await startRedis();
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    expect(await client.ping()).toBe('PONG');
    await redis.kill();
    await expect(client.ping()).rejects.toThrow();
    await redis.restart();
    // ioredis reconnects on its own schedule: wait for it rather than for a fixed time.
    await eventually(() => client.ping().then((reply) => reply === 'PONG', () => false));
  } finally {
    client.disconnect();
    await redis.stop();
  }
});
