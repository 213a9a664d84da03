// Where published supergraphs live: a folder beside `supergraph.file` (fileStore.ts) or Redis for a fleet
// (redisStore.ts). Both keep the same history and content-addressed blobs; commits are all-or-nothing per version.
import type { HistoryEntry } from '../history';

export interface RegistryStore {
  /** For messages: `file supergraph/supergraph.graphql`, `redis tollgate:supergraph`. */
  readonly description: string;
  /** Retained entries, oldest first. */
  history(): Promise<HistoryEntry[]>;
  /** A supergraph or subgraph SDL by its sha256; throws when it is missing. */
  readBlob(hash: string): Promise<string>;
  /**
   * Adds `entries` (consecutive versions after `expectedVersion`) and their blobs, and makes the last entry's
   * supergraph the served one (file written atomically / Redis key set + a pub/sub message). Throws
   * PublishConflictError, changing nothing, when the newest version is no longer `expectedVersion`.
   */
  commit(entries: readonly HistoryEntry[], blobs: ReadonlyMap<string, string>, expectedVersion: number): Promise<void>;
  /**
   * What the gateways serve now — which may be a supergraph written outside the registry (`tollgate compose` into
   * supergraph.file): its sha256 and text, or undefined when nothing is served.
   */
  served(): Promise<{ hash: string; sdl: string } | undefined>;
  close(): Promise<void>;
}

/** Another publish landed between reading the history and committing; the caller retries on the new state. */
export class PublishConflictError extends Error {
  constructor(expected: number, actual: number) {
    super(`another publish landed meanwhile (expected version ${expected}, found ${actual})`);
    this.name = 'PublishConflictError';
  }
}

/** How many versions a store keeps by default; older entries and the blobs only they use are deleted. */
export const DEFAULT_HISTORY_LIMIT = 100;
