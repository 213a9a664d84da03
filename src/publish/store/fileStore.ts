// The registry in files, for a single gateway (or several sharing a disk) using `supergraph.file`:
//   <supergraph.file>             the served supergraph, written atomically; the gateway's file watch reloads it
//   <historyDir>/v000001.json …   one history entry per version
//   <historyDir>/blobs/<sha256>.graphql   supergraph and subgraph SDLs by content hash
// Commits hold a lock directory (<historyDir>/.lock), so two publishers never write the same version.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeAtomically } from '../../util/atomicWrite';
import { referencedBlobs, type HistoryEntry } from '../history';
import { DEFAULT_HISTORY_LIMIT, PublishConflictError, type RegistryStore } from './types';

const ENTRY_FILE = /^v(\d+)\.json$/;
/** A lock older than this is from a publisher that died; it is broken. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

export interface FileStoreOptions {
  supergraphFile: string;
  historyDir: string;
  historyLimit?: number;
}

function entryFile(version: number): string {
  return `v${String(version).padStart(6, '0')}.json`;
}

export class FileRegistryStore implements RegistryStore {
  readonly description: string;
  private readonly blobDir: string;

  constructor(private readonly options: FileStoreOptions) {
    this.description = `file ${options.supergraphFile}`;
    this.blobDir = join(options.historyDir, 'blobs');
  }

  async history(): Promise<HistoryEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.options.historyDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const versions = names.flatMap((name) => {
      const match = ENTRY_FILE.exec(name);
      return match ? [Number(match[1])] : [];
    });
    versions.sort((a, b) => a - b);
    return Promise.all(versions.map(async (v) => JSON.parse(await readFile(join(this.options.historyDir, entryFile(v)), 'utf8')) as HistoryEntry));
  }

  async readBlob(hash: string): Promise<string> {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a blob hash: ${hash}`);
    return readFile(join(this.blobDir, `${hash}.graphql`), 'utf8');
  }

  async served(): Promise<{ hash: string; sdl: string } | undefined> {
    try {
      const sdl = await readFile(this.options.supergraphFile, 'utf8');
      return { hash: createHash('sha256').update(sdl).digest('hex'), sdl };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async commit(entries: readonly HistoryEntry[], blobs: ReadonlyMap<string, string>, expectedVersion: number): Promise<void> {
    const release = await this.lock();
    try {
      const history = await this.history();
      const actual = history.at(-1)?.version ?? 0;
      if (actual !== expectedVersion) throw new PublishConflictError(expectedVersion, actual);
      await mkdir(this.blobDir, { recursive: true });
      for (const [hash, sdl] of blobs) await writeAtomically(join(this.blobDir, `${hash}.graphql`), sdl);
      for (const entry of entries) await writeAtomically(join(this.options.historyDir, entryFile(entry.version)), `${JSON.stringify(entry, null, 2)}\n`);
      const head = entries.at(-1);
      if (head) await writeAtomically(this.options.supergraphFile, blobs.get(head.hash) ?? (await this.readBlob(head.hash)));
      await this.trim([...history, ...entries]);
    } finally {
      await release();
    }
  }

  /** Drops entries beyond the limit, then blobs no kept entry references. */
  private async trim(all: HistoryEntry[]): Promise<void> {
    const limit = this.options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    const gone = all.slice(0, Math.max(0, all.length - limit));
    if (gone.length === 0) return;
    for (const entry of gone) await rm(join(this.options.historyDir, entryFile(entry.version)), { force: true });
    const kept = referencedBlobs(all.slice(gone.length));
    for (const name of await readdir(this.blobDir)) {
      const hash = name.replace(/\.graphql$/, '');
      if (!kept.has(hash)) await rm(join(this.blobDir, name), { force: true });
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    const dir = join(this.options.historyDir, '.lock');
    await mkdir(this.options.historyDir, { recursive: true });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await mkdir(dir);
        return () => rm(dir, { recursive: true, force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const since = await stat(dir).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (since > STALE_LOCK_MS) await rm(dir, { recursive: true, force: true });
        else if (Date.now() > deadline) throw new Error(`${dir} is held by another publish (for ${Math.round(since / 1000)}s)`);
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async close(): Promise<void> {}
}
