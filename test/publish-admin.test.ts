// The admin endpoint over real HTTP: admin keys (401/403), usage-aware checks from this gateway's recorded
// operations, publish refusals with their codes, rollback, and the CLI talking to it with --gateway.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { runCompose } from '../src/cli/compose';
import { runPublishCommand, type PublishCommand } from '../src/cli/publish';
import { buildConfig } from '../src/config/load';
import type { TollgateConfigInput } from '../src/config/schema';
import { startGateway, type RunningGateway } from '../src/gateway';
import { CATALOG_V2, catalogWith, startPublishGraph, writeRoverProject, type PublishGraph } from './fixtures/publishGraph';
import { eventually, http, postJson, tempDir } from './harness';

const PLATFORM_KEY = 'platform-admin-key-0123456789';
const STOCK_TEAM_KEY = 'stock-team-admin-key-0123456789';
const WEB_KEY = 'web-client-api-key-0123456789';
const IOS_KEY = 'ios-client-api-key-0123456789';

let graph: PublishGraph;
let dir: string;
let gateway: RunningGateway;
let base: string;

async function startIn(directory: string, extra: TollgateConfigInput): Promise<RunningGateway> {
  const config = buildConfig(
    {
      server: { port: 0 },
      authentication: { apiKeys: { keys: [{ client: 'web', key: WEB_KEY }, { client: 'ios', key: IOS_KEY }] } },
      publish: {
        admin: {
          keys: [
            { client: 'platform', key: PLATFORM_KEY },
            { client: 'team-stock', key: STOCK_TEAM_KEY, subgraphs: ['stock'] },
          ],
        },
      },
      ...extra,
    },
    { baseDir: directory },
  );
  return startGateway(config, { logger: pino({ level: 'silent' }) });
}

beforeAll(async () => {
  graph = await startPublishGraph();
  dir = tempDir('tollgate-admin-');
  writeRoverProject(dir, { catalog: graph.catalog.url, stock: graph.stock.url });
  const sink = { write: () => true };
  expect(await runCompose({ config: join(dir, 'rover.yaml'), output: join(dir, 'supergraph.graphql') }, { stdout: sink, stderr: sink })).toBe(0);
  gateway = await startIn(dir, { supergraph: { file: 'supergraph.graphql' } });
  base = gateway.url.replace('/graphql', '');
});

afterAll(async () => {
  await gateway?.close();
  await graph?.close();
});

