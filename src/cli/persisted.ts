// `tollgate persisted publish <manifest.json>`: flags, config, printing and exit codes. The manifest is parsed and
// each operation validated against the supergraph served now (refused when one fails, unless --allow-invalid),
// then written where the gateways read it. The work is in src/persisted/.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import type { TollgateConfig } from '../config/schema';
import { parseManifest } from '../persisted/manifest';
import { manifestTargetOf, writeManifest } from '../persisted/publish';
import { findInvalidOperations } from '../persisted/validate';
import { apiSchemaOf } from '../publish/apiSchema';
import type { CliIo } from './publish';

const DEFAULT_IO: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };

export async function runPersistedCommand(args: string[], io: CliIo = DEFAULT_IO): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { config: { type: 'string' }, supergraph: { type: 'string' }, 'allow-invalid': { type: 'boolean', default: false }, format: { type: 'string', default: 'text' } },
      allowPositionals: true,
      strict: true,
    });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'publish' || !file || extra.length > 0) throw new Error('usage: tollgate persisted publish <manifest.json> [--config tollgate.yaml] [--allow-invalid] [--format json]');
    if (values.format !== 'text' && values.format !== 'json') throw new Error(`--format must be text or json, got "${values.format}"`);
    const configPath = values.config ?? (existsSync(resolve(io.cwd, 'tollgate.yaml')) ? 'tollgate.yaml' : undefined);
    const config = loadConfig(configPath, { env: io.env, cwd: io.cwd, overrides: { supergraph: values.supergraph } });
    const target = manifestTargetOf(config);
    if (!target) throw new Error('the config names no manifest store: set persistedOperations.manifest.redis (or manifest.file)');

    const text = await readFile(resolve(io.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${file}: ${error.code ?? error.message}`);
    });
    const parsed = parseManifest(text);
    if (!parsed.ok) throw new Error(`${file} is not a manifest: ${parsed.errors.join('; ')}`);
    const manifest = parsed.manifest;
    const supergraphSdl = await servedSupergraph(config);
    const invalid = supergraphSdl === undefined ? undefined : findInvalidOperations(manifest, apiSchemaOf(supergraphSdl));
    const refused = invalid !== undefined && invalid.length > 0 && !values['allow-invalid'];
    if (!refused) await writeManifest(target, text, manifest);
    const report = {
      status: refused ? 'refused' : 'published',
      hash: manifest.hash,
      format: manifest.format,
      operations: manifest.operations.size,
      target: target.kind === 'file' ? target.file : `${target.key} (redis)`,
      validated: invalid !== undefined,
      invalid: invalid ?? [],
    };
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout.write(formatReport(report));
    return refused ? 1 : 0;
  } catch (error) {
    io.stderr.write(`tollgate persisted: ${(error as Error).message}\n`);
    return 1;
  }
}

function formatReport(report: { status: string; hash: string; format: string; operations: number; target: string; validated: boolean; invalid: Array<{ id: string; name?: string; errors: string[] }> }): string {
  const lines = [`${report.status === 'published' ? 'Published' : 'Refused'} manifest ${report.hash.slice(0, 12)} (${report.format}, ${report.operations} operations) → ${report.target}`];
  if (!report.validated) lines.push('  warning: no supergraph found to validate against; published unvalidated');
  for (const op of report.invalid) lines.push(`  invalid ${op.id}${op.name ? ` (${op.name})` : ''}: ${op.errors.join(' ')}`);
  if (report.status === 'refused') lines.push('  operations above do not validate against the served supergraph; fix them or pass --allow-invalid');
  return `${lines.join('\n')}\n`;
}

/** The supergraph the gateways serve (file, Redis registry or rover.yaml composed), or undefined when none is there. */
async function servedSupergraph(config: TollgateConfig): Promise<string | undefined> {
  const { file, redis, rover } = config.supergraph;
  if (file) return existsSync(file) ? readFile(file, 'utf8') : undefined;
  if (redis) {
    const { RedisSupergraphSource } = await import('../compose/redisSupergraphSource');
    const pino = (await import('pino')).default;
    const source = new RedisSupergraphSource({ url: redis.url, key: redis.key, logger: pino({ level: 'silent' }) });
    try {
      return await source.load().catch(() => undefined);
    } finally {
      await source.close();
    }
  }
  if (rover) {
    const { composeFromRoverConfig } = await import('../compose/compose');
    const result = await composeFromRoverConfig(rover, process.env);
    return result.ok ? result.supergraphSdl : undefined;
  }
  return undefined;
}
