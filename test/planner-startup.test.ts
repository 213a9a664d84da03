// `planner: hive` where Hive Router's addon cannot load (musl, Windows): the start fails with one clear line, and
// `planner: apollo` starts in the same conditions, as does a config naming no planner (with a warning). The built CLI (dist/) runs with a preload that makes loading
// the addon throw as it does on such a platform.
import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './harness';

const CLI = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const PRELOAD = join(__dirname, 'fixtures', 'withoutHiveAddon.js');
const dir = tempDir();
copyFileSync(join(__dirname, '..', 'supergraph', 'supergraph.graphql'), join(dir, 'supergraph.graphql'));

/** Starts the CLI; resolves with its exit, or with `ready` once it has printed its listening line (then stops it). */
function start(planner: string | undefined): Promise<{ code: number | null; stderr: string; stdout: string; ready: boolean }> {
  const config = join(dir, `${planner ?? 'unset'}.yaml`);
  writeFileSync(config, `executor: tollgate\n${planner ? `planner: ${planner}\n` : ''}supergraph:\n  file: ${join(dir, 'supergraph.graphql')}\nserver:\n  port: 0\n  host: 127.0.0.1\n`);
  return new Promise((resolve) => {
    // --no-deprecation: with the preload's Module._load hook in the stack, Node 22+ blames the fixture (not
    // node_modules) for whatwg-url's `require('punycode')` and prints DEP0040; a plain start prints nothing.
    const child = spawn(process.execPath, ['--no-deprecation', '-r', PRELOAD, CLI, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let ready = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!ready && /tollgate is serving/.test(stdout)) {
        ready = true;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => resolve({ code, stderr, stdout, ready }));
  });
}

it('planner: hive without a loadable addon: exit 1 and one line saying what to do', async () => {
  const result = await start('hive');
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain('planner: hive needs @graphql-hive/router-query-planner');
  expect(result.stderr).toContain('Use planner: apollo.');
}, 30_000);

it('planner: apollo starts in the same conditions', async () => {
  const result = await start('apollo');
  expect(result.ready).toBe(true);
}, 30_000);

it('no planner configured (the default, hive): starts on @apollo/query-planner with one warning line', async () => {
  const result = await start(undefined);
  expect(result.ready).toBe(true);
  const warnings = result.stdout.split('\n').filter((line) => line.includes("Hive's query planner (the default) cannot load here"));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('@apollo/query-planner plans');
}, 30_000);
