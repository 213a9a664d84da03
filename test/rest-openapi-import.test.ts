// `tollgate rest import` end to end: the legacy pricing service publishes its OpenAPI document over HTTP; the CLI
// imports it into a REST description that composes as written and answers queries and a mutation through a real
// gateway. Public OpenAPI documents of real APIs shipped in npm packages (@readme/oas-examples, MIT) compose too.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { composeFromRoverConfig } from '../src/compose/compose';
import { runCli } from '../src/cli/main';
import { runRestCommand } from '../src/cli/restImport';
import { startLegacyPricing, type LegacyPricingServer } from '../subgraphs/legacy-pricing';
import { postJson, startTestGateway, tempDir } from './harness';

let legacy: LegacyPricingServer;
beforeAll(async () => {
  legacy = await startLegacyPricing();
});
afterAll(() => legacy?.close());

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

async function composeAlone(dir: string, file: string) {
  writeFileSync(join(dir, 'rover.yaml'), ['subgraphs:', '  api:', `    routing_url: rest:${file}`, '    schema:', `      file: ./${file}`, ''].join('\n'));
  return composeFromRoverConfig(join(dir, 'rover.yaml'), {});
}

describe('importing the legacy pricing service over HTTP', () => {
  let dir: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  beforeAll(async () => {
    dir = tempDir('tollgate-import-');
    const { io, err } = capture();
    const status = await runRestCommand(['import', `${legacy.url}/openapi.json`, '--name', 'legacy', '--out', join(dir, 'legacy.graphql')], io);
    expect({ status, err: err.join('') }).toEqual({ status: 0, err: expect.stringContaining('wrote ') });
    // The API key comes from the environment the generated header names; the base URL from the document's URL.
    process.env.LEGACY_API_KEY = 'pricing-dev-key';
    const composed = await composeAlone(dir, 'legacy.graphql');
    if (!composed.ok) throw new Error(JSON.stringify(composed.errors, null, 2));
    gateway = await startTestGateway(composed.supergraphSdl, { rest: { baseDir: dir } });
  });

  afterAll(async () => {
    await gateway?.close();
    delete process.env.LEGACY_API_KEY;
  });

  beforeEach(() => {
    legacy.requests.length = 0;
  });

  const query = (q: string, variables?: Record<string, unknown>) => postJson(gateway.url, { query: q, variables });

  it('writes the source, the fields and the types it should', () => {
    const sdl = readFileSync(join(dir, 'legacy.graphql'), 'utf8');
    expect(sdl).toContain(`baseURL: "\${env.LEGACY_URL:-${legacy.url}}"`);
    expect(sdl).toContain('headers: [{ name: "x-api-key", value: "${env.LEGACY_API_KEY}" }]');
    expect(sdl).toMatch(/getSupplier\(\n\s+id: String!\n\s+\): GetSupplierResponse/);
    expect(sdl).toMatch(/type Supplier \{\n\s+id: String!\n\s+name: String!\n[\s\S]*onboardedOn: String!\n\s+contactEmail: String!\n\s+contactPhone: String\n\}/);
    expect(sdl).toContain('enum Currency {\n  USD\n  EUR\n  SEK\n}');
    expect(sdl).toContain('http: { GET: "/v1/prices?skus={$args.skus}&page={$args.page}&per_page={$args.perPage}" }');
  });

  it('answers a query through the imported description (snake_case mapped to camelCase)', async () => {
    const reply = await query('{ getSupplier(id: "S2") { data { id name onboardedOn contactEmail contactPhone } } }');
    expect(reply.json).toEqual({
      data: { getSupplier: { data: { id: 'S2', name: 'Clearline Glassworks', onboardedOn: '2021-06-21', contactEmail: 'sales@clearline.example', contactPhone: null } } },
    });
    expect(legacy.requests.map((r) => `${r.method} ${r.url} ${r.headers['x-api-key']}`)).toEqual(['GET /v1/suppliers/S2 pricing-dev-key']);
  });

  it('passes optional query parameters only when given, and maps enums and nested envelopes', async () => {
    const reply = await query('{ listPrices(skus: "ELEC-TV-01,NOPE") { data { sku amountCents currency } meta { count missing } } }');
    expect(reply.json).toEqual({ data: { listPrices: { data: [{ sku: 'ELEC-TV-01', amountCents: 129900, currency: 'USD' }], meta: { count: 1, missing: ['NOPE'] } } } });
    expect(legacy.requests.map((r) => r.url)).toEqual(['/v1/prices?skus=ELEC-TV-01%2CNOPE']);
  });

  it('runs a POST operation as a mutation with a JSON body built from the input (camelCase back to snake_case)', async () => {
    const reply = await query('mutation($q: QuoteRequestInput!) { createQuote(input: $q) { data { sku quantity unitPriceCents totalCents validUntil } } }', { q: { sku: 'FURN-TABLE-01', quantity: 10 } });
    expect(reply.json).toEqual({ data: { createQuote: { data: { sku: 'FURN-TABLE-01', quantity: 10, unitPriceCents: 90155, totalCents: 901550, validUntil: '2026-12-31' } } } });
  });

  it('keeps hostile path values data, and a 404 is a coded error', async () => {
    const reply = await query('{ getSupplier(id: "S1/products?x=1#") { data { id } } }');
    expect(legacy.requests.map((r) => r.url)).toEqual(['/v1/suppliers/S1%2Fproducts%3Fx%3D1%23']);
    expect(reply.json).toMatchObject({ data: { getSupplier: null }, errors: [{ extensions: { code: 'REST_NOT_FOUND' } }] });
  });
});

