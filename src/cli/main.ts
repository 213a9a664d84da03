#!/usr/bin/env node
// `tollgate <command>`: parses flags, loads config, runs the command. Nothing else lives here.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config/load';
import type { TollgateConfig } from '../config/schema';
import { commandHelp, isCommand, overview, version, wantsHelp } from './help';
import { reportStartupError } from './startupErrors';

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0];
    console.log(command === 'help' && topic && isCommand(topic) ? commandHelp(topic) : overview());
    return command ? 0 : 1;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(`tollgate ${version()}`);
    return 0;
  }
  if (isCommand(command) && wantsHelp(rest)) {
    console.log(commandHelp(command));
    return 0;
  }
  switch (command) {
    case 'start':
    case 'dev': {
      if (command === 'dev') (await import('./dev')).ensureDevSecrets();
      const config = configFromFlags(command, rest);
      if (command === 'dev') {
        const { runDev } = await import('./dev');
        return runDev(config, { portFromFlag: rest.includes('--port') || rest.some((a) => a.startsWith('--port=')) });
      }
      const { runStart } = await import('./start');
      return runStart(config, { workers: workersFromFlags(rest) });
    }
    case 'compose': {
      const flags = parseArgs({ args: rest, options: { config: { type: 'string' }, output: { type: 'string' } }, strict: true }).values;
      const { runCompose } = await import('./compose');
      return runCompose({ config: flags.config, output: flags.output });
    }
    case 'check':
    case 'publish':
    case 'rollback':
    case 'history': {
      const { runPublishCommand } = await import('./publish');
      return runPublishCommand(command, rest);
    }
    case 'persisted': {
      const { runPersistedCommand } = await import('./persisted');
      return runPersistedCommand(rest);
    }
    case 'usage': {
      const { parseUsageFlags, runUsage } = await import('./usage');
      const flags = parseUsageFlags(rest);
      const configPath = flags.config ?? (existsSync(resolve(process.cwd(), 'tollgate.yaml')) ? 'tollgate.yaml' : undefined);
      // With --gateway the gateway is asked, so no config (and none of its secrets) is needed.
      const config = flags.gateway ? undefined : loadConfig(configPath);
      return runUsage(flags, config, (text) => process.stdout.write(text));
    }
    default:
      console.error(`unknown command "${command}"\n\n${overview()}`);
      return 1;
  }
}

/** Whether a failure prints its stack: the loaded config logs at debug or trace. */
let debugStacks = false;

const START_OPTIONS = { config: { type: 'string' }, supergraph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, workers: { type: 'string' } } as const;

/**
 * `--workers N|auto` → how many gateway processes `start` runs. Without the flag: one per core when
 * NODE_ENV=production, else 1 (a single process is easier to debug and enough for development).
 */
export function workersFromFlags(args: string[], env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const value = parseArgs({ args, options: START_OPTIONS, strict: true }).values.workers ?? (env.NODE_ENV === 'production' ? 'auto' : '1');
  if (value === 'auto') return cores;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1024) throw new ConfigError(`--workers must be a positive whole number or "auto", got "${value}"`);
  return count;
}

/** `start`/`dev` flags → a validated config: flags override the file, the file overrides defaults. */
export function configFromFlags(command: 'start' | 'dev', args: string[], cwd = process.cwd()): TollgateConfig {
  const flags = parseArgs({ args, options: START_OPTIONS, strict: true }).values;
  if (command === 'dev' && flags.workers !== undefined) throw new ConfigError('--workers is for `tollgate start`; `dev` runs one process');
  const overrides: ConfigOverrides = { supergraph: flags.supergraph, host: flags.host };
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, got "${flags.port}"`);
    overrides.port = port;
  }
  // `start` reads ./tollgate.yaml when present; `dev` (npm start) runs the example config.
  const implicit = command === 'dev' ? 'tollgate.example.yaml' : 'tollgate.yaml';
  const configPath = flags.config ?? (existsSync(resolve(cwd, implicit)) ? implicit : undefined);
  const config = loadConfig(configPath, { overrides, cwd });
  debugStacks = config.logging.level === 'debug' || config.logging.level === 'trace';
  if (command === 'dev' && !config.supergraph.file && !config.supergraph.rover) {
    // `dev` composes the example rover.yaml unless the config or a flag names a supergraph.
    return loadConfig(configPath, { overrides: { ...overrides, supergraph: 'rover.yaml' }, cwd });
  }
  return config;
}

if (require.main === module) void runCli(process.argv.slice(2)).then(
  (code) => {
    // `start`/`dev` return -1 to mean "keep running until a signal".
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    reportStartupError(error, debugStacks);
    process.exit(1);
  },
);
