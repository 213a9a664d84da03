// The current published state — the supergraph served now and the subgraph SDLs it was composed from: the newest
// history entry, or rover.yaml composed when nothing has been published yet. Checks and publishes start here.
import { dirname, resolve } from 'node:path';
import { composeSupergraph, readRoverSubgraphs, type SubgraphInput } from '../compose/compose';
import type { ErrorCode } from '../errors';
import { prepareRestSubgraph } from '../rest/composeRest';
import type { HistoryEntry } from './history';
import type { RegistryStore } from './store/types';
import { sha256Hex } from '../util/sha256';

export interface RegistryState {
  /** Newest version; undefined before the first publish. */
  version?: number;
  /** Retained history, oldest first. */
  entries: HistoryEntry[];
  supergraphSdl: string;
  hash: string;
  /** In composition order. */
  subgraphs: SubgraphInput[];
  /** `history`: the newest entry; `rover`: rover.yaml composed (nothing published yet). */
  source: 'history' | 'rover';
}

/** A check, publish or rollback that cannot go on; `code` is the admin endpoint's error code (src/errors.ts). */
export class RegistryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export { sha256Hex };

/** Reads the state from the store's history, else composes `roverPath`. Throws RegistryError. */
export async function loadRegistryState(store: RegistryStore | undefined, roverPath: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RegistryState> {
  let entries: HistoryEntry[] = [];
  if (store) {
    try {
      entries = await store.history();
      const head = entries.at(-1);
      if (head) {
        const subgraphs = await Promise.all(
          Object.entries(head.subgraphs).map(async ([name, ref]) => ({ name, url: ref.url, sdl: await store.readBlob(ref.sdl) })),
        );
        const supergraphSdl = await store.readBlob(head.hash);
        return { version: head.version, entries, supergraphSdl, hash: head.hash, subgraphs, source: 'history' };
      }
    } catch (error) {
      throw new RegistryError('REGISTRY_UNAVAILABLE', `cannot read the history from ${store.description}: ${(error as Error).message}`);
    }
  }
  if (!roverPath) throw new RegistryError('REGISTRY_UNAVAILABLE', 'nothing is published yet and no rover.yaml is configured to start from (publish.rover)');
  const read = await readRoverSubgraphs(roverPath, env);
  if (!read.ok) {
    throw new RegistryError('REGISTRY_UNAVAILABLE', `cannot read ${roverPath}: ${read.errors.map((e) => `${e.subgraph ? `[${e.subgraph}] ` : ''}${e.code}: ${e.message}`).join('; ')}`);
  }
  const subgraphs = read.subgraphs.map((input) => withRestRoutingUrl(input, dirname(resolve(roverPath))));
  const composed = composeSupergraph(subgraphs);
  if (!composed.ok) {
    throw new RegistryError('REGISTRY_UNAVAILABLE', `${roverPath} does not compose: ${composed.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}`);
  }
  return { entries, supergraphSdl: composed.supergraphSdl, hash: sha256Hex(composed.supergraphSdl), subgraphs, source: 'rover' };
}

/**
 * A REST description from rover.yaml is routed by its file (`rest:<path from rover.yaml>`, docs/rest.md). Published
 * versions keep SDL, not files, so the routing URL is made to carry the path: composing from the history, or with a
 * candidate in its place, then routes it the same way.
 */
function withRestRoutingUrl(input: SubgraphInput, roverDir: string): SubgraphInput {
  if (!input.file) return input;
  const rest = prepareRestSubgraph(input, roverDir);
  if (rest.kind !== 'rest') return input;
  return { name: input.name, url: rest.url, sdl: input.sdl };
}
