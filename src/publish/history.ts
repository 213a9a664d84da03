// The publish history: one entry per supergraph version (who, when, what changed, its hash, and the subgraph
// SDLs it was composed from, by content hash), and which entry a `rollback --to` names. Pure.
import type { SchemaChange } from './schemaDiff';

export type HistoryAction = 'baseline' | 'publish' | 'rollback';

export interface SubgraphRef {
  /** Routing URL written into the supergraph. */
  url: string;
  /** sha256 (hex) of the subgraph's SDL, stored as a blob. */
  sdl: string;
}

export interface HistoryEntry {
  /** 1, 2, 3 … in publish order; never reused (older entries may be trimmed). */
  version: number;
  /** sha256 (hex) of the supergraph SDL — what /ready shows as `supergraph.hash`. */
  hash: string;
  /** ISO 8601. */
  at: string;
  /** Who: the CLI's actor (TOLLGATE_ACTOR, else user@host) or the admin key's client. */
  by: string;
  /** `baseline`: rover.yaml as it stood before the first publish; `publish`: one subgraph changed; `rollback`. */
  action: HistoryAction;
  /** The subgraph published. */
  subgraph?: string;
  /** For a rollback: the version whose supergraph was restored. */
  restored?: number;
  /** One line, e.g. `products: 1 breaking, 2 additions`. */
  summary: string;
  /** API schema changes against the version before. */
  changes: SchemaChange[];
  /** Every subgraph the supergraph was composed from. */
  subgraphs: Record<string, SubgraphRef>;
}

export type RollbackTarget = { ok: true; entry: HistoryEntry } | { ok: false; message: string };

/**
 * `undefined` → the version before the newest one (undo the last publish or rollback); `7` or `v7` → version 7;
 * 7+ hex characters → the newest version whose hash starts with them. Entries are oldest first.
 */
export function resolveRollbackTarget(entries: readonly HistoryEntry[], to: string | undefined, servedHash: string | undefined = entries.at(-1)?.hash): RollbackTarget {
  const head = entries.at(-1);
  if (!head) return { ok: false, message: 'nothing has been published yet' };
  let found: HistoryEntry | undefined;
  if (to === undefined) {
    // Undo the last change: the version before the newest, or the newest itself when something outside the
    // registry replaced it (an out-of-band `tollgate compose`).
    found = servedHash === head.hash ? entries.at(-2) : head;
    if (!found) return { ok: false, message: `version ${head.version} is the only one in the history` };
  } else if (/^v?\d{1,6}$/.test(to)) {
    const version = Number(to.replace(/^v/, ''));
    found = entries.find((e) => e.version === version);
    if (!found) return { ok: false, message: `no version ${version} in the history (kept: ${entries[0].version}–${head.version})` };
  } else if (/^[0-9a-f]{7,64}$/i.test(to)) {
    const prefix = to.toLowerCase();
    found = [...entries].reverse().find((e) => e.hash.startsWith(prefix));
    if (!found) return { ok: false, message: `no version with a hash starting ${prefix} in the history` };
  } else {
    return { ok: false, message: `--to takes a version number (e.g. 3) or a supergraph hash (7+ hex characters), got "${to}"` };
  }
  if (found.hash === servedHash) return { ok: false, message: `version ${found.version} is what is served now (hash ${found.hash.slice(0, 12)})` };
  return { ok: true, entry: found };
}

/** `history` as the CLI (text and JSON) and `/admin/history` show it: newest first, the served entry marked. */
export interface HistoryView {
  /** What the gateways serve now: its hash, and the newest version that recorded it (null: written outside the registry). */
  served: { hash: string; version: number | null } | null;
  entries: Array<HistoryEntry & { current: boolean }>;
}

export function historyView(entries: readonly HistoryEntry[], servedHash: string | undefined, limit = entries.length): HistoryView {
  const servedEntry = servedHash === undefined ? undefined : [...entries].reverse().find((e) => e.hash === servedHash);
  const newestFirst = entries.slice(-limit).reverse();
  return {
    served: servedHash === undefined ? null : { hash: servedHash, version: servedEntry?.version ?? null },
    entries: newestFirst.map((e) => ({ ...e, current: e === servedEntry })),
  };
}

/** Every blob hash the entries reference (supergraphs and subgraph SDLs), for garbage collection. */
export function referencedBlobs(entries: readonly HistoryEntry[]): Set<string> {
  const refs = new Set<string>();
  for (const entry of entries) {
    refs.add(entry.hash);
    for (const ref of Object.values(entry.subgraphs)) refs.add(ref.sdl);
  }
  return refs;
}
