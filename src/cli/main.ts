#!/usr/bin/env node
// `tollgate <command>`: parses flags, loads config, runs the command. Nothing else lives here.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config/load';
import type { TollgateConfig } from '../config/schema';

const USAGE = `usage: tollgate <command> [flags]

commands:
  start     serve the gateway            --config tollgate.yaml  --supergraph <file.graphql|rover.yaml>  --port N  --host H
  dev       example subgraphs + gateway  (what \`npm start\` runs; same flags as start)
  compose   compose rover.yaml           --config rover.yaml  --output supergraph/supergraph.graphql

Flags override the config file. Without --config, ./tollgate.yaml is used when present.`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'start':
    case 'dev': {
      if (command === 'dev') (await import('./dev')).ensureDevJwtSecret();
      const config = configFromFlags(command, rest);
      if (command === 'dev') {
        const { runDev } = await import('./dev');
        return runDev(config, { portFromFlag: rest.includes('--port') || rest.some((a) => a.startsWith('--port=')) });
      }
      const { runStart } = await import('./start');
      return runStart(config);
    }
    case 'compose': {
      const flags = parseArgs({ args: rest, options: { config: { type: 'string' }, output: { type: 'string' } }, strict: true }).values;
      const { runCompose } = await import('./compose');
      return runCompose({ config: flags.config, output: flags.output });
    }
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

/** `start`/`dev` flags → a validated config: flags override the file, the file overrides defaults. */
export function configFromFlags(command: 'start' | 'dev', args: string[], cwd = process.cwd()): TollgateConfig {
  const flags = parseArgs({
    args,
    options: { config: { type: 'string' }, supergraph: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  }).values;
  const overrides: ConfigOverrides = { supergraph: flags.supergraph, host: flags.host };
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, got "${flags.port}"`);
    overrides.port = port;
  }
  const configPath = flags.config ?? (existsSync(resolve(cwd, 'tollgate.yaml')) ? 'tollgate.yaml' : undefined);
  const config = loadConfig(configPath, { overrides, cwd });
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
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) console.error(`tollgate: ${(error as Error).message}`);
    else console.error('tollgate:', error);
    process.exit(1);
  },
);
