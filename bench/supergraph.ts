// The supergraph every gateway under test serves: the example subgraphs' SDL composed with the URLs they
// actually run on, through Tollgate's own composeSupergraph.
import { readFileSync } from 'node:fs';
import { composeSupergraph } from '../src/compose/compose';
import { EXAMPLE_SUBGRAPHS, type ExampleSubgraphName } from '../subgraphs';

export function composeBenchSupergraph(urls: Record<ExampleSubgraphName, string>): string {
  const result = composeSupergraph(
    EXAMPLE_SUBGRAPHS.map(({ name, schemaPath }) => ({ name, url: urls[name], sdl: readFileSync(schemaPath, 'utf8') })),
  );
  if (!result.ok) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `  [${e.subgraph ?? '-'}] ${e.code}: ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}
