// `tollgate persisted publish`: a manifest checked (parsed, each operation validated against the served supergraph)
// and written where the gateways read it — Redis (`manifest.redis`: blob, then `current`, then a pub/sub message, in
// one transaction) or the manifest file (`manifest.file`, written atomically; the file watch picks it up).
// Also the manifest operations `tollgate check` treats as used.
import { readFile } from 'node:fs/promises';
import { createRedisClient } from '../util/redis';
import type { TollgateConfig } from '../config/schema';
import type { OperationUsage, UsageSource } from '../telemetry/usage/types';
import { writeAtomically } from '../util/atomicWrite';
import { parseManifest, type Manifest } from './manifest';
import { manifestKeys, RedisManifestSource } from './source';

export type ManifestTarget = { kind: 'redis'; url: string; key: string } | { kind: 'file'; file: string };

export function manifestTargetOf(config: TollgateConfig): ManifestTarget | undefined {
  const { manifest } = config.persistedOperations;
  if (manifest.redis) return { kind: 'redis', url: manifest.redis.url, key: manifest.redis.key };
  if (manifest.file) return { kind: 'file', file: manifest.file };
  return undefined;
}

/** Writes the manifest text as the served version (its hash names it in Redis). */
export async function writeManifest(target: ManifestTarget, text: string, manifest: Manifest): Promise<void> {
  if (target.kind === 'file') return writeAtomically(target.file, text);
  const keys = manifestKeys(target.key);
  const redis = createRedisClient(target.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.multi().set(keys.blob(manifest.hash), text).set(keys.current, manifest.hash).publish(keys.channel, manifest.hash).exec();
  } finally {
    redis.disconnect();
  }
}

/** The manifest the gateways serve now, or undefined when none is configured or published yet. */
export async function readServedManifest(config: TollgateConfig): Promise<Manifest | undefined> {
  const target = manifestTargetOf(config);
  if (!target) return undefined;
  let text: string;
  if (target.kind === 'file') {
    try {
      text = await readFile(target.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  } else {
    const source = new RedisManifestSource(target.url, target.key, 0);
    try {
      text = await source.load();
    } catch (error) {
      if (/no manifest published yet/.test((error as Error).message)) return undefined;
      throw error;
    } finally {
      await source.close();
    }
  }
  const parsed = parseManifest(text);
  if (!parsed.ok) throw new Error(`the served manifest is not valid: ${parsed.errors.join('; ')}`);
  return parsed.manifest;
}

/** Manifest operations as usage for `tollgate check`: shipped operations count as used, whatever their traffic. */
export function manifestUsage(manifest: Manifest, now = Date.now()): OperationUsage[] {
  return [...manifest.operations.values()].map((op) => ({
    ...(op.name !== undefined ? { name: op.name } : {}),
    queryHash: op.bodyHash,
    query: op.body,
    client: `manifest:${op.id}`,
    count: 0,
    lastSeen: now,
  }));
}

/**
 * Recorded usage plus every operation of the manifest served now, for checks and publishes. A failing usage store
 * still leaves the manifest operations (reported through `onUsageError`).
 */
export function withManifestOperations(usage: UsageSource | undefined, manifest: () => Manifest | undefined, onUsageError?: (error: Error) => void): UsageSource {
  return {
    async recentOperations(since) {
      let recorded: OperationUsage[] = [];
      try {
        recorded = usage ? await usage.recentOperations(since) : [];
      } catch (error) {
        if (!onUsageError) throw error;
        onUsageError(error as Error);
      }
      const current = manifest();
      return current ? [...recorded, ...manifestUsage(current)] : recorded;
    },
  };
}
