// `tollgate start` failing at start-up, as an operator sees it: one clear line naming the cause and what to do,
// exit status 1, no stack trace (unless the config logs at debug).
import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './harness';

const CLI = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const SUPERGRAPH = join(__dirname, '..', 'supergraph', 'supergraph.graphql');

function tollgate(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A start that succeeded would run forever: the test's own timeout ends it as a failure.
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

let busy: Server;
let busyPort: number;
const dir = tempDir();

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
  copyFileSync(SUPERGRAPH, join(dir, 'supergraph.graphql'));
});

afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

const stackLine = /^\s+at /m;

it('names a taken port and how to choose another', async () => {
  const result = await tollgate(['start', '--supergraph', join(dir, 'supergraph.graphql'), '--port', String(busyPort), '--host', '127.0.0.1']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`tollgate: port ${busyPort} on 127.0.0.1 is already in use`);
  expect(result.stderr).toContain('--port');
  expect(result.stderr).not.toMatch(stackLine);
}, 30_000);

it('names a missing supergraph file', async () => {
  const result = await tollgate(['start', '--supergraph', join(dir, 'missing.graphql'), '--port', '0']);
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toBe(`tollgate: cannot read ${join(dir, 'missing.graphql')}: no such file`);
}, 30_000);

it('reports a composition failure in one line', async () => {
  writeFileSync(join(dir, 'rover.yaml'), 'federation_version: =2.14.0\nsubgraphs:\n  a:\n    routing_url: http://127.0.0.1:1/graphql\n    schema:\n      file: nope.graphql\n');
  const result = await tollgate(['start', '--supergraph', join(dir, 'rover.yaml'), '--port', '0']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^tollgate: composition of .*rover\.yaml failed: \[a\] SCHEMA_FILE_UNREADABLE/);
  expect(result.stderr).not.toMatch(stackLine);
}, 30_000);

it('adds the stack when the config logs at debug', async () => {
  writeFileSync(join(dir, 'debug.yaml'), 'logging:\n  level: debug\n');
  const result = await tollgate(['start', '--config', join(dir, 'debug.yaml'), '--supergraph', join(dir, 'missing.graphql'), '--port', '0']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('tollgate: cannot read');
  expect(result.stderr).toMatch(stackLine);
}, 30_000);

it('reports an unreadable config file without a stack', async () => {
  const result = await tollgate(['start', '--config', join(dir, 'nope.yaml')]);
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toMatch(/^tollgate: cannot read config file .*nope\.yaml: ENOENT$/);
}, 30_000);
