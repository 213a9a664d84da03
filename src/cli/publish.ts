// `tollgate check | publish | rollback | history`: flags, where the registry is (the config's store, or a gateway's
// /admin endpoint with --gateway), printing and exit codes. The work is in src/publish/.
import { readAdminReply } from './adminReplies';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readRoverSubgraphs } from '../compose/compose';
import { fetchSubgraphSdl } from '../compose/fetchSubgraphSdl';
import { loadConfig } from '../config/load';
import { parseDuration } from '../config/units';
import type { TollgateConfig } from '../config/schema';
import { checkSubgraph, type CheckReport } from '../publish/check';
import { historyView, type HistoryView } from '../publish/history';
import { defaultActor, gatherUsage, publishSubgraph, rollbackSupergraph, type PublishOutcome, type RollbackOutcome } from '../publish/publish';
import { failureOf, formatCheckReport, formatHistory, formatPublishOutcome, formatRollbackOutcome } from '../publish/report';
import { loadRegistryState, RegistryError } from '../publish/state';
import { openRegistryStore } from '../publish/store/open';
import type { RegistryStore } from '../publish/store/types';
import { RedisUsageStore } from '../telemetry/usage/redisUsageStore';
import { readServedManifest, withManifestOperations } from '../persisted/publish';

interface TextSink {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const DEFAULT_IO: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };

const COMMON = {
  config: { type: 'string' },
  supergraph: { type: 'string' },
  gateway: { type: 'string' },
  format: { type: 'string', default: 'text' },
} as const;

export type PublishCommand = 'check' | 'publish' | 'rollback' | 'history';

/** Thrown for bad flags; printed as `tollgate: <message>`, exit 1. */
class UsageError extends Error {}

/** Runs one of the commands; returns the exit code (0 ok, 1 failed check, refusal or error). Never throws. */
export async function runPublishCommand(command: PublishCommand, args: string[], io: CliIo = DEFAULT_IO): Promise<number> {
  try {
    switch (command) {
      case 'check':
      case 'publish':
        return await runCheckOrPublish(command, args, io);
      case 'rollback':
        return await runRollback(args, io);
      case 'history':
        return await runHistory(args, io);
    }
  } catch (error) {
    const message = error instanceof RegistryError ? `${error.code}: ${error.message}` : (error as Error).message;
    io.stderr.write(`tollgate ${command}: ${message}\n`);
    return 1;
  }
}

function formatOf(value: string | undefined): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new UsageError(`--format must be text or json, got "${value}"`);
  return value;
}

function loadCliConfig(flags: { config?: string; supergraph?: string }, io: CliIo): TollgateConfig {
  const path = flags.config ?? (existsSync(resolve(io.cwd, 'tollgate.yaml')) ? 'tollgate.yaml' : undefined);
  return loadConfig(path, { env: io.env, cwd: io.cwd, overrides: { supergraph: flags.supergraph } });
}

/** A remote registry: the /admin endpoint of a running gateway, with the key from TOLLGATE_ADMIN_KEY. */
async function callAdmin(gateway: string, method: 'GET' | 'POST', path: string, io: CliIo, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const key = io.env.TOLLGATE_ADMIN_KEY;
  if (!key) throw new UsageError('--gateway needs the admin key in TOLLGATE_ADMIN_KEY');
  const url = new URL(path, gateway);
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).catch((error: unknown) => {
    throw new Error(`cannot reach ${url.origin}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
  });
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON`);
  }
  return { status: response.status, json };
}

/** The error a failed admin call reports, e.g. `ADMIN_FORBIDDEN: …`. */
function adminError(json: Record<string, unknown>, status: number): Error {
  const [first] = (json.errors as Array<{ message?: string; extensions?: { code?: string } }> | undefined) ?? [];
  return new Error(first ? `${first.extensions?.code ?? status}: ${first.message}` : `HTTP ${status}`);
}

