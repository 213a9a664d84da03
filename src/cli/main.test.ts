import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from './help';
import { configFromFlags, runCli, workersFromFlags } from './main';

describe('configFromFlags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
  const file = join(dir, 'tollgate.yaml');
  writeFileSync(file, 'server:\n  port: 4555\n  host: 127.0.0.1\nsupergraph:\n  file: from-file.graphql\n');

  it('reads --config', () => {
    const config = configFromFlags('start', ['--config', file]);
    expect(config.server.port).toBe(4555);
    expect(config.supergraph.file).toBe(join(dir, 'from-file.graphql'));
  });

  it('lets --port, --host and --supergraph override the file', () => {
    const config = configFromFlags('start', ['--config', file, '--port', '0', '--host', '0.0.0.0', '--supergraph', 'other.graphql'], dir);
    expect(config.server.port).toBe(0);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.supergraph.file).toBe(join(dir, 'other.graphql'));
  });

  it('reads ./tollgate.yaml when no --config is given', () => {
    expect(configFromFlags('start', [], dir).server.port).toBe(4555);
  });

  it('makes `dev` run ./tollgate.example.yaml, and `start` ignore it', () => {
    const examples = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
    writeFileSync(join(examples, 'tollgate.example.yaml'), 'server:\n  port: 4777\n');
    expect(configFromFlags('dev', [], examples).server.port).toBe(4777);
    expect(configFromFlags('start', [], examples).server.port).toBe(4000);
  });

  it('makes `dev` compose rover.yaml when nothing names a supergraph', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
    expect(configFromFlags('dev', [], empty).supergraph.rover).toBe(join(empty, 'rover.yaml'));
  });

  it('rejects bad flags clearly', () => {
    expect(() => configFromFlags('start', ['--port', 'abc'], dir)).toThrow(/--port must be a port number/);
    expect(() => configFromFlags('start', ['--prot', '1'], dir)).toThrow(/--prot/);
  });
});

describe('workersFromFlags', () => {
  it('is 1 by default, one per core in production or with auto', () => {
    expect(workersFromFlags([], {}, 8)).toBe(1);
    expect(workersFromFlags([], { NODE_ENV: 'production' }, 8)).toBe(8);
    expect(workersFromFlags(['--workers', 'auto'], {}, 8)).toBe(8);
    expect(workersFromFlags(['--workers', '3'], { NODE_ENV: 'production' }, 8)).toBe(3);
  });

  it('rejects nonsense and refuses --workers for dev', () => {
    expect(() => workersFromFlags(['--workers', '0'], {}, 8)).toThrow(/--workers must be/);
    expect(() => workersFromFlags(['--workers', 'many'], {}, 8)).toThrow(/--workers must be/);
    expect(() => configFromFlags('dev', ['--workers', '2'])).toThrow(/--workers is for `tollgate start`/);
  });
});

describe('help and version', () => {
  const run = async (args: string[]) => {
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const error = jest.spyOn(console, 'error').mockImplementation((line: string) => void printed.push(line));
    try {
      const code = await runCli(args);
      return { code, text: printed.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  };

  it('lists every command with `tollgate --help`', async () => {
    const { code, text } = await run(['--help']);
    expect(code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it.each(Object.keys(COMMANDS))('answers `tollgate %s --help` with its usage, exit 0, and runs nothing', async (name) => {
    const { code, text } = await run([name, '--help']);
    expect(code).toBe(0);
    expect(text).toMatch(new RegExp(`^usage: tollgate ${name} `));
    expect(text).not.toMatch(/ERR_PARSE_ARGS|Unknown option/);
    expect((await run([name, '-h'])).text).toBe(text);
  });

  it('prints the version with --version', async () => {
    const { code, text } = await run(['--version']);
    expect(code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(text).toBe(`tollgate ${pkg.version}`);
  });

  it('names an unknown command and lists the real ones, exit 1', async () => {
    const { code, text } = await run(['serve']);
    expect(code).toBe(1);
    expect(text).toContain('unknown command "serve"');
    expect(text).toContain('  publish ');
  });
});
