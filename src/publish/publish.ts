// `publish` and `rollback`: check, then commit a new version to the registry store (file or Redis), which the
// gateways pick up. Retries on a concurrent publish; refuses composition errors and, unless allowed, breaking changes.
import { hostname, userInfo } from 'node:os';
import { validateSupergraphSdl } from '../compose/validateSupergraph';
import type { SubgraphInput } from '../compose/compose';
import type { UsageSource } from '../telemetry/usage/types';
import { apiSchemaOf } from './apiSchema';
import { checkSubgraph, type CandidateSubgraph, type CheckReport, type UsageEvidence } from './check';
import { resolveRollbackTarget, type HistoryAction, type HistoryEntry, type SubgraphRef } from './history';
import { diffSchemas, summarizeDiff, type SchemaChange, type SchemaDiff } from './schemaDiff';
import { loadRegistryState, RegistryError, sha256Hex, type RegistryState } from './state';
import { PublishConflictError, type RegistryStore } from './store/types';

/** Attempts before a publish racing others gives up with PUBLISH_CONFLICT. */
const MAX_ATTEMPTS = 3;
/** History entries keep at most this many changes (the summary still counts them all). */
const MAX_RECORDED_CHANGES = 200;

export interface RegistryTarget {
  store: RegistryStore;
  /** rover.yaml: the starting point before the first publish. */
  roverPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** Who a CLI run acts as: TOLLGATE_ACTOR, else user@host. */
export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOLLGATE_ACTOR) return env.TOLLGATE_ACTOR;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

/** Recently used operations from a usage source, or undefined when it can't be read (the check says so). */
export async function gatherUsage(source: UsageSource | undefined, sinceMs: number, now = Date.now()): Promise<UsageEvidence | undefined> {
  if (!source) return undefined;
  const since = now - sinceMs;
  return { operations: await source.recentOperations(since), since };
}

export type PublishOutcome =
  | { status: 'published'; report: CheckReport; entry: HistoryEntry; baseline?: HistoryEntry }
  /** The candidate is what is served already; only a baseline may have been recorded. */
  | { status: 'unchanged'; report: CheckReport; baseline?: HistoryEntry }
  | { status: 'refused'; reason: 'composition' | 'breaking'; report: CheckReport };

export interface PublishOptions extends RegistryTarget {
  candidate: CandidateSubgraph;
  allowBreaking?: boolean;
  actor: string;
  usage?: UsageEvidence;
  now?: () => Date;
}

function refsOf(subgraphs: readonly SubgraphInput[]): { refs: Record<string, SubgraphRef>; blobs: Map<string, string> } {
  const refs: Record<string, SubgraphRef> = {};
  const blobs = new Map<string, string>();
  for (const s of subgraphs) {
    const hash = sha256Hex(s.sdl);
    refs[s.name] = { url: s.url, sdl: hash };
    blobs.set(hash, s.sdl);
  }
  return { refs, blobs };
}

function recorded(diff: SchemaDiff): SchemaChange[] {
  return [...diff.breaking, ...diff.dangerous, ...diff.safe].slice(0, MAX_RECORDED_CHANGES);
}

function baselineEntry(state: RegistryState, actor: string, at: string): { entry: HistoryEntry; blobs: Map<string, string> } {
  const { refs, blobs } = refsOf(state.subgraphs);
  blobs.set(state.hash, state.supergraphSdl);
  const entry: HistoryEntry = { version: 1, hash: state.hash, at, by: actor, action: 'baseline', summary: 'rover.yaml before the first publish', changes: [], subgraphs: refs };
  return { entry, blobs };
}