describe('importing public OpenAPI documents of real APIs (npm: @readme/oas-examples)', () => {
  const examples = dirname(require.resolve('@readme/oas-examples/package.json'));
  it.each([
    ['Swagger Petstore, OpenAPI 3.0, JSON', '3.0/json/petstore.json'],
    ['Swagger Petstore, OpenAPI 3.1, JSON', '3.1/json/petstore.json'],
    ['USPTO Data Set API, OpenAPI 3.0, YAML', '3.0/yaml/uspto.yaml'],
    ['Train Travel API, OpenAPI 3.1, JSON', '3.1/json/train-travel.json'],
    ['Star Trek API (STAPI), OpenAPI 3.0, YAML', '3.0/yaml/star-trek.yaml'],
  ])('%s composes as written', async (_, file) => {
    const dir = tempDir('tollgate-import-');
    const { io, err } = capture();
    const status = await runRestCommand(['import', join(examples, file), '--name', 'api', '--out', join(dir, 'api.graphql')], io);
    expect({ status, err: err.join('') }).toEqual({ status: 0, err: expect.any(String) });
    const composed = await composeAlone(dir, 'api.graphql');
    expect(composed.ok ? 'composed' : composed.errors.map((e) => e.message)).toBe('composed');
    const sdl = readFileSync(join(dir, 'api.graphql'), 'utf8');
    expect(sdl.match(/@rest\(/g)?.length ?? 0).toBeGreaterThan(0);
  });
});

describe('the CLI', () => {
  it('documents the importer in `tollgate rest import --help`', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await runCli(['rest', 'import', '--help'])).toBe(0);
      expect(log.mock.calls[0][0]).toMatch(/^usage: tollgate rest import <openapi\.yaml\|openapi\.json\|http\(s\):\/\/…> --name <source> \[--out file\.graphql\]/);
    } finally {
      log.mockRestore();
    }
  });

  it('refuses a missing --name, a bad name, an unknown subcommand, and a Swagger 2.0 document', async () => {
    const examples = dirname(require.resolve('@readme/oas-examples/package.json'));
    const cases: Array<[string[], RegExp]> = [
      [['import', 'x.json'], /usage: tollgate rest import/],
      [['import', 'x.json', '--name', 'a b"'], /--name must be/],
      [['export'], /unknown subcommand "rest export"/],
    ];
    for (const [args, message] of cases) {
      const { io, err } = capture();
      expect(await runRestCommand(args, io)).toBe(1);
      expect(err.join('')).toMatch(message);
    }
    await expect(runRestCommand(['import', join(examples, '2.0/json/petstore.json'), '--name', 'x'], capture().io)).rejects.toThrow(/only OpenAPI 3\.0 and 3\.1 documents can be imported \(this one says swagger: 2\.0\)/);
    await expect(runRestCommand(['import', join(tempDir(), 'missing.yaml'), '--name', 'x'], capture().io)).rejects.toThrow(/cannot read the OpenAPI document/);
  });
});
