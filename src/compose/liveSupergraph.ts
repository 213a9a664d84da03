// Keeps the gateway's supergraph current: loads it once, then reloads on file change or on a poll.
// A new supergraph is validated before the swap; a broken one is logged and the last good one keeps serving.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SupergraphManager } from '@apollo/gateway';
import type { SupergraphSdlHookOptions } from '@apollo/gateway/dist/config';
import type { Logger } from 'pino';
import { relaxTollgateEnforcedLinks } from './securityLinks';
import { validateSupergraphSdl } from './validateSupergraph';

export interface SupergraphStatus {
  loaded: boolean;
  /** sha256 of the SDL being served. */
  hash?: string;
  loadedAt?: string;
  reloads: number;
  /** The last reload that failed since the last good one, if any. */
  lastError?: { message: string; at: string };
}

export interface LiveSupergraphOptions {
  /** Produces the current supergraph SDL (reads a file, or composes a rover.yaml). */
  load: () => Promise<string>;
  /** A file to watch for changes (its directory is watched, so editors' rename-on-save is seen). */
  watchFile?: string;
  /** Re-load every interval; 0 = never. */
  pollIntervalMs?: number;
  /**
   * Load-time work on a valid supergraph before it is swapped in, e.g. loading the REST descriptions it names
   * (src/rest/registry.ts). Throwing refuses the supergraph like a failed validation: the last good one keeps serving.
   */
  prepare?: (supergraphSdl: string) => void;
  logger: Logger;
}

export class LiveSupergraph implements SupergraphManager {
  readonly status: SupergraphStatus = { loaded: false, reloads: 0 };
  private update?: SupergraphSdlHookOptions['update'];
  private watcher?: FSWatcher;
  private pollTimer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private reloading: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: LiveSupergraphOptions) {}

  async initialize({ update }: SupergraphSdlHookOptions): Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }> {
    this.update = update;
    const supergraphSdl = relaxTollgateEnforcedLinks(await this.options.load());
    const verdict = validateSupergraphSdl(supergraphSdl);
    if (!verdict.ok) throw new Error(`supergraph is invalid: ${verdict.message}`);
    this.options.prepare?.(supergraphSdl);
    this.markLoaded(supergraphSdl);
    this.startWatching();
    return { supergraphSdl, cleanup: async () => this.stop() };
  }

  /** Reloads now (also what the watcher and the poll call). Never throws; serialised so reloads don't overlap. */
  reload(reason: string): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadOnce(reason));
    return this.reloading;
  }

  private async reloadOnce(reason: string): Promise<void> {
    if (this.stopped || !this.update) return;
    const { logger } = this.options;
    try {
      const sdl = relaxTollgateEnforcedLinks(await this.options.load());
      const hash = sha256(sdl);
      if (hash === this.status.hash) return;
      const verdict = validateSupergraphSdl(sdl);
      if (!verdict.ok) throw new Error(verdict.message);
      this.options.prepare?.(sdl);
      this.update(sdl);
      this.markLoaded(sdl, hash);
      this.status.reloads += 1;
      logger.info({ reason, hash }, 'supergraph reloaded');
    } catch (error) {
      const message = (error as Error).message;
      this.status.lastError = { message, at: new Date().toISOString() };
      logger.error({ reason, err: message, servingHash: this.status.hash }, 'supergraph reload failed; still serving the last good supergraph');
    }
  }

  private markLoaded(sdl: string, hash = sha256(sdl)): void {
    this.status.loaded = true;
    this.status.hash = hash;
    this.status.loadedAt = new Date().toISOString();
    this.status.lastError = undefined;
  }

  private startWatching(): void {
    const { watchFile, pollIntervalMs = 0, logger } = this.options;
    if (watchFile) {
      const name = basename(watchFile);
      try {
        this.watcher = watch(dirname(watchFile), (_event, changed) => {
          if (changed && changed.toString() !== name) return;
          // Editors and `compose` write in several steps; settle before reading.
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => void this.reload('file changed'), 50);
        });
        this.watcher.on('error', (error) => logger.warn({ err: error.message }, 'supergraph file watch failed'));
      } catch (error) {
        logger.warn({ err: (error as Error).message, file: watchFile }, 'cannot watch supergraph file; hot reload is off');
      }
    }
    if (pollIntervalMs > 0) {
      this.pollTimer = setInterval(() => void this.reload('poll'), pollIntervalMs);
      this.pollTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearTimeout(this.debounce);
    clearInterval(this.pollTimer);
    await this.reloading;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
