// Loads tollgate.yaml once: env expansion, YAML parse, schema validation, CLI overrides, deep freeze.
// Errors name the file and the key path, so a typo is found without reading the source.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { expandTree, roverLookup } from '../compose/envExpansion';
import { configSchema, type TollgateConfig, type TollgateConfigInput } from './schema';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The settings a CLI flag may override; flags win over the file, as users expect. */
export interface ConfigOverrides {
  port?: number;
  host?: string;
  supergraph?: string;
}

/** Validates raw config (already parsed from YAML) and applies overrides. `baseDir` resolves relative paths. */
export function buildConfig(raw: unknown, options: { baseDir: string; source?: string; overrides?: ConfigOverrides }): TollgateConfig {
  const input = (raw ?? {}) as TollgateConfigInput;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${options.source ?? 'config'}: expected a mapping at the top level`);
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, options.source ?? 'config', input));
  const config = parsed.data;

  const { overrides = {} } = options;
  if (overrides.port !== undefined) config.server.port = overrides.port;
  if (overrides.host !== undefined) config.server.host = overrides.host;
  if (overrides.supergraph !== undefined) {
    // A flag names a composed SDL file or a rover.yaml, told apart by extension.
    const isRover = /\.ya?ml$/i.test(overrides.supergraph);
    config.supergraph.file = isRover ? undefined : overrides.supergraph;
    config.supergraph.rover = isRover ? overrides.supergraph : undefined;
    config.supergraph.redis = undefined;
  }
  if (config.supergraph.file) config.supergraph.file = resolve(options.baseDir, config.supergraph.file);
  if (config.supergraph.rover) config.supergraph.rover = resolve(options.baseDir, config.supergraph.rover);
  if (config.rest.baseDir) config.rest.baseDir = resolve(options.baseDir, config.rest.baseDir);
  if (config.authorization.policies) config.authorization.policies = resolve(options.baseDir, config.authorization.policies);
  config.publish.rover = resolve(options.baseDir, config.publish.rover);
  if (config.publish.historyDir) config.publish.historyDir = resolve(options.baseDir, config.publish.historyDir);
  const manifest = config.persistedOperations.manifest;
  if (manifest.file) manifest.file = resolve(options.baseDir, manifest.file);
  return deepFreeze(config);
}

/** Reads a YAML config file. Without a file, the defaults apply (relative paths from `cwd`). */
export function loadConfig(path: string | undefined, options: { env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides; cwd?: string } = {}): TollgateConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (!path) return buildConfig({}, { baseDir: cwd, source: 'defaults', overrides: options.overrides });

  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: invalid YAML: ${(error as Error).message}`);
  }
  // ${env.NAME}, ${env.NAME:-default} and ${file.PATH} in string values, as in rover's supergraph.yaml. Expanded
  // after parsing, so a secret's characters can never change the YAML's structure.
  const problems: string[] = [];
  const lookup = roverLookup({ env, baseDir: dirname(file), resolvePath: resolve, readFile: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined) });
  const raw = expandTree(parsed, lookup, (path, error) => problems.push(`  ${path.join('.')}: ${error.message}`));
  if (problems.length > 0) throw new ConfigError(`invalid configuration in ${file}:\n${problems.join('\n')}`);
  return buildConfig(raw, { baseDir: dirname(file), source: file, overrides: options.overrides });
}

/** Keys whose values are never echoed in an error: they may hold credentials. */
const SECRET_KEY = /secret|key|password|token|url|cluster/i;

function formatIssues(error: z.ZodError, source: string, input: unknown): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length ? `${path}.` : '';
      return `  unknown key ${issue.keys.map((k) => `"${prefix}${k}"`).join(', ')}`;
    }
    return `  ${path}: ${issue.message}${givenValue(input, issue.path)}`;
  });
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}

/** `, got <value>` for the value at `path` in the raw config, unless it is absent or could be a secret. */
function givenValue(input: unknown, path: readonly PropertyKey[]): string {
  if (path.some((segment) => typeof segment === 'string' && SECRET_KEY.test(segment))) return '';
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  if (value === undefined || (typeof value === 'object' && value !== null)) return '';
  const text = JSON.stringify(value);
  return `, got ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof RegExp)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
