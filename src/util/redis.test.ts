// The one Redis factory: one node or a Cluster from the same target shape, node auth from the first URL, the one
// URL check; and no other module under src/ constructs an ioredis client itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { createRedisClient, redisUrlSchema } from './redis';

describe('createRedisClient', () => {
  it('makes one node from a URL and a Cluster from nodes, with the options where each takes them', async () => {
    const node = createRedisClient('redis://127.0.0.1:1/2', { lazyConnect: true, enableOfflineQueue: false });
    expect(node).toBeInstanceOf(Redis);
    expect(node.options.db).toBe(2);
    const cluster = createRedisClient({ cluster: ['rediss://user:p%40ss@127.0.0.1:7000', 'redis://127.0.0.1:7001'] }, { lazyConnect: true, enableOfflineQueue: false, commandTimeout: 50 });
    expect(cluster).toBeInstanceOf(Cluster);
    const options = (cluster as Cluster).options;
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.redisOptions).toMatchObject({ username: 'user', password: 'p@ss', tls: {}, commandTimeout: 50 });
    node.disconnect();
    cluster.disconnect();
  });

  it('refuses a target with neither', () => {
    expect(() => createRedisClient({})).toThrow(/url or cluster/);
  });
});

describe('redisUrlSchema', () => {
  it.each(['redis://localhost:6379', 'rediss://u:p@h:1/0'])('accepts %s', (url) => expect(redisUrlSchema.safeParse(url).success).toBe(true));
  it.each(['redis://', 'http://x', 'redis://a b', ' redis://x', ''])('refuses %j', (url) => expect(redisUrlSchema.safeParse(url).success).toBe(false));
});

it('is the only place under src/ that constructs an ioredis client', () => {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !path.endsWith(join('util', 'redis.ts')) && /new (Redis|Cluster|IORedis)\(/.test(readFileSync(path, 'utf8'))) found.push(path);
    }
  };
  visit(join(__dirname, '..'));
  expect(found).toEqual([]);
});
