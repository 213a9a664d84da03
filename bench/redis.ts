// The redis-server behind the `tollgate+policies+redis` target: started by the bench on a free loopback port,
// without persistence, pinned next to the subgraphs, stopped with every other child. Absent redis-server → undefined.
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { freePort, spawnProgram, stopChild, type Child, type SpawnOptions } from './processes';

const READY_TIMEOUT_MS = 10_000;

export async function startBenchRedis(options: Omit<SpawnOptions, 'env'>): Promise<{ url: string; child: Child } | undefined> {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5000 });
  if (probe.error !== undefined || probe.status !== 0) return undefined;
  const port = await freePort();
  const child = spawnProgram('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], options);
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connections while redis-server boots reach us through connect()'s rejection; without a listener ioredis
  // would also print each one as an "Unhandled error event".
  client.on('error', () => undefined);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.connect();
        await client.ping();
        return { url: `redis://127.0.0.1:${port}`, child };
      } catch (error) {
        client.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}: ${(error as Error).message}\n${child.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    client.disconnect();
  }
}
