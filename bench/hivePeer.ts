// The Hive Gateway peer's own package, bench/peers/hive-gateway/: installed there with `npm ci` (its lockfile) the
// first time a hive-gateway target is selected — never by the project's own install — and checked before use.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** npm ci of ~500 MB of packages on a slow link; past this the peer is given up for this run. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const OUTPUT_TAIL = 4 * 1024;
/** The packages whose installed versions must match the lockfile's, or the install is redone. */
const CHECKED = ['@graphql-hive/gateway', '@graphql-hive/router-runtime', '@graphql-hive/router-query-planner', 'graphql'];

export function hivePeerDir(repoRoot: string): string {
  return join(repoRoot, 'bench', 'peers', 'hive-gateway');
}

export type PeerStatus = { ok: true; dir: string; versions: string } | { ok: false; reason: string };

/**
 * Why the Rust planner's addon cannot load here, or undefined when it can: @graphql-hive/router-query-planner ships
 * prebuilt binaries for linux glibc and macOS, x64 and arm64 only.
 */
export function unsupportedPlatform(
  { platform, arch, glibc }: { platform: string; arch: string; glibc: string | undefined } = { platform: process.platform, arch: process.arch, glibc: glibcVersion() },
): string | undefined {
  if (arch !== 'x64' && arch !== 'arm64') return `no prebuilt Rust planner for ${arch}`;
  if (platform === 'darwin') return undefined;
  if (platform !== 'linux') return `no prebuilt Rust planner for ${platform}`;
  if (glibc === undefined) return 'no prebuilt Rust planner for musl libc (Alpine)';
  return undefined;
}

function glibcVersion(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}

/** Installed versions of CHECKED as "name@version, …", or undefined when any is missing or differs from the lockfile. */
function installedVersions(dir: string): string | undefined {
  let lock: { packages?: Record<string, { version?: string }> };
  try {
    lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as typeof lock;
  } catch {
    return undefined;
  }
  const found: string[] = [];
  for (const name of CHECKED) {
    const wanted = lock.packages?.[`node_modules/${name}`]?.version;
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (wanted === undefined || !existsSync(manifest)) return undefined;
    const actual = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
    if (actual !== wanted) return undefined;
    found.push(`${name}@${actual}`);
  }
  return found.join(', ');
}

/** Makes sure the peer is installed (running `npm ci` once if not); says why not when it cannot be. */
export async function ensureHivePeer(repoRoot: string, log: (line: string) => void): Promise<PeerStatus> {
  const platform = unsupportedPlatform();
  if (platform !== undefined) return { ok: false, reason: platform };
  const dir = hivePeerDir(repoRoot);
  if (!existsSync(join(dir, 'package-lock.json'))) return { ok: false, reason: `${dir}/package-lock.json is missing` };
  const already = installedVersions(dir);
  if (already !== undefined) return { ok: true, dir, versions: already };

  log(`hive-gateway: installing its own packages (npm ci in ${dir}; once, ~500 MB)…`);
  const result = await npmCi(dir);
  if (!result.ok) {
    return {
      ok: false,
      reason:
        `npm ci in ${dir} failed (${result.why}); is the npm registry reachable (\`npm config get registry\`, ` +
        `proxy settings)? npm said:\n${npmErrors(result.tail)}`,
    };
  }
  const installed = installedVersions(dir);
  if (installed === undefined) return { ok: false, reason: `npm ci in ${dir} finished but the installed versions do not match package-lock.json` };
  return { ok: true, dir, versions: installed };
}

/** npm's first few error lines (code, message), without the stack trace it prints after them. */
function npmErrors(output: string): string {
  const lines = output.split('\n').filter((line) => /^npm (error|ERR!)/.test(line) && !/^npm (error|ERR!)\s+at /.test(line));
  return (lines.length > 0 ? lines.slice(0, 6) : output.trim().split('\n').slice(-6)).join('\n');
}

function npmCi(dir: string): Promise<{ ok: true } | { ok: false; why: string; tail: string }> {
  // Under `npm run bench`, npm_execpath is the npm that runs us; otherwise whatever npm is on PATH.
  const viaNode = process.env.npm_execpath?.endsWith('.js') === true;
  const [command, prefix] = viaNode ? [process.execPath, [process.env.npm_execpath as string]] : ['npm', []];
  // --ignore-scripts: nothing in the peer needs one (the planner addon is prebuilt); one retry so an unreachable
  // registry fails in about a minute instead of npm's default several.
  const args = [...prefix, 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--fetch-retries=1', '--fetch-timeout=60000'];
  return new Promise((resolve) => {
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), INSTALL_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `could not run npm: ${error.message}`, tail });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, why: signal !== null ? `stopped by ${signal}${signal === 'SIGTERM' ? ` after ${INSTALL_TIMEOUT_MS / 60_000} min` : ''}` : `exit code ${code}`, tail });
    });
  });
}
