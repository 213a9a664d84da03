// Persisted operations for a running gateway: the mode each caller gets, the manifest (loaded, hot-reloaded,
// validated against every supergraph), the APQ store, and the one call the pipeline makes (`resolve`).
// The pure parts are manifest.ts, resolve.ts and validate.ts; stores in store/, manifest sources in source.ts.
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import type { Principal } from '../identity/principal';
import { LogBudget } from '../util/logBudget';
import { LruCache } from '../util/lru';
import type { PersistedMode } from './config';
import { parseManifest, type Manifest } from './manifest';
import { resolvePersisted, type PersistedRequest, type Resolution } from './resolve';
import { FileManifestSource, RedisManifestSource, type ManifestSource } from './source';
import { MemoryApqStore } from './store/memory';
import { RedisApqStore } from './store/redis';
import type { ApqStore } from './store/types';
import { findInvalidOperations, type InvalidOperation } from './validate';

/** Invalid operations listed in /ready (the log and `tollgate check` have them all). */
const MAX_INVALID_SHOWN = 20;
/** Distinct unlisted operations logged in audit mode before repeats are only counted. */
const AUDIT_LOGGED = 10_000;
/** Audit lines per minute at most: a client sending endless distinct operations must not flood the log. */
const AUDIT_LINES_PER_MINUTE = 60;

export interface ManifestStatus {
  source: 'file' | 'redis';
  loaded: boolean;
  hash?: string;
  format?: string;
  operations?: number;
  loadedAt?: string;
  /** Operations that do not validate against the served supergraph. */
  invalid: { count: number; operations: InvalidOperation[] };
  lastError?: { message: string; at: string };
}

export class PersistedOperations {
  private manifest?: Manifest;
  private schema?: GraphQLSchema;
  private invalid: InvalidOperation[] = [];
  private readonly apq?: ApqStore;
  private readonly source?: ManifestSource;
  private stopWatching?: () => Promise<void>;
  private reloading: Promise<void> = Promise.resolve();
  private readonly manifestStatus?: ManifestStatus;
  private readonly auditLogged = new LruCache<string, true>(AUDIT_LOGGED);
  private readonly auditLines: LogBudget;
  private readonly config: TollgateConfig['persistedOperations'];
  private readonly plans: TollgateConfig['clients'];
  private readonly clientClaim?: string;
  /** Whether a caller's identity changes its mode (then authentication runs before resolution). */
  readonly dependsOnCaller: boolean;

  constructor(
    config: TollgateConfig,
    private readonly logger: Logger,
    now: () => number = Date.now,
  ) {
    this.auditLines = new LogBudget(AUDIT_LINES_PER_MINUTE, now);
    this.config = config.persistedOperations;
    this.plans = config.clients;
    this.clientClaim = config.authentication.jwt?.clientClaim;
    const { overrides, manifest, apq, mode } = this.config;
    this.dependsOnCaller = Object.keys(overrides.plans).length > 0 || Object.keys(overrides.clients).length > 0;
    const modes = new Set<PersistedMode>([mode, ...Object.values(overrides.plans), ...Object.values(overrides.clients)]);
    if (modes.has('apq') || modes.has('audit')) {
      this.apq = apq.redis
        ? new RedisApqStore({ url: apq.redis.url, key: apq.redis.key, ttlMs: apq.redis.ttl, commandTimeoutMs: apq.redis.commandTimeout, maxBytes: apq.maxBytes, logger })
        : new MemoryApqStore(apq.maxBytes);
    }
    if (manifest.file) this.source = new FileManifestSource(manifest.file, manifest.watch);
    else if (manifest.redis) this.source = new RedisManifestSource(manifest.redis.url, manifest.redis.key, manifest.redis.pollInterval);
    if (this.source) this.manifestStatus = { source: manifest.file ? 'file' : 'redis', loaded: false, invalid: { count: 0, operations: [] } };
  }

  /** Loads the manifest (a failure is logged and shown in /ready, not fatal) and starts following changes. */
  async start(): Promise<void> {
    if (this.apq instanceof RedisApqStore) await this.apq.ready();
    if (!this.source) return;
    await this.reload('start');
    this.stopWatching = await this.source.watch((reason) => void this.reload(reason));
  }

