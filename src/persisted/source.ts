// Where the manifest comes from, and how a new version is noticed: a file (watched, like the supergraph file) or
// the Redis registry `tollgate persisted publish` writes (pub/sub wake-ups plus polling). Key layout in Redis:
// `<key>:current` → the served manifest's sha256, `<key>:blob:<sha256>` → its text, `<key>:published` → channel.
import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type Redis from 'ioredis';
import { createRedisClient, readPointed, watchChannel } from '../util/redis';
import { whenRedisReady } from '../util/redisReady';

export interface ManifestSource {
  /** The manifest text now; throws when it can't be read (nothing published, file missing, Redis down). */
  load(): Promise<string>;
  /** Calls `changed` when a new version may be there; returns what stops watching. */
  watch(changed: (reason: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ManifestKeys {
  current: string;
  channel: string;
  blob(hash: string): string;
}

export function manifestKeys(prefix: string): ManifestKeys {
  return { current: `${prefix}:current`, channel: `${prefix}:published`, blob: (hash) => `${prefix}:blob:${hash}` };
}

export class FileManifestSource implements ManifestSource {
  constructor(
    private readonly file: string,
    private readonly watchChanges: boolean,
  ) {}

  load(): Promise<string> {
    return readFile(this.file, 'utf8');
  }

  async watch(changed: (reason: string) => void): Promise<() => Promise<void>> {
    if (!this.watchChanges) return async () => undefined;
    const name = basename(this.file);
    let debounce: NodeJS.Timeout | undefined;
    // The folder is watched, so an editor's or a deploy's rename-over-the-file is seen too.
    const watcher: FSWatcher = watch(dirname(this.file), (_event, file) => {
      if (file && file.toString() !== name) return;
      clearTimeout(debounce);
      debounce = setTimeout(() => changed('file changed'), 50);
    });
    watcher.on('error', () => undefined);
    return async () => {
      clearTimeout(debounce);
      watcher.close();
    };
  }

  async close(): Promise<void> {}
}

const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

export class RedisManifestSource implements ManifestSource {
  private readonly redis: Redis;
  private readonly keys: ManifestKeys;
  private cached?: { hash: string; text: string };

  constructor(
    private readonly url: string,
    prefix: string,
    private readonly pollIntervalMs: number,
    /** Deadline for one Redis call: a Redis that accepts but never answers must not hold reloads (they are serialised) or shutdown. */
    commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ) {
    this.keys = manifestKeys(prefix);
    this.redis = createRedisClient(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: commandTimeoutMs });
    this.redis.on('error', () => undefined);
  }

  async load(): Promise<string> {
    await this.connected();
    this.cached = await readPointed(this.redis, this.keys, this.cached, `no manifest published yet in Redis (${this.keys.current} is not set); run \`tollgate persisted publish\``);
    return this.cached.text;
  }

  private async connected(timeoutMs = 2_000): Promise<void> {
    await whenRedisReady(this.redis, timeoutMs);
  }

  async watch(changed: (reason: string) => void): Promise<() => Promise<void>> {
    const stop = watchChannel(this.url, this.keys.channel, () => changed('published'), () => changed('redis reconnected'));
    const poll = this.pollIntervalMs > 0 ? setInterval(() => changed('poll'), this.pollIntervalMs) : undefined;
    poll?.unref();
    return async () => {
      clearInterval(poll);
      stop();
    };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
