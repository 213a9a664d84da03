// Child processes of the bench: started (optionally pinned to a CPU with taskset), watched until ready, and
// always stopped — every one is registered so exit, SIGINT and failures can kill whatever is still running.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** Last bytes of a child's stdout+stderr kept for error messages. */
const OUTPUT_TAIL = 8 * 1024;
const STOP_GRACE_MS = 5000;

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** The last few KB of its output, for diagnostics. */
  output(): string;
}

const running = new Set<Child>();

export interface Pinning {
  enabled: boolean;
  /** Why pinning is off, or the layout when on. */
  note: string;
}

/**
 * Pins this process (the load generator) and all its threads to CPU 1 when taskset works and there are two
 * CPUs; the gateway then goes to CPU 0 and the subgraphs to CPU 1 through {@link spawnPinned}.
 */
export function setUpPinning(disabled: boolean): Pinning {
  if (disabled) return { enabled: false, note: 'off (--no-pin)' };
  const cpus = availableParallelism();
  if (cpus < 2) return { enabled: false, note: `off (only ${cpus} CPU available)` };
  const probe = spawnSync('taskset', ['-c', '0,1', 'true'], { stdio: 'ignore', timeout: 5000 });
  if (probe.error !== undefined || probe.status !== 0) return { enabled: false, note: 'off (taskset missing or not permitted; install util-linux)' };
  // -a: every thread, including libuv's pool and V8's helpers that already exist.
  const self = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore', timeout: 5000 });
  if (self.error !== undefined || self.status !== 0) return { enabled: false, note: 'off (taskset could not pin the bench process)' };
  return { enabled: true, note: `gateway on CPU 0; subgraphs + load generator on CPU 1 (${cpus} CPUs available)` };
}

export interface SpawnOptions {
  /** CPU to pin to when pinning is enabled. */
  cpu: number;
  pinning: Pinning;
  env?: NodeJS.ProcessEnv;
}

/** Starts `node <script> ...args` with the parent-death guard preloaded, pinned to `cpu` when pinning is on. */
export function spawnNode(name: string, script: string, args: string[], options: SpawnOptions): Child {
  return spawnProgram(name, process.execPath, ['--require', join(__dirname, 'exitWithParent.js'), script, ...args], options);
}

/** Starts any program (e.g. redis-server), pinned to `cpu` when pinning is on, registered like every child. */
export function spawnProgram(name: string, program: string, programArgs: string[], options: SpawnOptions): Child {
  // taskset execs the program, so the pid we get is the program itself (what /proc stats must read).
  const [command, argv] = options.pinning.enabled ? ['taskset', ['-c', String(options.cpu), program, ...programArgs]] : [program, programArgs];
  const proc = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
    proc.once('error', () => resolve());
  });
  const child: Child = { name, pid: proc.pid ?? -1, process: proc, exited, output: () => tail };
  running.add(child);
  void exited.then(() => running.delete(child));
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  return child;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export async function stopChild(child: Child): Promise<void> {
  if (!running.has(child)) return;
  child.process.kill('SIGTERM');
  if (await settlesWithin(child.exited, STOP_GRACE_MS)) return;
  child.process.kill('SIGKILL');
  await settlesWithin(child.exited, 2000);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}

/** For `process.on('exit')`, where nothing asynchronous runs: SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const child of running) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function exitError(child: Child): Error {
  const { exitCode, signalCode } = child.process;
  return new Error(`${child.name} exited (${signalCode ?? `code ${exitCode}`}) before it was ready; its output:\n${child.output().trim()}`);
}

/** The first stdout line that parses as a JSON object; fails if the child exits or `timeoutMs` passes first. */
export function firstJsonLine(child: Child, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        try {
          const parsed: unknown = JSON.parse(line);
          if (typeof parsed === 'object' && parsed !== null) return finish(() => resolve(parsed as Record<string, unknown>));
        } catch {
          // Not ours (e.g. a JSON log line cut short); keep reading.
        }
      }
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`${child.name} printed no JSON line within ${timeoutMs} ms; output:\n${child.output().trim()}`))), timeoutMs);
    const onExit = () => finish(() => reject(exitError(child)));
    function finish(settle: () => void): void {
      clearTimeout(timer);
      child.process.stdout?.off('data', onData);
      child.process.off('exit', onExit);
      settle();
    }
    child.process.stdout?.on('data', onData);
    child.process.once('exit', onExit);
  });
}

/** Polls `url` with GET until it answers 200; fails if the child exits or `timeoutMs` passes first. */
export async function waitForHttp200(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!running.has(child)) throw exitError(child);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${child.name} not ready at ${url} within ${timeoutMs} ms (last: ${last}); output:\n${child.output().trim()}`);
}

/** A port free on 127.0.0.1 right now (the OS picks it; another process could still take it before we do). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}
