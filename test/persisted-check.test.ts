// `tollgate check` knows the shipped operations: every operation of the persisted-operation manifest counts as used,
// so a subgraph change that breaks one is reported (and fails the check) before it has any traffic.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPublishCommand } from '../src/cli/publish';
import { catalogWith, startPublishGraph, writeRoverProject, type PublishGraph } from './fixtures/publishGraph';
import { tempDir } from './harness';

let graph: PublishGraph;
let dir: string;

async function check(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runPublishCommand('check', args, { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) }, env: {}, cwd: dir });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  graph = await startPublishGraph();
  dir = tempDir('tollgate-pq-check-');
  writeRoverProject(dir, { catalog: graph.catalog.url, stock: graph.stock.url });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: 'w1', name: 'Weights', type: 'query', body: 'query Weights { products { id weight } }' }],
    }),
  );
  // No usage store at all: only the manifest says what is used.
  writeFileSync(join(dir, 'tollgate.yaml'), 'usage:\n  enabled: false\npersistedOperations:\n  mode: safelist\n  manifest:\n    file: manifest.json\n');
});

afterAll(async () => {
  await graph?.close();
});

it('fails a change that breaks a manifest operation, naming it', async () => {
  writeFileSync(join(dir, 'noweight.graphql'), catalogWith('  weight: Int\n', ''));
  const result = await check('catalog', '--schema', 'noweight.graphql', '--format', 'json');
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout);
  expect(report.operations.broken).toEqual([expect.objectContaining({ name: 'Weights', client: 'manifest:w1', errors: ['Cannot query field "weight" on type "Product".'] })]);
});

it('passes a change no manifest operation depends on, having checked them', async () => {
  writeFileSync(join(dir, 'color.graphql'), catalogWith('  size: Size\n}', '  size: Size\n  color: String\n}'));
  const result = await check('catalog', '--schema', 'color.graphql', '--format', 'json');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).operations).toMatchObject({ checked: 1, broken: [] });
});
