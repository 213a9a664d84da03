// Assembles a running Tollgate from a validated config: supergraph source, engine, pipeline, listener.
// The CLI and the tests both start gateways through here.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { LiveSupergraph, type LiveSupergraphOptions } from './compose/liveSupergraph';
import { RedisSupergraphSource } from './compose/redisSupergraphSource';
import type { TollgateConfig } from './config/schema';
import { trafficFor } from './execute/config';
import { serviceBuilder, startEngine } from './execute/engine';
import { ConnectionPools } from './execute/httpClient';
import type { ExecutionEngine } from './pipeline/request';
import { compileHeaderRules } from './execute/headerRules';
import { createAuthenticator } from './identity/authenticate';
import { createGraphQLHandler } from './pipeline/handleGraphQL';
import { withManifestOperations } from './persisted/publish';
import { PersistedOperations } from './persisted/registry';
import { PolicyStage } from './policy/stage';
import { createAdminRouter } from './admin/router';
import { openRegistryStore } from './publish/store/open';
import { RestServices } from './rest/registry';
import { createCounterStore } from './policy/store';
import { createHttpServer, listen } from './server/httpServer';
import { createSseEndpoint } from './subscriptions/sse';
import { createMultipartEntry } from './subscriptions/multipart';
import { SubscriptionService } from './subscriptions/service';
import { attachWebSocket } from './subscriptions/websocket';
import { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry';
import { loggerFor } from './telemetry/logger';
import { UsageRecorder } from './telemetry/usage/recorder';
import { RedisUsageStore } from './telemetry/usage/redisUsageStore';

export interface RunningGateway {
  /** http://host:port/graphql */
  url: string;
  /** http://host:port (where /metrics and /admin/* are). */
  baseUrl: string;
  port: number;
  supergraph: LiveSupergraph;
  /** The record stage: metrics, access log, metering, live windows, alerts, traces. */
  telemetry: Telemetry;
  /** Operation usage this instance recorded (undefined when usage.enabled is false). */
  usage?: UsageRecorder;
  /** Subscriptions over WebSocket and SSE (undefined when subscriptions.enabled is false). */
  subscriptions?: SubscriptionService;
  /** Stops serving and releases everything; `drainMs`: let requests in flight finish first (graceful shutdown). */
  close(options?: { drainMs?: number }): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Produces the supergraph SDL; defaults to reading config.supergraph.file or composing config.supergraph.rover. */
  loadSupergraph?: () => Promise<string>;
  /**
   * Listen only once a supergraph is loaded. Cluster workers use it: the primary hands connections to any listening
   * worker, so one still loading would answer SUPERGRAPH_NOT_READY while its siblings serve. A lone process
   * listens at once, so /health and /ready answer during loading.
   */
  listenWhenReady?: boolean;
  /** With tracing.enabled: export spans here instead of OTLP (tests use an in-memory exporter). */
  spanExporter?: TelemetryOptions['spanExporter'];
  /** The policy stage's clock (rate-limit windows, budgets, Retry-After); tests set it instead of waiting. */
  now?: () => number;
}

export async function startGateway(config: TollgateConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? loggerFor(config);
  // REST descriptions named by the supergraph (`rest:` routing URLs) are loaded and checked before each swap.
  const rest = new RestServices({
    baseDir: config.supergraph.rover ? dirname(config.supergraph.rover) : (config.rest.baseDir ?? process.cwd()),
    env: process.env,
    headerPlan: (name) => compileHeaderRules([...config.headers.all, ...(config.headers.subgraphs[name] ?? [])]),
    requestIdHeader: config.server.requestIdHeader,
    responseLimits: (name) => trafficFor(config, name),
    sources: config.rest.sources,
    claimHeaders: config.authentication.forwardClaims,
  });
  const redisSource = config.supergraph.redis && !options.loadSupergraph
    ? new RedisSupergraphSource({ url: config.supergraph.redis.url, key: config.supergraph.redis.key, logger })
    : undefined;
  const supergraph = new LiveSupergraph({
    ...supergraphSourceOptions(config, options, redisSource),
    prepare: (sdl) => rest.prepare(sdl),
    // Reloads start with the engine, after telemetry (below) is up.
    onReload: (ok) => telemetry.onReload(ok),
    logger,
  });

  const authenticate = await createAuthenticator(config.authentication);
  const policies = new PolicyStage(config, logger, await createCounterStore(config.store, logger), options.now);
  const telemetry = await startTelemetry(config, logger, { spanExporter: options.spanExporter });
  const usageStore = config.usage.enabled && config.usage.redis
    ? new RedisUsageStore({ url: config.usage.redis.url, key: config.usage.redis.key, maxOperations: config.usage.maxOperations })
    : undefined;
  const usage = config.usage.enabled
    ? new UsageRecorder({ maxOperations: config.usage.maxOperations, flushIntervalMs: config.usage.flushInterval, sink: usageStore, logger })
    : undefined;
  const registry = config.publish.admin.keys.length > 0 ? openRegistryStore(config) : undefined;
  const persisted = new PersistedOperations(config, logger);
  const recorded = usageStore ?? usage;
  // Checks and publishes through /admin treat the served manifest's operations as used, like `tollgate check`.
  const { manifest } = config.persistedOperations;
  const checkUsage = manifest.file || manifest.redis ? withManifestOperations(recorded, () => persisted.currentManifest) : recorded;
  const admin = createAdminRouter({ config, logger, telemetry, supergraph: () => supergraph.status, store: registry, operations: checkUsage });

  let engine: ExecutionEngine | undefined;
  // Subscriptions (src/subscriptions/): their own entry over WebSocket, SSE and multipart HTTP (handed over by the HTTP
  // pipeline after its receive stage), through the same parse, authenticate
  // and policy stages; entity fetches through data sources of their own pool, built as the engine builds its own.
  const subscriptionPools = new ConnectionPools();
  const metricsSink = telemetry.subscriptions;
  const subscriptions = config.subscriptions.enabled
    ? new SubscriptionService({ config, logger, policies, persisted, buildService: serviceBuilder(config, subscriptionPools, { fetches: telemetry.fetches, rest }), metrics: metricsSink })
    : undefined;
  const sse = subscriptions ? createSseEndpoint(config, authenticate, subscriptions, metricsSink) : undefined;
  const multipart = subscriptions ? createMultipartEntry(config, authenticate, subscriptions, metricsSink) : undefined;
  const handler = createGraphQLHandler({ config, logger, engine: () => engine, authenticate, policies, usage, record: telemetry.record, persisted, subscriptions: multipart });
  const server: Server = createHttpServer(
    config,
    sse ? (req, res, search) => (sse.accepts(req) ? sse.handle(req, res) : handler(req, res, search)) : handler,
    () => ({
      ready: engine !== undefined && supergraph.status.loaded,
      // The limits store is shown, not judged: with Redis down the gateway still serves (store.onUnavailable decides how).
      details: { supergraph: supergraph.status, limitsStore: policies.storeStatus(), ...(config.persistedOperations.mode !== 'off' || config.persistedOperations.manifest.file || config.persistedOperations.manifest.redis ? { persistedOperations: persisted.status() } : {}) },
    }),
    admin,
  );
  const webSocket = subscriptions ? attachWebSocket(server, config, authenticate, subscriptions, metricsSink) : undefined;
  let address: Awaited<ReturnType<typeof listen>> | undefined;
  const stopExtras = async () => {
    await usage?.stop();
    await persisted.close();
    await registry?.close();
    await redisSource?.close();
    // Last, so the metering of every request answered before is flushed.
    await telemetry.close();
  };
  try {
    if (!options.listenWhenReady) address = await listen(server, config.server.port, config.server.host);
    await persisted.start();
    engine = await startEngine(config, supergraph, logger, {
      // Every supergraph change: policies re-read it, and manifest operations are validated against it.
      onSchema: (state) => {
        policies.setSchema(state);
        persisted.setSchema(state.apiSchema);
        subscriptions?.setSchema(state);
      },
      fetches: telemetry.fetches,
      rest,
    });
    address ??= await listen(server, config.server.port, config.server.host);
  } catch (error) {
    subscriptions?.shutdown();
    await webSocket?.close();
    await subscriptionPools.close();
    if (server.listening) server.close();
    await engine?.stop();
    await rest.close();
    await supergraph.stop();
    await policies.close();
    await stopExtras();
    throw error;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = `http://${host}:${address.port}`;
  const url = `${baseUrl}${config.server.graphqlPath}`;
  logger.info({ url, supergraph: supergraph.status.hash }, 'tollgate is serving');

  return {
    url,
    baseUrl,
    port: address.port,
    supergraph,
    telemetry,
    usage,
    subscriptions,
    close: async (options = {}) => {
      // Subscriptions first: each ends with `complete` (SSE streams end, WebSockets close after their frames).
      subscriptions?.shutdown();
      await webSocket?.close();
      await drainServer(server, options.drainMs ?? 0);
      await subscriptionPools.close();
      await engine?.stop();
      await rest.close();
      await supergraph.stop();
      await policies.close();
      await stopExtras();
    },
  };
}

/**
 * Stops accepting connections, closes idle keep-alive ones, lets requests in flight finish (their connections close
 * after the answer) for up to `drainMs`, then closes whatever is left. 0: close everything at once (tests).
 */
function drainServer(server: Server, drainMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    if (drainMs <= 0) return void server.closeAllConnections();
    // A keep-alive connection that carries one more request must not stay open after it.
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => (res.shouldKeepAlive = false));
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => server.closeAllConnections(), drainMs);
    server.once('close', () => {
      clearInterval(sweep);
      clearTimeout(deadline);
    });
  });
}