  /** Reloads the manifest now; serialised, never throws. A broken version keeps the last good one serving. */
  reload(reason: string): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadOnce(reason));
    return this.reloading;
  }

  private async reloadOnce(reason: string): Promise<void> {
    const status = this.manifestStatus!;
    let text: string;
    try {
      text = await this.source!.load();
    } catch (error) {
      return this.loadFailed(reason, (error as Error).message);
    }
    const parsed = parseManifest(text);
    if (!parsed.ok) return this.loadFailed(reason, `manifest refused: ${parsed.errors.join('; ')}`);
    if (parsed.manifest.hash === this.manifest?.hash) return;
    this.manifest = parsed.manifest;
    Object.assign(status, { loaded: true, hash: parsed.manifest.hash, format: parsed.manifest.format, operations: parsed.manifest.operations.size, loadedAt: new Date().toISOString() });
    delete status.lastError;
    this.logger.info({ reason, hash: parsed.manifest.hash, operations: parsed.manifest.operations.size }, 'persisted-operation manifest loaded');
    this.revalidate();
  }

  private loadFailed(reason: string, message: string): void {
    const status = this.manifestStatus!;
    const repeated = status.lastError?.message === message;
    status.lastError = { message, at: new Date().toISOString() };
    if (!repeated) this.logger.error({ reason, err: message, servingHash: status.hash }, 'persisted-operation manifest not loaded; the last good one (if any) keeps serving');
  }

  /** Every supergraph change: manifest operations are checked against the new API schema. */
  setSchema(schema: GraphQLSchema): void {
    this.schema = schema;
    this.revalidate();
  }

  private revalidate(): void {
    if (!this.manifest || !this.schema || !this.manifestStatus) return;
    this.invalid = findInvalidOperations(this.manifest, this.schema);
    this.manifestStatus.invalid = { count: this.invalid.length, operations: this.invalid.slice(0, MAX_INVALID_SHOWN) };
    if (this.invalid.length > 0) {
      this.logger.warn({ count: this.invalid.length, operations: this.invalid.slice(0, 100) }, 'persisted operations that do not validate against the supergraph');
    }
  }

  /** The mode for this caller: its client's override, else its plan's, else `mode`. */
  modeFor(principal: Principal | undefined): PersistedMode {
    if (!this.dependsOnCaller || !principal) return this.config.mode;
    const { clients, plans } = this.config.overrides;
    const client = this.declaredClient(principal);
    if (client !== undefined && Object.hasOwn(clients, client)) return clients[client];
    const plan = principal.plan ?? (principal.authenticated ? this.plans.defaultPlan : this.plans.anonymousPlan);
    return Object.hasOwn(plans, plan) ? plans[plan] : this.config.mode;
  }

  /**
   * The client name a credential declares: an API key's client, or a verified JWT's client claim. Not the JWT
   * subject the principal falls back to without that claim: an end user whose `sub` happens to equal an
   * override's client name must not get that client's mode.
   */
  private declaredClient(principal: Principal): string | undefined {
    if (!principal.authenticated) return undefined;
    if (principal.kind === 'apiKey') return principal.client;
    const claim = this.clientClaim === undefined ? undefined : principal.claims[this.clientClaim];
    return principal.kind === 'jwt' && typeof claim === 'string' ? claim : undefined;
  }

  /** The pipeline's one call: the text to run for this request and caller, or the coded refusal. */
  async resolve(request: PersistedRequest, principal: Principal | undefined): Promise<Resolution> {
    const apq = this.apq;
    const resolution = await resolvePersisted(request, {
      mode: this.modeFor(principal),
      manifest: this.manifest,
      allowMatchingText: this.config.allowMatchingText,
      requireId: this.config.requireId,
      apqGet: apq ? (hash) => apq.get(hash) : async () => undefined,
    });
    return resolution;
  }

  /** Stores an APQ registration whose text passed the parse stage (the caller checked the hash). */
  async register(registration: { hash: string; text: string }): Promise<void> {
    await this.apq?.set(registration.hash, registration.text);
  }

  /**
   * Audit mode: logs each distinct unlisted operation once (the metric counts every request), at most
   * AUDIT_LINES_PER_MINUTE lines a minute; the operations over that are counted and reported in one line.
   */
  audit(operationHash: string, operationName: string | undefined, client: string | undefined): void {
    if (this.auditLogged.get(operationHash)) return;
    this.auditLogged.set(operationHash, true);
    const logged = this.auditLines.take((suppressed) =>
      this.logger.warn({ suppressed }, `${suppressed} more operations not in the persisted-operation manifest were not logged (audit mode: at most ${AUDIT_LINES_PER_MINUTE} lines a minute)`),
    );
    if (!logged) return;
    this.logger.warn({ operationHash, operationName, client }, 'operation not in the persisted-operation manifest (audit mode; safelist would refuse it)');
  }

  /** The operations of the manifest served now (for checks), and those that do not validate. */
  get currentManifest(): Manifest | undefined {
    return this.manifest;
  }

  status(): Record<string, unknown> {
    return {
      mode: this.config.mode,
      ...(this.manifestStatus ? { manifest: this.manifestStatus } : {}),
      ...(this.apq ? { apq: this.apq.status() } : {}),
    };
  }

  async close(): Promise<void> {
    await this.stopWatching?.().catch(() => undefined);
    await this.reloading;
    await this.source?.close();
    await this.apq?.close();
  }
}
