// A real redis-server for tests: its own process on a random loopback port, no persistence, always stopped.
// `.ci/run` installs redis-server; locally `apt-get install redis-server`.
import { spawn, type ChildProcess } from 'node:child_process';
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

export async function startRedis(): Promise<TestRedis> {
  const port = await closedPort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    const started = child;
    await new Promise<void>((resolve, reject) => {
      started.once('error', reject);
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: launch, stop: kill };
}
