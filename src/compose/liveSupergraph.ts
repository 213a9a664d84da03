// Keeps the gateway's supergraph current: loads it once, then reloads on file change, on a wake-up (e.g. Redis
// pub/sub) or on a poll. A new supergraph is validated before the swap; a broken one is logged and the last good
// one keeps serving.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type SupergraphManager, type SupergraphSdlHookOptions } from '../apollo';
import type { Logger } from 'pino';
import { relaxTollgateEnforcedLinks } from './securityLinks';
import { validateSupergraphSdl } from './validateSupergraph';

/** How long a refused supergraph is not re-validated when a poll finds it again. */
const RETRY_REFUSED_AFTER_MS = 60_000;

export interface SupergraphStatus {
  loaded: boolean;
  /** sha256 of the SDL being served. */
  hash?: string;
  loadedAt?: string;
  reloads: number;
  /** The last reload that failed since the last good one, if any (with the refused SDL's hash, when it was read). */
  lastError?: { message: string; at: string; hash?: string };
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
  /**
   * Registers for wake-ups (e.g. a Redis pub/sub message on each publish); `wake` reloads now. Returns what
   * stops them. Polling still runs, for wake-ups that are missed.
   */
  subscribe?: (wake: (reason: string) => void) => Promise<() => Promise<void>>;
  /**
   * Until a valid supergraph arrives, keep retrying (on every wake-up and poll) instead of failing start-up;
   * meanwhile /ready answers 503 with the reason. For shared stores a fleet starts against before the first publish.
   */
  waitForFirst?: boolean;
  /** Told the result of every reload attempt that found a changed supergraph (for metrics). */
  onReload?: (ok: boolean) => void;
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
  private unsubscribe?: () => Promise<void>;
  /**
   * The last SDL refused and when: a poll re-reading it skips it for a while rather than re-validating it every few
   * seconds, yet retries eventually (its REST description files may have been deployed since).
   */
  private refused?: { hash: string; at: number };
  private firstLoad?: { resolve: (sdl: string) => void; reject: (error: Error) => void };

  constructor(private readonly options: LiveSupergraphOptions) {}

  async initialize({ update }: SupergraphSdlHookOptions): Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }> {
    const supergraphSdl = this.options.waitForFirst ? await this.waitForFirstSupergraph() : await this.loadValid();
    this.update = update;
    this.markLoaded(supergraphSdl);
    if (!this.options.waitForFirst) await this.startWatching();
    return { supergraphSdl, cleanup: async () => this.stop() };
  }

  private async loadValid(): Promise<string> {
    const supergraphSdl = relaxTollgateEnforcedLinks(await this.options.load());
    const verdict = validateSupergraphSdl(supergraphSdl);
    if (!verdict.ok) throw new Error(`supergraph is invalid: ${verdict.message}`);
    this.options.prepare?.(supergraphSdl);
    return supergraphSdl;
  }

  /** Wake-ups and polls start now and retry the first load until one is valid (see `waitForFirst`). */
  private waitForFirstSupergraph(): Promise<string> {
    const first = new Promise<string>((resolve, reject) => (this.firstLoad = { resolve, reject }));
    void this.startWatching().then(() => this.reload('start'));
    return first;
  }

  /** Reloads now (also what the watcher and the poll call). Never throws; serialised so reloads don't overlap. */
  reload(reason: string): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadOnce(reason));
    return this.reloading;
  }

  private async reloadOnce(reason: string): Promise<void> {
    if (this.stopped) return;
    if (!this.update) return this.firstLoad ? this.retryFirstLoad(reason) : undefined;
    const { logger } = this.options;
    let hash: string | undefined;
    try {
      const sdl = relaxTollgateEnforcedLinks(await this.options.load());
      hash = sha256(sdl);
      if (hash === this.status.hash) return;
      if (hash === this.refused?.hash && Date.now() - this.refused.at < RETRY_REFUSED_AFTER_MS) return;
      const verdict = validateSupergraphSdl(sdl);
      if (!verdict.ok) throw new Error(verdict.message);
      this.options.prepare?.(sdl);
      this.update(sdl);
      this.markLoaded(sdl, hash);
      this.status.reloads += 1;
      this.options.onReload?.(true);
      logger.info({ reason, hash }, 'supergraph reloaded');
    } catch (error) {
      const message = (error as Error).message;
      // A load that failed before reading anything (store down) is retried on the next poll; a broken SDL is not.
      this.refused = hash ? { hash, at: Date.now() } : undefined;
      const repeated = this.status.lastError?.message === message;
      this.status.lastError = { message, at: new Date().toISOString(), ...(hash ? { hash } : {}) };
      this.options.onReload?.(false);
      // Logged once per distinct failure, not once per poll while a store stays down.
      if (!repeated) logger.error({ reason, err: message, refusedHash: hash, servingHash: this.status.hash }, 'supergraph reload failed; still serving the last good supergraph');
    }
  }

  private async retryFirstLoad(reason: string): Promise<void> {
    const pending = this.firstLoad;
    if (!pending) return;
    try {
      const sdl = await this.loadValid();
      this.firstLoad = undefined;
      pending.resolve(sdl);
    } catch (error) {
      const message = (error as Error).message;
      if (this.status.lastError?.message !== message) this.options.logger.warn({ reason, err: message }, 'waiting for a valid supergraph; not ready yet');
      this.status.lastError = { message, at: new Date().toISOString() };
    }
  }

  private markLoaded(sdl: string, hash = sha256(sdl)): void {
    this.refused = undefined;
    this.status.loaded = true;
    this.status.hash = hash;
    this.status.loadedAt = new Date().toISOString();
    this.status.lastError = undefined;
  }

  private async startWatching(): Promise<void> {
    const { watchFile, pollIntervalMs = 0, logger, subscribe } = this.options;
    if (subscribe) {
      try {
        this.unsubscribe = await subscribe((reason) => void this.reload(reason));
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'supergraph wake-ups unavailable; relying on polling');
      }
    }
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
    this.firstLoad?.reject(new Error('stopped before a supergraph was loaded'));
    this.firstLoad = undefined;
    await this.unsubscribe?.().catch(() => undefined);
    this.watcher?.close();
    clearTimeout(this.debounce);
    clearInterval(this.pollTimer);
    await this.reloading;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
