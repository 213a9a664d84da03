// Locates and parses a subgraph's schema.graphql. tsc does not copy .graphql files into dist/, so compiled code
// (dist/subgraphs/lib) reads the SDL from the source tree, the same file ts-jest (subgraphs/lib) reads.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** Absolute path of `subgraphs/<subgraph>/schema.graphql`, whether running from source or from dist/. */
export function subgraphSchemaPath(subgraph: string): string {
  const candidates = [
    resolve(__dirname, '..', subgraph, 'schema.graphql'), // source: subgraphs/lib → subgraphs/<subgraph>
    resolve(__dirname, '..', '..', '..', 'subgraphs', subgraph, 'schema.graphql'), // dist/subgraphs/lib → repo root
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`schema.graphql for subgraph "${subgraph}" not found; looked in ${candidates.join(', ')}`);
  }
  return found;
}

export function loadSubgraphTypeDefs(subgraph: string): DocumentNode {
  return parse(readFileSync(subgraphSchemaPath(subgraph), 'utf8'));
}
