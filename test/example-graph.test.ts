// The example graph end to end: the four example subgraphs composed from rover.yaml, served by Tollgate,
// answer the public gateway benchmark's query with exactly its expected response.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startExampleSubgraphs, type ExampleSubgraphs } from '../subgraphs';
import { composeFromRoverConfig } from '../src/compose/compose';
import { postJson, startTestGateway } from './harness';

const fixtures = join(__dirname, '..', 'bench', 'fixtures');

let subgraphs: ExampleSubgraphs;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  subgraphs = await startExampleSubgraphs();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, url] of Object.entries(subgraphs.urls)) env[`${name.toUpperCase()}_URL`] = url;
  const composed = await composeFromRoverConfig(join(__dirname, '..', 'rover.yaml'), env);
  if (!composed.ok) throw new Error(JSON.stringify(composed.errors));
  gateway = await startTestGateway(composed.supergraphSdl);
});

afterAll(async () => {
  await gateway?.close();
  await subgraphs?.close();
});

it('answers the benchmark query with exactly the expected JSON', async () => {
  const request = readFileSync(join(fixtures, 'request.json'), 'utf8');
  const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
  const reply = await postJson(gateway.url, request);
  expect(reply.status).toBe(200);
  expect(reply.json).toEqual(expected);
  // Same keys in the same order as the fixture, not just deep-equal.
  expect(JSON.stringify(reply.json)).toBe(JSON.stringify(expected));
});
