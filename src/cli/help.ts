// What `tollgate --help`, `tollgate <command> --help` and `tollgate --version` print. One entry per command: the
// overview lists their summaries, each command's help adds its flags.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const COMMANDS = {
  start: {
    summary: 'serve the gateway',
    usage: 'tollgate start [--config tollgate.yaml] [--supergraph <file.graphql|rover.yaml>] [--port N] [--host H] [--workers N|auto]',
    details: `Reads --config, else ./tollgate.yaml when present, else the defaults. Flags override the file.
  --supergraph   a composed supergraph (hot-reloaded) or a rover.yaml composed at start-up
  --port, --host where to listen (0 takes a free port)
  --workers      gateway processes on one port: a number, or auto (one per core; the default when NODE_ENV=production)`,
  },
  dev: {
    summary: 'example subgraphs + gateway (what `npm start` runs)',
    usage: 'tollgate dev [--config tollgate.example.yaml] [--supergraph …] [--port N] [--host H]',
    details: `Starts the example subgraphs and REST service, then the gateway with ./tollgate.example.yaml; prints a development
token and admin key. Without --port it picks a free port when 4000 is taken.`,
  },
  compose: {
    summary: 'compose rover.yaml into a supergraph',
    usage: 'tollgate compose [--config rover.yaml] [--output supergraph/supergraph.graphql]',
    details: 'Composes with @apollo/composition, as `rover supergraph compose` would; prints the supergraph without --output.',
  },
  check: {
    summary: 'will a subgraph schema compose, and what would it break?',
    usage: 'tollgate check <subgraph> --schema <file|url> [--routing-url URL] [--since 7d] [--allow-breaking] [--format json]',
    details: registryNote(),
  },
  publish: {
    summary: 'check, then publish a subgraph: every gateway on the store picks it up',
    usage: 'tollgate publish <subgraph> [--schema <file|url>] [--routing-url URL] [--allow-breaking] [--format json]',
    details: registryNote(),
  },
  rollback: {
    summary: 'serve an earlier supergraph again',
    usage: 'tollgate rollback [--to <version|hash>] [--format json]',
    details: registryNote(),
  },
  history: {
    summary: 'published versions',
    usage: 'tollgate history [--limit 20] [--format json]',
    details: registryNote(),
  },
  usage: {
    summary: 'export metered usage (billing)',
    usage: 'tollgate usage [--from <ISO date/time>] [--to <ISO>] [--granularity hour|day] [--format csv|json] [--config F | --gateway URL]',
    details: 'Reads metering.redis from --config, or asks a running gateway\'s /admin/metering with --gateway http://host:port\n(admin key in TOLLGATE_ADMIN_KEY).',
  },
  persisted: {
    summary: 'publish a persisted-operation manifest (Apollo, Relay or Codegen) to the gateways',
    usage: 'tollgate persisted publish <manifest.json> [--config tollgate.yaml] [--allow-invalid] [--format json]',
    details: `Writes to persistedOperations.manifest.redis (every gateway on it reloads) or manifest.file. Each operation is first
validated against the served supergraph; any that fails refuses the publish (exit 1) unless --allow-invalid.`,
  },
} as const;

export type CommandName = keyof typeof COMMANDS;

function registryNote(): string {
  return `Reads the registry from --config (supergraph.file or supergraph.redis; --supergraph <file> overrides), or goes through
a gateway's admin endpoint with --gateway http://host:port (admin key in TOLLGATE_ADMIN_KEY). --format json prints
JSON. Exit status 1 when a check fails or nothing was published.`;
}

export function isCommand(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/** `tollgate --help`: every command with its summary. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return `usage: tollgate <command> [flags]

commands:
${lines.join('\n')}

tollgate <command> --help shows a command's flags; tollgate --version the version.
Flags override the config file.`;
}

/** `tollgate <command> --help`. */
export function commandHelp(name: CommandName): string {
  const { summary, usage, details } = COMMANDS[name];
  return `usage: ${usage}\n\n${summary}\n${details}`;
}

/** Asked for help: `--help` or `-h` anywhere among a command's arguments. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** The version in Tollgate's package.json (found upward from this file: src/cli or dist/src/cli). */
export function version(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'tollgate' && pkg.version) return pkg.version;
  }
  return 'unknown';
}
