// A real redis-server for tests: its own process on a random loopback port, no persistence, always stopped.
// Optionally a one-node Redis Cluster (every slot on this node), so Cluster code paths and hash tags are exercised.
// `.ci/run` installs redis-server; locally `apt-get install redis-server`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { closedPort } from './harness';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (as if it crashed: SIGKILL), keeping the port for `restart`. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: { cluster?: boolean } = {}): Promise<TestRedis> {
  const port = await closedPort();
  let child: ChildProcess | undefined;
  // Cluster mode keeps its slot table in nodes.conf, so a restarted node serves its slots again.
  const dir = options.cluster ? mkdtempSync(join(tmpdir(), 'tollgate-redis-')) : undefined;
  const clusterArgs = dir ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir, '--cluster-announce-ip', '127.0.0.1'] : [];

  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...clusterArgs], {
      stdio: 'ignore',
    });
    const started = child;
    await new Promise<void>((resolve, reject) => {
      started.once('error', reject);
      // disconnectTimeout: ioredis arms a timer on disconnect() that only a later 'close' clears; after a refused
      // connect the socket has closed already, so the default 2 s timer kept Jest from exiting.
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, disconnectTimeout: 0 });
      const deadline = Date.now() + 10_000;
      const attempt = () => {
        probe
          .connect()
          .then(() => probe.ping())
          .then(() => {
            probe.disconnect();
            resolve();
          })
          .catch(() => {
            probe.disconnect();
            if (Date.now() > deadline) reject(new Error(`redis-server did not start on port ${port}`));
            else setTimeout(attempt, 50);
          });
      };
      attempt();
    });
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await launch();
  if (options.cluster) await assignAllSlots(port);
  const stop = async () => {
    await kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: launch, stop };
}

/** Makes a fresh cluster-enabled node own all 16384 slots and waits until the cluster reports ok. */
async function assignAllSlots(port: number): Promise<void> {
  const admin = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    for (let attempt = 0; attempt < 200; attempt++) {
      const info = String(await admin.call('CLUSTER', 'INFO'));
      if (info.includes('cluster_state:ok')) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis cluster node on port ${port} did not become ok`);
  } finally {
    admin.disconnect();
  }
}