async function readSchema(source: string, io: CliIo): Promise<string> {
  if (/^https?:\/\//.test(source)) return fetchSubgraphSdl(source);
  try {
    return await readFile(resolve(io.cwd, source), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --schema ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Without --schema, publish takes the subgraph's source from rover.yaml (a monorepo's CI publishing what is merged). */
async function schemaFromRover(config: TollgateConfig, subgraph: string): Promise<string> {
  const read = await readRoverSubgraphs(config.publish.rover);
  if (!read.ok) throw new Error(`cannot read ${config.publish.rover}: ${read.errors.map((e) => e.message).join('; ')}`);
  const found = read.subgraphs.find((s) => s.name === subgraph);
  if (!found) throw new UsageError(`"${subgraph}" is not in ${config.publish.rover}; pass --schema`);
  return found.sdl;
}

function usageSourceOf(config: TollgateConfig): RedisUsageStore | undefined {
  const redis = config.usage.redis;
  return redis ? new RedisUsageStore({ url: redis.url, key: redis.key, maxOperations: config.usage.maxOperations }) : undefined;
}

async function runCheckOrPublish(command: 'check' | 'publish', args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON, schema: { type: 'string' }, 'routing-url': { type: 'string' }, 'allow-breaking': { type: 'boolean', default: false }, since: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const format = formatOf(values.format);
  const [subgraph, ...extra] = positionals;
  if (!subgraph || extra.length > 0) throw new UsageError(`usage: tollgate ${command} <subgraph> --schema <file|url> [--routing-url URL]${command === 'publish' ? ' [--allow-breaking]' : ''}`);
  if (!values.schema && (command === 'check' || values.gateway)) throw new UsageError(`${command} needs --schema <file|url>`);
  const routingUrl = values['routing-url'];
  const sinceMs = values.since !== undefined ? parseDuration(values.since) : undefined;
  if (values.since !== undefined && sinceMs === undefined) throw new UsageError(`--since must be a duration like "7d" or "12h", got "${values.since}"`);

  if (values.gateway) {
    if (values.since !== undefined) throw new UsageError('--since is for checks with --config; a gateway checks usage over its publish.usageWindow');
    const schema = await readSchema(values.schema!, io);
    const body = { subgraph, schema, ...(routingUrl ? { routingUrl } : {}), ...(command === 'publish' ? { allowBreaking: values['allow-breaking'] } : {}) };
    const { status, json } = await callAdmin(values.gateway, 'POST', `/admin/${command}`, io, body);
    if (command === 'check') {
      if (status !== 200) throw adminError(json, status);
      return printCheck(readAdminReply('checkReport', json.report, `${values.gateway}/admin/check`), format, values['allow-breaking'], io);
    }
    if (status === 200) return printPublish(readAdminReply('publishOutcome', json, `${values.gateway}/admin/publish`), format, io);
    if (json.report) return printPublish({ status: 'refused', reason: status === 422 ? 'composition' : 'breaking', report: readAdminReply('checkReport', json.report, `${values.gateway}/admin/publish`) }, format, io);
    throw adminError(json, status);
  }

  const config = loadCliConfig(values, io);
  const store = openRegistryStore(config);
  const usageSource = usageSourceOf(config);
  try {
    // Operations of the persisted-operation manifest count as used: a change that breaks a shipped one fails the check.
    const manifest = await readServedManifest(config).catch((error: unknown) => {
      io.stderr.write(`warning: persisted-operation manifest unavailable: ${(error as Error).message}\n`);
      return undefined;
    });
    const warnUsage = (error: Error) => io.stderr.write(`warning: usage data unavailable: ${error.message}\n`);
    const source = manifest ? withManifestOperations(usageSource, () => manifest, warnUsage) : usageSource;
    const usage = await gatherUsage(source, sinceMs ?? config.publish.usageWindow).catch((error: unknown) => {
      io.stderr.write(`warning: usage data unavailable: ${(error as Error).message}\n`);
      return undefined;
    });
    const sdl = values.schema ? await readSchema(values.schema, io) : await schemaFromRover(config, subgraph);
    const candidate = { name: subgraph, sdl, ...(routingUrl ? { url: routingUrl } : {}) };
    if (command === 'check') {
      const state = await loadRegistryState(store, config.publish.rover, io.env);
      return printCheck(checkSubgraph(state, candidate, usage).report, format, values['allow-breaking'], io);
    }
    if (!store) throw new RegistryError('PUBLISH_NOT_CONFIGURED', 'the config composes supergraph.rover; publishing needs supergraph.file or supergraph.redis (or --supergraph <file>)');
    const outcome = await publishSubgraph({ store, roverPath: config.publish.rover, env: io.env, candidate, allowBreaking: values['allow-breaking'], actor: defaultActor(io.env), usage });
    return printPublish(outcome, format, io);
  } finally {
    await store?.close();
    await usageSource?.close();
  }
}

function printCheck(report: CheckReport, format: 'text' | 'json', allowBreaking: boolean, io: CliIo): number {
  io.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
  const failure = failureOf(report);
  return failure === undefined || (allowBreaking && report.composition.ok) ? 0 : 1;
}

function printPublish(outcome: PublishOutcome, format: 'text' | 'json', io: CliIo): number {
  io.stdout.write(format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : formatPublishOutcome(outcome));
  return outcome.status === 'refused' ? 1 : 0;
}

async function withStore<T>(flags: { config?: string; supergraph?: string }, io: CliIo, run: (store: RegistryStore, config: TollgateConfig) => Promise<T>): Promise<T> {
  const config = loadCliConfig(flags, io);
  const store = openRegistryStore(config);
  if (!store) throw new RegistryError('PUBLISH_NOT_CONFIGURED', 'the config composes supergraph.rover; there is no published history (use supergraph.file or supergraph.redis)');
  try {
    return await run(store, config);
  } finally {
    await store.close();
  }
}

async function runRollback(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { ...COMMON, to: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length > 0) throw new UsageError('usage: tollgate rollback [--to <version|hash>]');
  const format = formatOf(values.format);
  let outcome: RollbackOutcome;
  if (values.gateway) {
    const { status, json } = await callAdmin(values.gateway, 'POST', '/admin/rollback', io, values.to !== undefined ? { to: values.to } : {});
    if (status !== 200) throw adminError(json, status);
    outcome = readAdminReply('rollbackOutcome', json, `${values.gateway}/admin/rollback`);
  } else {
    outcome = await withStore(values, io, (store, config) => rollbackSupergraph({ store, roverPath: config.publish.rover, to: values.to, actor: defaultActor(io.env) }));
  }
  io.stdout.write(format === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : formatRollbackOutcome(outcome));
  return 0;
}

async function runHistory(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { ...COMMON, limit: { type: 'string', default: '20' } }, allowPositionals: true, strict: true });
  if (positionals.length > 0) throw new UsageError('usage: tollgate history [--limit N]');
  const format = formatOf(values.format);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, got "${values.limit}"`);
  let view: HistoryView;
  if (values.gateway) {
    const { status, json } = await callAdmin(values.gateway, 'GET', '/admin/history', io);
    if (status !== 200) throw adminError(json, status);
    const all = readAdminReply('historyView', json, `${values.gateway}/admin/history`);
    view = { served: all.served, entries: all.entries.slice(0, limit) };
  } else {
    view = await withStore(values, io, async (store) => historyView(await store.history(), (await store.served())?.hash, limit));
  }
  // The same view in text and JSON, and as /admin/history gives it: newest first, the served entry marked.
  io.stdout.write(format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : formatHistory(view));
  return 0;
}
