// The Redis counter store (ioredis; one node or Cluster). Every batch is one EVALSHA of lua.ts, so the check and
// the charge are one atomic step across all instances. A dead Redis never hangs a request: no offline queue,
// a per-command timeout, one retry, and our own deadline on top; reconnection runs in the background.
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { ADJUST_SCRIPT, APPLY_SCRIPT } from './lua';
import { KEY_GRACE_MS, StoreUnavailableError, storeDelta, storeUnits, type CounterOp, type CounterResult, type CounterStore, type StoreStatus } from './types';
import { createRedisClient, type RedisClient } from '../../util/redis';
import { whenRedisReady } from '../../util/redisReady';

export interface RedisStoreOptions {
  url?: string;
  cluster?: readonly string[];
  commandTimeout: number;
  connectTimeout: number;
}

/** The two scripts, registered with defineCommand (EVALSHA, falling back to EVAL after a Redis restart). */
interface ScriptCommands {
  tollgateApply(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<Array<[number, number]>>;
  tollgateAdjust(key: string, delta: number, expireAt: number): Promise<number>;
}

const KIND_CODES = { hit: 'h', hitIfAdmitted: 'u', charge: 'c' } as const;

export class RedisCounterStore implements CounterStore {
  private readonly client: RedisClient;
  private available = false;
  private failures = 0;
  private lastError?: string;
  private lastErrorAt?: string;
  private closed = false;

  constructor(
    private readonly options: RedisStoreOptions,
    private readonly logger: Logger,
  ) {
    const common: RedisOptions = {
      commandTimeout: options.commandTimeout,
      connectTimeout: options.connectTimeout,
      maxRetriesPerRequest: 1,
      // A command that timed out may still have counted; never send it a second time after a reconnect.
      autoResendUnfulfilledCommands: false,
      enableReadyCheck: true,
    };
    const retry = (times: number) => Math.min(100 * times, 2000);
    // Fail at once while disconnected instead of queueing (a queued command is a hung request).
    this.client = createRedisClient({ url: options.url, cluster: options.cluster }, { ...common, enableOfflineQueue: false, retryStrategy: retry });
    this.client.defineCommand('tollgateApply', { lua: APPLY_SCRIPT });
    this.client.defineCommand('tollgateAdjust', { lua: ADJUST_SCRIPT, numberOfKeys: 1 });
    this.client.on('ready', () => this.setAvailable(true));
    this.client.on('error', (error: Error) => this.noteError(error));
    this.client.on('close', () => this.setAvailable(false));
    this.client.on('end', () => this.setAvailable(false));
  }

  /** Resolves once connected, or after `timeoutMs` (the store then keeps reconnecting in the background). */
  async ready(timeoutMs = this.options.connectTimeout): Promise<boolean> {
    if (this.available) return true;
    return whenRedisReady(this.client, timeoutMs);
  }

  async apply(ops: readonly CounterOp[], { requireAllHits }: { requireAllHits: boolean; now: number }): Promise<CounterResult[]> {
    if (ops.length === 0) return [];
    const args: Array<string | number> = ops.map((op) => op.key);
    args.push(requireAllHits ? '1' : '0');
    for (const op of ops) args.push(storeUnits(op.amount), op.max, op.windowEnd + KEY_GRACE_MS, KIND_CODES[op.kind]);
    const replies = await this.call(() => this.scripts.tollgateApply(ops.length, ...args));
    return replies.map(([count, admitted]) => ({ count: Number(count), admitted: admitted === 1 }));
  }

  async adjust(key: string, delta: number, windowEnd: number): Promise<number> {
    return Number(await this.call(() => this.scripts.tollgateAdjust(key, storeDelta(delta), windowEnd + KEY_GRACE_MS)));
  }

  status(): StoreStatus {
    // The client's own state is current; our flag follows its events a moment later.
    return { kind: 'redis', available: this.client.status === 'ready', failures: this.failures, lastError: this.lastError, lastErrorAt: this.lastErrorAt };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client.disconnect();
  }

  private get scripts(): ScriptCommands {
    // defineCommand adds the methods at run time; ioredis' types can't know their names.
    return this.client as unknown as ScriptCommands;
  }

  /** Runs one command under a hard deadline (ioredis' own timeout does not cover every path, e.g. Cluster slot lookups). */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.options.commandTimeout}ms`)), this.options.commandTimeout + 50);
    });
    try {
      return await Promise.race([command(), deadline]);
    } catch (error) {
      this.failures += 1;
      this.noteError(error as Error);
      throw new StoreUnavailableError(`the Redis store is unavailable: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  private setAvailable(available: boolean): void {
    if (available === this.available || this.closed) return;
    this.available = available;
    if (available) this.logger.info({ store: 'redis' }, 'rate-limit store connected');
    else this.logger.warn({ store: 'redis', lastError: this.lastError }, 'rate-limit store unavailable; reconnecting in the background');
  }

  private noteError(error: Error): void {
    this.lastError = error.message;
    this.lastErrorAt = new Date().toISOString();
  }
}