/** Where the supergraph comes from and how changes are noticed: file watch, rover polling, or Redis pub/sub + polling. */
function supergraphSourceOptions(
  config: TollgateConfig,
  options: StartOptions,
  redisSource: RedisSupergraphSource | undefined,
): Omit<LiveSupergraphOptions, 'logger'> {
  const { file, watch, rover, pollInterval, redis } = config.supergraph;
  if (redisSource && redis) {
    return {
      load: () => redisSource.load(),
      subscribe: (wake) => redisSource.subscribe(wake),
      pollIntervalMs: redis.pollInterval,
      // A fleet may start before the first publish: not ready until one arrives, instead of failing start-up.
      waitForFirst: true,
    };
  }
  return {
    load: options.loadSupergraph ?? supergraphLoader(config),
    watchFile: file && watch ? file : undefined,
    pollIntervalMs: rover ? pollInterval : 0,
  };
}

function supergraphLoader(config: TollgateConfig): () => Promise<string> {
  const { file, rover } = config.supergraph;
  if (file) return () => readFile(file, 'utf8');
  if (rover) {
    return async () => {
      // Loaded lazily so a file-only deployment never pulls in composition.
      const { composeFromRoverConfig, labelBySource } = await import('./compose/compose');
      const { formatComposeError } = await import('./compose/compositionErrors');
      const result = await composeFromRoverConfig(rover, process.env);
      if (!result.ok) throw new Error(`composition of ${rover} failed: ${result.errors.map((e) => `[${e.subgraph ?? e.subgraphs?.join(', ') ?? '-'}] ${formatComposeError(e, labelBySource(result.sources))}`).join('; ')}`);
      return result.supergraphSdl;
    };
  }
  throw new Error('no supergraph configured: set supergraph.file or supergraph.rover (or pass --supergraph)');
}