export async function publishSubgraph(options: PublishOptions): Promise<PublishOutcome> {
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; ; attempt++) {
    const state = await loadRegistryState(options.store, options.roverPath, options.env);
    const { report, composed } = checkSubgraph(state, options.candidate, options.usage);
    if (!composed) return { status: 'refused', reason: 'composition', report };
    if (!report.ok && !options.allowBreaking) return { status: 'refused', reason: 'breaking', report };

    const at = now().toISOString();
    const entries: HistoryEntry[] = [];
    const blobs = new Map<string, string>();
    let baseline: HistoryEntry | undefined;
    if (state.source === 'rover') {
      // The first publish also records where it started from, so the first rollback has somewhere to go.
      const first = baselineEntry(state, options.actor, at);
      baseline = first.entry;
      entries.push(first.entry);
      first.blobs.forEach((sdl, hash) => blobs.set(hash, sdl));
    }
    if (report.unchanged && !baseline) return { status: 'unchanged', report };
    let entry: HistoryEntry | undefined;
    if (!report.unchanged) {
      const { refs, blobs: subgraphBlobs } = refsOf(composed.subgraphs);
      subgraphBlobs.forEach((sdl, hash) => blobs.set(hash, sdl));
      blobs.set(composed.hash, composed.supergraphSdl);
      entry = {
        version: (state.version ?? 0) + entries.length + 1,
        hash: composed.hash,
        at,
        by: options.actor,
        action: 'publish',
        subgraph: options.candidate.name,
        summary: `${options.candidate.name}${report.newSubgraph ? ' (new)' : ''}: ${summarizeDiff(report.changes)}`,
        changes: recorded(report.changes),
        subgraphs: refs,
      };
      entries.push(entry);
    }
    try {
      await options.store.commit(entries, blobs, state.version ?? 0);
    } catch (error) {
      if (error instanceof PublishConflictError && attempt < MAX_ATTEMPTS) continue;
      throw asRegistryError(error, options.store);
    }
    return entry ? { status: 'published', report, entry, ...(baseline ? { baseline } : {}) } : { status: 'unchanged', report, ...(baseline ? { baseline } : {}) };
  }
}

export interface RollbackOptions extends RegistryTarget {
  /** A version (`3`, `v3`) or a supergraph hash prefix; default: the version before the newest. */
  to?: string;
  actor: string;
  now?: () => Date;
}

export interface RollbackOutcome {
  entry: HistoryEntry;
  /** The version restored. */
  target: HistoryEntry;
  changes: SchemaDiff;
}

export async function rollbackSupergraph(options: RollbackOptions): Promise<RollbackOutcome> {
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; ; attempt++) {
    let entries: HistoryEntry[];
    try {
      entries = await options.store.history();
    } catch (error) {
      throw asRegistryError(error, options.store);
    }
    const served = await options.store.served().catch((error: unknown) => {
      throw asRegistryError(error, options.store);
    });
    const resolved = resolveRollbackTarget(entries, options.to, served?.hash ?? entries.at(-1)?.hash);
    if (!resolved.ok) throw new RegistryError('HISTORY_ENTRY_NOT_FOUND', resolved.message);
    const target = resolved.entry;
    const head = entries[entries.length - 1];
    // The diff is against what is served, which may be a supergraph written outside the registry.
    const [restoredSdl, currentSdl] = await Promise.all([options.store.readBlob(target.hash), served ? served.sdl : options.store.readBlob(head.hash)]).catch((error: unknown) => {
      throw asRegistryError(error, options.store);
    });
    // It loaded once; a gateway upgrade since may refuse it. Never point a fleet at a supergraph it can't load.
    const verdict = validateSupergraphSdl(restoredSdl);
    if (!verdict.ok) throw new RegistryError('COMPOSITION_FAILED', `version ${target.version} would not load in this gateway: ${verdict.message}`);
    const changes = diffSchemas(apiSchemaOf(currentSdl), apiSchemaOf(restoredSdl));
    const action: HistoryAction = 'rollback';
    const entry: HistoryEntry = {
      version: head.version + 1,
      hash: target.hash,
      at: now().toISOString(),
      by: options.actor,
      action,
      restored: target.version,
      summary: `rollback to version ${target.version}: ${summarizeDiff(changes)}`,
      changes: recorded(changes),
      subgraphs: target.subgraphs,
    };
    try {
      await options.store.commit([entry], new Map(), head.version);
    } catch (error) {
      if (error instanceof PublishConflictError && attempt < MAX_ATTEMPTS) continue;
      throw asRegistryError(error, options.store);
    }
    return { entry, target, changes };
  }
}

function asRegistryError(error: unknown, store: RegistryStore): RegistryError {
  if (error instanceof RegistryError) return error;
  if (error instanceof PublishConflictError) return new RegistryError('PUBLISH_CONFLICT', `${error.message}; try again`);
  return new RegistryError('REGISTRY_UNAVAILABLE', `${store.description}: ${(error as Error).message}`);
}
