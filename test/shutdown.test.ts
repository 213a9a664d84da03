// Graceful shutdown of a real `tollgate start` process: on SIGTERM it stops accepting, lets a request in flight
// finish (a slow subgraph), then exits 0; a second signal exits at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { closedPort, eventually, postJson, tempDir } from './harness';

const CLI = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');

let mini: Awaited<ReturnType<typeof startMiniGraph>>;
let proxy: FaultProxy;
let configFile: string;

beforeAll(async () => {
  mini = await startMiniGraph();
  proxy = await startFaultProxy(mini.stock.url);
  const dir = tempDir();
  writeFileSync(
    join(dir, 'supergraph.graphql'),
    composeMiniGraph(mini.catalog.url, proxy.url),
  );
  configFile = join(dir, 'tollgate.yaml');
  writeFileSync(configFile, 'supergraph:\n  file: supergraph.graphql\nserver:\n  shutdownTimeout: 5s\nlogging:\n  level: warn\n');
});

afterAll(async () => {
  await proxy?.close();
  await mini?.close();
});

/** Not NODE_ENV=test: Apollo Server installs signal handlers outside tests, and they must not get in the way. */
async function start(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; output: () => string }> {
  const port = await closedPort();
  const child = spawn(process.execPath, [CLI, 'start', '--config', configFile, '--port', String(port), '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'development' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200;
    } catch {
      return false;
    }
  }, 30_000);
  return { child, url: `http://127.0.0.1:${port}/graphql`, exited, output: () => output };
}

it('finishes a request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
  const gateway = await start();
  proxy.seen.length = 0;
  proxy.mode = { kind: 'slow', delayMs: 1_000 };
  try {
    const inFlight = postJson(gateway.url, { query: '{ products { id stock } }' });
    await eventually(() => proxy.seen.length > 0, 5_000);
    gateway.child.kill('SIGTERM');
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: { products: [{ id: '1', stock: expect.any(Number) }, { id: '2', stock: expect.any(Number) }] } });
    expect(await gateway.exited).toBe(0);
    await expect(fetch(gateway.url.replace('/graphql', '/health'))).rejects.toThrow();
  } finally {
    proxy.mode = { kind: 'pass' };
    gateway.child.kill('SIGKILL');
  }
}, 40_000);

it('exits at once on a second signal', async () => {
  const gateway = await start();
  proxy.seen.length = 0;
  proxy.mode = { kind: 'slow', delayMs: 4_000 };
  try {
    const inFlight = postJson(gateway.url, { query: '{ products { id stock } }' }).catch(() => undefined);
    await eventually(() => proxy.seen.length > 0, 5_000);
    gateway.child.kill('SIGTERM');
    // The first signal is being handled once the listener no longer accepts connections.
    await eventually(() => fetch(gateway.url.replace('/graphql', '/health')).then(() => false, () => true), 5_000);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(130);
    await inFlight;
  } finally {
    proxy.mode = { kind: 'pass' };
    gateway.child.kill('SIGKILL');
  }
}, 40_000);
