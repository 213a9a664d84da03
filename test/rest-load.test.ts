// Loading REST descriptions: a broken one stops start-up with file:line:column and the problem; during hot reload it
// is refused and the last good graph keeps serving; a fixed one takes effect without a restart; a supergraph file
// composed from another version of the description is refused; the committed supergraph is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { composeFromRoverConfig } from '../src/compose/compose';
import { buildConfig } from '../src/config/load';
import { startGateway, type RunningGateway } from '../src/gateway';
import { eventually, postJson, startTestGateway } from './harness';
import { startRestGraph, type RestGraph } from './fixtures/restGraph';

let graph: RestGraph;
let description: string;
const descriptionFile = () => join(graph.dir, 'pricing.graphql');

beforeAll(async () => {
  graph = await startRestGraph({ products: 2 });
  description = readFileSync(descriptionFile(), 'utf8');
});

afterAll(() => graph?.close());

afterEach(() => writeFileSync(descriptionFile(), description));

function startRover(pollInterval: string | number = 0): Promise<RunningGateway> {
  const config = buildConfig({ server: { port: 0 }, supergraph: { rover: join(graph.dir, 'rover.yaml'), pollInterval } }, { baseDir: graph.dir });
  return startGateway(config, { logger: pino({ level: 'silent' }) });
}

const BROKEN = (sdl: string) => sdl.replace('@rest(\n      source: "pricing"\n      http: { GET: "/v1/suppliers/{$args.id}" }', '@rest(\n      source: "prices"\n      http: { GET: "/v1/suppliers/{$args.id}" }');

it('refuses to start with a broken description, naming the file, line and problem', async () => {
  writeFileSync(descriptionFile(), BROKEN(description));
  const line = BROKEN(description).split('\n').findIndex((l) => l.includes('source: "prices"'));
  await expect(startRover()).rejects.toThrow(new RegExp(`Query\\.supplier @rest: unknown source "prices" \\(declared: pricing\\) \\(at \\S*pricing\\.graphql:${line}:\\d+\\)`));
});

it('keeps the last good graph when a reload brings a broken description, and takes a fixed one without a restart', async () => {
  const gateway = await startRover('100ms');
  try {
    const ask = () => postJson(gateway.url, { query: '{ supplier(id: "S1") { name } }' });
    expect((await ask()).json).toEqual({ data: { supplier: { name: 'Nordwood Furniture' } } });

    writeFileSync(descriptionFile(), BROKEN(description));
    // The watcher may see the file half-written first (an empty file is a syntax error): wait for the final one's.
    const unknownSource = /Query\.supplier @rest: unknown source "prices" .*\(at \S*pricing\.graphql:\d+:\d+\)/;
    await eventually(() => unknownSource.test(gateway.supergraph.status.lastError?.message ?? ''));
    expect((await ask()).json).toEqual({ data: { supplier: { name: 'Nordwood Furniture' } } });

    // A change to the description alone (no type changed) still reaches the running gateway.
    writeFileSync(descriptionFile(), description.replace('http: { GET: "/v1/suppliers/{$args.id}" }', 'http: { GET: "/v1/suppliers/{$args.id}?fields=all" }'));
    await eventually(() => gateway.supergraph.status.lastError === undefined);
    graph.legacy.requests.length = 0;
    expect((await ask()).json).toEqual({ data: { supplier: { name: 'Nordwood Furniture' } } });
    expect(graph.legacy.requests.map((r) => r.url)).toEqual(['/v1/suppliers/S1?fields=all']);
  } finally {
    await gateway.close();
  }
});

it('refuses a supergraph file composed from another version of the description', async () => {
  const composed = await composeFromRoverConfig(join(graph.dir, 'rover.yaml'), {});
  if (!composed.ok) throw new Error('composition failed');
  writeFileSync(descriptionFile(), `${description}\n# edited after composing\n`);
  await expect(startTestGateway(composed.supergraphSdl, { rest: { baseDir: graph.dir } })).rejects.toThrow(/pricing\.graphql: changed since the supergraph was composed/);
});

it('serves the committed supergraph/supergraph.graphql (`npm run compose`) in file mode, REST file resolved from cwd', async () => {
  const root = join(__dirname, '..');
  process.env.PRICING_URL = graph.legacy.url;
  const config = buildConfig({ server: { port: 0 }, supergraph: { file: 'supergraph/supergraph.graphql', watch: false } }, { baseDir: root });
  const gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
  try {
    const reply = await postJson(gateway.url, { query: '{ supplier(id: "S3") { name country } }' });
    expect(reply.json).toEqual({ data: { supplier: { name: 'Pixel & Co', country: 'KR' } } });
  } finally {
    await gateway.close();
  }
});
