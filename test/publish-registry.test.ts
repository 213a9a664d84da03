// check → publish → rollback through the CLI on a file registry (supergraph.file + history/), with a real gateway
// following the file: compatible and breaking changes, composition errors, refusals, history, rollback targets.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { runPublishCommand, type PublishCommand } from '../src/cli/publish';
import { buildConfig } from '../src/config/load';
import { startGateway, type RunningGateway } from '../src/gateway';
import { CATALOG_V2, catalogWith, startPublishGraph, writeRoverProject, type PublishGraph } from './fixtures/publishGraph';
import { eventually, postJson, tempDir } from './harness';

let graph: PublishGraph;
let dir: string;
let gateway: RunningGateway;

/** `history --format json` lists newest first (as the text does); these tests read it oldest first. */
async function historyOldestFirst() {
  return [...(await cli('history', '--format', 'json')).json().entries].reverse();
}

async function cli(command: PublishCommand, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runPublishCommand(command, args, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: { TOLLGATE_ACTOR: 'ci@test' },
    cwd: dir,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

function schemaFile(name: string, sdl: string): string {
  writeFileSync(join(dir, name), sdl);
  return name;
}

beforeAll(async () => {
  graph = await startPublishGraph();
  dir = tempDir('tollgate-publish-');
  writeRoverProject(dir, { catalog: graph.catalog.url, stock: graph.stock.url });
  writeFileSync(join(dir, 'tollgate.yaml'), 'supergraph:\n  file: supergraph/supergraph.graphql\npublish:\n  historyLimit: 6\n');
  expect(await runCompose()).toBe(0);
  const config = buildConfig({ server: { port: 0 }, supergraph: { file: join(dir, 'supergraph/supergraph.graphql') } }, { baseDir: dir });
  gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
});

async function runCompose(): Promise<number> {
  const { runCompose: compose } = await import('../src/cli/compose');
  const sink = { write: () => true };
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await compose({ config: 'rover.yaml', output: 'supergraph/supergraph.graphql' }, { stdout: sink, stderr: sink });
  } finally {
    process.chdir(cwd);
  }
}

afterAll(async () => {
  await gateway?.close();
  await graph?.close();
});

describe('tollgate check', () => {
  it('passes a compatible change (exit 0) and lists the addition', async () => {
    const result = await cli('check', 'catalog', '--schema', schemaFile('v2.graphql', CATALOG_V2));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('check catalog against rover.yaml (nothing published yet');
    expect(result.stdout).toContain('additions (1): Product.color');
    expect(result.stdout).toContain('result: PASS');
    const json = (await cli('check', 'catalog', '--schema', 'v2.graphql', '--format', 'json')).json();
    expect(json).toMatchObject({ subgraph: 'catalog', ok: true, composition: { ok: true }, changes: { breaking: [], safe: [{ type: 'FIELD_ADDED', coordinate: 'Product.color' }] } });
  });

  it('reports composition errors with their codes and locations (exit 1)', async () => {
    // Both subgraphs now define Product.stock without @shareable.
    const sharing = await cli('check', 'catalog', '--schema', schemaFile('sharing.graphql', catalogWith('  weight: Int\n', '  weight: Int\n  stock: Int\n')), '--format', 'json');
    expect(sharing.code).toBe(1);
    const report = sharing.json();
    expect(report.ok).toBe(false);
    expect(report.composition.errors).toContainEqual(expect.objectContaining({ code: 'INVALID_FIELD_SHARING', subgraphs: ['catalog', 'stock'] }));

    const syntax = await cli('check', 'catalog', '--schema', schemaFile('syntax.graphql', catalogWith('  name: String!\n', '  name: String!!\n')));
    expect(syntax.code).toBe(1);
    expect(syntax.stdout).toMatch(/INVALID_GRAPHQL \[catalog\]: Syntax Error: .* \(at catalog:9:16\)/);
    expect(syntax.stdout).toContain('result: FAIL — does not compose (1 error)');
  });

  it.each([
    ['field removed', '  weight: Int\n', '', 'FIELD_REMOVED', 'Product.weight'],
    ['argument added as required', 'product(id: ID!)', 'product(id: ID!, locale: String!)', 'REQUIRED_ARG_ADDED', 'Query.product(locale:)'],
    ['argument nullability tightened', 'search(text: String,', 'search(text: String!,', 'ARG_CHANGED_KIND', 'Query.search(text:)'],
    ['enum value removed', 'enum Size { S M L }', 'enum Size { S M }', 'VALUE_REMOVED_FROM_ENUM', 'Size.L'],
    ['field type changed', '  name: String!\n', '  name: Int!\n', 'FIELD_CHANGED_KIND', 'Product.name'],
  ])('fails on a breaking change: %s (exit 1)', async (_name, from, to, type, coordinate) => {
    const result = await cli('check', 'catalog', '--schema', schemaFile('breaking.graphql', catalogWith(from, to)), '--format', 'json');
    expect(result.code).toBe(1);
    expect(result.json().changes.breaking).toContainEqual(expect.objectContaining({ type, coordinate }));
  });

  it('says when there is no usage data to check operations against', async () => {
    const result = await cli('check', 'catalog', '--schema', 'v2.graphql');
    expect(result.stdout).toContain('operations: no usage data');
  });

  it('refuses bad flags', async () => {
    expect((await cli('check', 'catalog')).stderr).toContain('check needs --schema');
    expect((await cli('check', 'catalog', '--schema', 'missing.graphql')).stderr).toContain('cannot read --schema missing.graphql: ENOENT');
    expect((await cli('check', 'catalog', '--schema', 'v2.graphql', '--format', 'yaml')).code).toBe(1);
  });

  it('needs a routing URL for a new subgraph', async () => {
    const sdl = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { ping: String }';
    const result = await cli('check', 'pinger', '--schema', schemaFile('pinger.graphql', sdl), '--format', 'json');
    expect(result.json().composition.errors[0].code).toBe('ROUTING_URL_REQUIRED');
    const withUrl = await cli('check', 'pinger', '--schema', 'pinger.graphql', '--routing-url', 'http://127.0.0.1:1/graphql', '--format', 'json');
    expect(withUrl.json()).toMatchObject({ ok: true, newSubgraph: true });
  });
});

describe('tollgate publish, history and rollback', () => {
  const served = async (query: string) => (await postJson(gateway.url, { query })).json;

  it('refuses a breaking change, and publishes nothing', async () => {
    const result = await cli('publish', 'catalog', '--schema', schemaFile('noweight.graphql', catalogWith('  weight: Int\n', '')));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('not published: breaking changes (--allow-breaking publishes anyway)');
    expect(existsSync(join(dir, 'supergraph/history'))).toBe(false);
  });

  it('publishes a compatible change: baseline + new version, the file is swapped and the gateway serves it', async () => {
    const result = await cli('publish', 'catalog', '--schema', 'v2.graphql');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/recorded version 1: rover.yaml before the first publish/);
    expect(result.stdout).toMatch(/published version 2 \(supergraph [0-9a-f]{12}\) by ci@test: catalog: 1 addition/);
    await eventually(async () => (await served('{ products { name color } }')).data?.products?.[0]?.color === 'oak');
    const history = (await historyOldestFirst());
    expect(history.map((e: { version: number; action: string }) => [e.version, e.action])).toEqual([
      [1, 'baseline'],
      [2, 'publish'],
    ]);
    expect(history[1]).toMatchObject({ by: 'ci@test', subgraph: 'catalog', changes: [{ type: 'FIELD_ADDED', coordinate: 'Product.color' }] });
    expect(gateway.supergraph.status.hash).toBe(history[1].hash);
    // No temp files are left beside the served supergraph.
    expect(readdirSync(join(dir, 'supergraph')).sort()).toEqual(['history', 'supergraph.graphql']);
  });

  it('does not record a publish that changes nothing', async () => {
    const result = await cli('publish', 'catalog', '--schema', 'v2.graphql');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing to publish');
    expect((await historyOldestFirst())).toHaveLength(2);
  });

  it('checks later candidates against what is published, not rover.yaml', async () => {
    const result = await cli('check', 'catalog', '--schema', schemaFile('nocolor.graphql', catalogWith('  color: String\n', '', CATALOG_V2)), '--format', 'json');
    expect(result.json()).toMatchObject({ base: { version: 2 }, ok: false, changes: { breaking: [{ coordinate: 'Product.color' }] } });
  });

  it('publishes a breaking change with --allow-breaking', async () => {
    const result = await cli('publish', 'catalog', '--schema', schemaFile('v3.graphql', catalogWith('  weight: Int\n', '', CATALOG_V2)), '--allow-breaking');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/published version 3 despite 1 breaking change \(--allow-breaking\)/);
    await eventually(async () => (await served('{ products { weight } }')).errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');
  });

  it('rolls back to the previous version by default, and to a version or hash with --to', async () => {
    const back = await cli('rollback');
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/rolled back to version 2 \(supergraph [0-9a-f]{12}\), recorded as version 4 by ci@test/);
    expect(back.stdout).toContain('additions (1): Product.weight');
    await eventually(async () => (await served('{ products { weight } }')).data?.products?.[0]?.weight === 30);

    const entries = await historyOldestFirst();
    expect(entries[3]).toMatchObject({ version: 4, action: 'rollback', restored: 2, hash: entries[1].hash });

    const toBaseline = await cli('rollback', '--to', '1', '--format', 'json');
    expect(toBaseline.json().target.version).toBe(1);
    await eventually(async () => (await served('{ products { color } }')).errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');

    const byHash = await cli('rollback', '--to', entries[2].hash.slice(0, 10), '--format', 'json');
    expect(byHash.json().target.version).toBe(3);
    expect(gateway.supergraph.status.reloads).toBeGreaterThan(0);
  });

  it('refuses unknown rollback targets and the version being served', async () => {
    expect((await cli('rollback', '--to', '99')).stderr).toContain('HISTORY_ENTRY_NOT_FOUND: no version 99 in the history');
    const head = (await historyOldestFirst()).at(-1);
    expect((await cli('rollback', '--to', head.hash.slice(0, 12))).stderr).toContain('is what is served now');
    expect((await cli('rollback', '--to', 'latest')).code).toBe(1);
  });

  it('prints the history newest first and keeps at most publish.historyLimit versions', async () => {
    await cli('rollback');
    await cli('rollback');
    const text = (await cli('history')).stdout.trimEnd().split('\n');
    expect(text[0]).toMatch(/^\s+v\s+when\s+supergraph\s+by\s+what$/);
    expect(text[1]).toMatch(/^\s+8 .* rollback to version \d+: .*\(current\)$/);
    const entries = await historyOldestFirst();
    expect(entries.map((e: { version: number }) => e.version)).toEqual([3, 4, 5, 6, 7, 8]);
    // Blobs of trimmed versions are gone; the ones still referenced remain.
    const blobs = readdirSync(join(dir, 'supergraph/history/blobs')).map((f) => f.replace('.graphql', ''));
    for (const entry of entries) expect(blobs).toContain(entry.hash);
    expect(readFileSync(join(dir, 'supergraph/supergraph.graphql'), 'utf8')).toBe(readFileSync(join(dir, `supergraph/history/blobs/${entries.at(-1).hash}.graphql`), 'utf8'));
  });

  it('publishes concurrent changes to different subgraphs without losing either', async () => {
    const stockV2 = readFileSync(join(dir, 'stock.graphql'), 'utf8').replace('stock: Int }', 'stock: Int reserved: Int }');
    const catalogNext = catalogWith('  size: Size\n', '  size: Size\n  sku: String\n', readFileSync(join(dir, 'v3.graphql'), 'utf8'));
    const before = (await historyOldestFirst()).at(-1).version;
    const [a, b] = await Promise.all([
      cli('publish', 'stock', '--schema', schemaFile('stock2.graphql', stockV2), '--allow-breaking'),
      cli('publish', 'catalog', '--schema', schemaFile('catalog-sku.graphql', catalogNext), '--allow-breaking'),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const entries = await historyOldestFirst();
    expect(entries.at(-1).version).toBe(before + 2);
    const supergraph = readFileSync(join(dir, 'supergraph/supergraph.graphql'), 'utf8');
    expect(supergraph).toContain('reserved: Int');
    expect(supergraph).toContain('sku: String');
  });

  it('tells the truth after a supergraph is written outside the registry, and rolls back to any version (issue 14, item 1)', async () => {
    const entries = await historyOldestFirst();
    const newest = entries.at(-1);
    // An out-of-band compose: an older version's supergraph written straight into supergraph.file.
    const outside = `${readFileSync(join(dir, `supergraph/history/blobs/${entries[0].hash}.graphql`), 'utf8')}\n# composed by hand\n`;
    writeFileSync(join(dir, 'supergraph/supergraph.graphql'), outside);

    const text = (await cli('history')).stdout;
    expect(text).toMatch(/^served now: supergraph [0-9a-f]{12}, written outside the registry/);
    expect(text).not.toContain('(current)');
    const json = (await cli('history', '--format', 'json')).json();
    expect(json.served).toMatchObject({ version: null });
    expect(json.entries.some((e: { current: boolean }) => e.current)).toBe(false);

    // The newest recorded version is no longer what is served: rolling back to it works, and so does the default.
    const back = await cli('rollback', '--to', String(newest.version), '--format', 'json');
    expect(back.code).toBe(0);
    expect(back.json().target.version).toBe(newest.version);
    expect(readFileSync(join(dir, 'supergraph/supergraph.graphql'), 'utf8')).toBe(readFileSync(join(dir, `supergraph/history/blobs/${newest.hash}.graphql`), 'utf8'));
    const after = (await cli('history', '--format', 'json')).json();
    expect(after.entries[0]).toMatchObject({ action: 'rollback', restored: newest.version, current: true });
    expect(after.served.version).toBe(after.entries[0].version);
  });
});
