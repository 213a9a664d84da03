import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, ConfigError, loadConfig } from './load';
import { trafficFor } from '../execute/config';
import { parseDuration, parseSize } from './units';

describe('units', () => {
  it('parses durations and sizes', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseSize('1mb')).toBe(1024 * 1024);
    expect(parseSize('512kb')).toBe(512 * 1024);
    expect(parseSize('big')).toBeUndefined();
  });
});

describe('buildConfig', () => {
  it('fills every default', () => {
    const config = buildConfig({}, { baseDir: '/' });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 4000, graphqlPath: '/graphql', bodyLimit: 1024 * 1024, introspection: true });
    expect(config.limits).toEqual({ maxDepth: 15, maxAliases: 30, maxRootFields: 20, maxTokens: 15000, maxFields: 10000, maxOperationNameLength: 256, maxVariablesDepth: 64 });
    expect(config.server).toMatchObject({ bodyTimeout: 10_000, headersTimeout: 10_000 });
    expect(config.dedupe.inbound).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('fills the operations defaults: metrics on, tracing off, metering in memory, no alerts', () => {
    const config = buildConfig({}, { baseDir: '/' });
    expect(config.metrics).toEqual({ enabled: true, path: '/metrics', maxOperationNames: 100, maxClients: 100, processMetrics: true, requireAdminKey: false });
    expect(config.logging).toEqual({ level: 'info', accessLog: true, redactHeaders: [] });
    expect(config.tracing).toMatchObject({ enabled: false, serviceName: 'tollgate', sampleRatio: 1, timeout: 10_000 });
    expect(config.metering).toEqual({ enabled: true, flushInterval: 10_000, retention: 400 * 86_400_000 });
    expect(buildConfig({ metering: { redis: { url: 'redis://127.0.0.1:6379' } } }, { baseDir: '/' }).metering.redis).toEqual({ url: 'redis://127.0.0.1:6379', key: '{tollgate}:metering' });
    expect(config.alerts).toEqual({ evaluationInterval: 15_000, rules: [] });
    expect(() => buildConfig({ alerts: { webhook: { url: 'not a url' } } }, { baseDir: '/' })).toThrow(/alerts.webhook.url/);
  });

  it('names an unknown key', () => {
    expect(() => buildConfig({ server: { prot: 1 } }, { baseDir: '/' })).toThrow(/unknown key "server.prot"/);
  });

  it('names a key with a wrong type', () => {
    expect(() => buildConfig({ server: { port: 'x' } }, { baseDir: '/' })).toThrow(/server.port/);
    expect(() => buildConfig({ traffic: { all: { timeout: 'soon' } } }, { baseDir: '/' })).toThrow(/traffic.all.timeout: expected a duration/);
  });

  it('applies CLI overrides over the file', () => {
    const config = buildConfig({ server: { port: 1 } }, { baseDir: '/base', overrides: { port: 2, host: '0.0.0.0', supergraph: 'x.graphql' } });
    expect(config.server.port).toBe(2);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.supergraph.file).toBe('/base/x.graphql');
    expect(buildConfig({}, { baseDir: '/b', overrides: { supergraph: 'rover.yaml' } }).supergraph.rover).toBe('/b/rover.yaml');
  });

  it('merges traffic defaults, all and per-subgraph overrides', () => {
    const config = buildConfig({ traffic: { all: { timeout: '2s' }, subgraphs: { products: { timeout: '500ms', dedupe: false } } } }, { baseDir: '/' });
    expect(trafficFor(config, 'products')).toEqual({ timeout: 500, dedupe: false, connections: 128, maxResponseSize: 16 * 1024 * 1024, maxErrorsPerResponse: 100 });
    expect(trafficFor(config, 'reviews')).toEqual({ timeout: 2000, dedupe: true, connections: 128, maxResponseSize: 16 * 1024 * 1024, maxErrorsPerResponse: 100 });
  });

  it('takes response limits as sizes and counts, per subgraph over all', () => {
    const config = buildConfig({ traffic: { all: { maxResponseSize: '8MB' }, subgraphs: { products: { maxResponseSize: '512kb', maxErrorsPerResponse: 5 } } } }, { baseDir: '/' });
    expect(trafficFor(config, 'products')).toMatchObject({ maxResponseSize: 512 * 1024, maxErrorsPerResponse: 5 });
    expect(trafficFor(config, 'reviews')).toMatchObject({ maxResponseSize: 8 * 1024 * 1024, maxErrorsPerResponse: 100 });
    expect(() => buildConfig({ traffic: { all: { maxResponseSize: '2gb' } } }, { baseDir: '/' })).toThrow(/traffic.all.maxResponseSize/);
    expect(() => buildConfig({ traffic: { all: { maxErrorsPerResponse: 0 } } }, { baseDir: '/' })).toThrow(/traffic.all.maxErrorsPerResponse/);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));

  it('expands ${env.X} and resolves paths relative to the file', () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'server:\n  port: ${env.TG_PORT}\n  host: "${env.TG_HOST:-127.0.0.2}"\nsupergraph:\n  file: ./sg.graphql\n');
    const config = loadConfig(file, { env: { TG_PORT: '4321' } });
    expect(config.server.port).toBe(4321);
    expect(config.server.host).toBe('127.0.0.2');
    expect(config.supergraph.file).toBe(join(dir, 'sg.graphql'));
  });

  it('keeps a secret with YAML syntax in it as one string value', () => {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'headers:\n  all:\n    - insert: { name: x-key, value: "${env.TG_SECRET}" }\n');
    const config = loadConfig(file, { env: { TG_SECRET: 'a #b: [c' } });
    expect(config.headers.all[0]).toEqual({ insert: { name: 'x-key', value: 'a #b: [c' } });
  });

  it('fails clearly on a missing env variable, bad YAML and a missing file', () => {
    const file = join(dir, 'b.yaml');
    writeFileSync(file, 'server:\n  host: ${env.TG_NOPE}\n');
    expect(() => loadConfig(file, { env: {} })).toThrow(/TG_NOPE is not set/);
    writeFileSync(file, 'server: [\n');
    expect(() => loadConfig(file, { env: {} })).toThrow(ConfigError);
    expect(() => loadConfig(join(dir, 'none.yaml'))).toThrow(/cannot read config file/);
  });
});

describe('config errors echo the value given (never a secret)', () => {
  const messageOf = (raw: unknown) => {
    try {
      buildConfig(raw, { baseDir: '/' });
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the config to be refused');
  };

  it('names a bad enum value', () => {
    expect(messageOf({ rateLimits: { onLimit: 'drop' } })).toContain('rateLimits.onLimit: Invalid option: expected one of "filter"|"reject", got "drop"');
  });

  it('never echoes what could be a credential', () => {
    expect(messageOf({ authentication: { jwt: { secret: 12_345_678 } } })).not.toContain('12345678');
    expect(messageOf({ store: { kind: 'redis', redis: { url: 'not a url with p4ssword' } } })).not.toContain('p4ssword');
  });
});