const admin = (path: string, body?: unknown, key = PLATFORM_KEY) =>
  http(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

const noWeight = catalogWith('  weight: Int\n', '');

describe('admin authentication', () => {
  it('answers 401 ADMIN_UNAUTHENTICATED without a valid admin key', async () => {
    for (const key of ['', 'not-a-configured-admin-key', WEB_KEY]) {
      const reply = await admin('/admin/history', undefined, key);
      expect(reply.status).toBe(401);
      expect(reply.json.errors[0].extensions.code).toBe('ADMIN_UNAUTHENTICATED');
      expect(reply.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('answers 403 ADMIN_FORBIDDEN when a team key reaches beyond its subgraphs', async () => {
    const check = await admin('/admin/check', { subgraph: 'catalog', schema: CATALOG_V2 }, STOCK_TEAM_KEY);
    expect(check.status).toBe(403);
    expect(check.json.errors[0]).toMatchObject({ extensions: { code: 'ADMIN_FORBIDDEN' }, message: expect.stringContaining('may not check subgraph "catalog"') });
    expect((await admin('/admin/rollback', {}, STOCK_TEAM_KEY)).json.errors[0].extensions.code).toBe('ADMIN_FORBIDDEN');
    expect((await admin('/admin/history', undefined, STOCK_TEAM_KEY)).status).toBe(200);
  });

  it('answers 400 for malformed bodies, 404/405 for unknown routes', async () => {
    expect((await admin('/admin/check', { subgraph: 'catalog' })).json.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect((await admin('/admin/nope')).status).toBe(404);
    expect((await admin('/admin/publish')).status).toBe(405);
  });
});

describe('usage-aware checks', () => {
  beforeAll(async () => {
    const send = (query: string, key?: string) => postJson(gateway.url, { query }, key ? { 'x-api-key': key } : {});
    for (let i = 0; i < 3; i++) await send('query ProductWeights { products { name weight } }', WEB_KEY);
    await send('query ProductWeights { products { name weight } }', IOS_KEY);
    await send('query Names { products { name } }');
    await send('query Names { products { name } }');
    // Failing requests are not usage: they can't be broken by a change.
    await send('query Broken { products { nope } }', WEB_KEY);
  });

  it('records executed operations per client (GET /admin/usage)', async () => {
    const { json } = await admin('/admin/usage');
    const rows = json.operations.map((o: { name: string; client: string; count: number }) => [o.name, o.client, o.count]).sort();
    expect(rows).toEqual([
      ['Names', 'anonymous', 2],
      ['ProductWeights', 'ios', 1],
      ['ProductWeights', 'web', 3],
    ]);
  });

  it('lists the recently used operations a change would break, by name, client and count', async () => {
    const { status, json } = await admin('/admin/check', { subgraph: 'catalog', schema: noWeight });
    expect(status).toBe(200);
    expect(json.report.ok).toBe(false);
    expect(json.report.operations.checked).toBe(3);
    expect(json.report.operations.broken).toEqual([
      expect.objectContaining({ name: 'ProductWeights', client: 'web', count: 3, errors: ['Cannot query field "weight" on type "Product".'] }),
      expect.objectContaining({ name: 'ProductWeights', client: 'ios', count: 1 }),
    ]);
  });

  it('finds no broken operation for a compatible change', async () => {
    const { json } = await admin('/admin/check', { subgraph: 'catalog', schema: CATALOG_V2 });
    expect(json.report).toMatchObject({ ok: true, operations: { checked: 3, broken: [] } });
  });
});

describe('publishing through the admin endpoint', () => {
  it('refuses composition errors (422) and breaking changes (409) with the report', async () => {
    const broken = await admin('/admin/publish', { subgraph: 'catalog', schema: catalogWith('name: String!', 'name: Strin!') });
    expect(broken.status).toBe(422);
    expect(broken.json.errors[0].extensions.code).toBe('COMPOSITION_FAILED');
    expect(broken.json.report.composition.errors.length).toBeGreaterThan(0);

    const breaking = await admin('/admin/publish', { subgraph: 'catalog', schema: noWeight });
    expect(breaking.status).toBe(409);
    expect(breaking.json.errors[0].extensions.code).toBe('BREAKING_CHANGES');
    expect(breaking.json.report.operations.broken).toHaveLength(2);
  });

  it('publishes, records the key client as the author, and the gateway serves the new field', async () => {
    const { status, json } = await admin('/admin/publish', { subgraph: 'catalog', schema: CATALOG_V2 });
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'published', entry: { version: 2, by: 'platform', subgraph: 'catalog' }, baseline: { version: 1 } });
    await eventually(async () => (await postJson(gateway.url, { query: '{ products { color } }' })).json.data?.products?.[1]?.color === 'red');
    expect((await admin('/admin/history')).json.served).toEqual({ version: 2, hash: json.entry.hash });
    expect((await admin('/admin/history')).json.entries[0]).toMatchObject({ version: 2, current: true });
  });

  it('lets a team publish its own subgraph', async () => {
    const stock = (await admin('/admin/history')).json.entries.at(-2);
    expect(stock.subgraphs.stock).toBeDefined();
    const reply = await admin('/admin/publish', { subgraph: 'stock', schema: `${'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])'}\ntype Query { warehouseCount: Int! }\ntype Product @key(fields: "id") { id: ID! stock: Int }\n` }, STOCK_TEAM_KEY);
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe('unchanged');
  });

  it('works from the CLI with --gateway (admin key from TOLLGATE_ADMIN_KEY)', async () => {
    // Published now: CATALOG_V2. The candidate drops `weight`, which ProductWeights (web, ios) reads.
    writeFileSync(join(dir, 'noweight.graphql'), catalogWith('  weight: Int\n', '', CATALOG_V2));
    const cli = async (command: PublishCommand, ...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runPublishCommand(command, [...args, '--gateway', base], {
        stdout: { write: (c: string) => (stdout += c) },
        stderr: { write: (c: string) => (stderr += c) },
        env: { TOLLGATE_ADMIN_KEY: PLATFORM_KEY },
        cwd: dir,
      });
      return { code, stdout, stderr };
    };
    const check = await cli('check', 'catalog', '--schema', 'noweight.graphql');
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/ProductWeights {2}client web {2}3 calls/);
    expect(check.stdout).toContain('result: FAIL — 1 breaking change, 2 recently used operations would break');

    const refused = await cli('publish', 'catalog', '--schema', 'noweight.graphql');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('not published: breaking changes');

    const published = await cli('publish', 'catalog', '--schema', 'noweight.graphql', '--allow-breaking');
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/published version 3 .* by platform/);

    const history = await cli('history');
    expect(history.stdout).toMatch(/ {3}3 .* platform .* catalog: 1 breaking {2}\(current\)/);

    const rollback = await cli('rollback');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('rolled back to version 2');
    await eventually(async () => (await postJson(gateway.url, { query: '{ products { weight } }' })).json.data?.products?.[0]?.weight === 30);

    const wrongKey = await runPublishCommand('history', ['--gateway', base], { stdout: { write: () => true }, stderr: { write: (c: string) => (history.stderr += c) }, env: { TOLLGATE_ADMIN_KEY: 'wrong-wrong-wrong-wrong' }, cwd: dir });
    expect(wrongKey).toBe(1);
    expect(history.stderr).toContain('ADMIN_UNAUTHENTICATED');
  });
});

describe('admin endpoint configuration', () => {
  it('is off (404) without admin keys', async () => {
    const plain = await startGateway(buildConfig({ server: { port: 0 }, supergraph: { file: 'supergraph.graphql' } }, { baseDir: dir }), { logger: pino({ level: 'silent' }) });
    try {
      const reply = await http(plain.url.replace('/graphql', '/admin/history'), { headers: { authorization: `Bearer ${PLATFORM_KEY}` } });
      expect(reply.status).toBe(404);
      expect(reply.json.errors[0].extensions.code).toBe('NOT_FOUND');
    } finally {
      await plain.close();
    }
  });

  it('refuses to publish for a gateway composing supergraph.rover (409 PUBLISH_NOT_CONFIGURED), but checks', async () => {
    const composing = await startIn(dir, { supergraph: { rover: 'rover.yaml' } });
    try {
      const url = composing.url.replace('/graphql', '');
      const headers = { authorization: `Bearer ${PLATFORM_KEY}`, 'content-type': 'application/json' };
      const publish = await http(`${url}/admin/publish`, { method: 'POST', headers, body: JSON.stringify({ subgraph: 'catalog', schema: CATALOG_V2 }) });
      expect(publish.status).toBe(409);
      expect(publish.json.errors[0].extensions.code).toBe('PUBLISH_NOT_CONFIGURED');
      const check = await http(`${url}/admin/check`, { method: 'POST', headers, body: JSON.stringify({ subgraph: 'catalog', schema: CATALOG_V2 }) });
      expect(check.json.report.ok).toBe(true);
    } finally {
      await composing.close();
    }
  });
});
