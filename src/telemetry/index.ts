// Assembles the record stage from config: the hub and its consumers (Prometheus metrics, access log, usage
// meter, live windows), alerts, and tracing (loaded only when enabled). The admin routes that read them are src/admin/router.ts's.
import type { Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TollgateConfig } from '../config/schema';
import { AccessLog } from './accessLog';
import { AlertScheduler } from './alerts/scheduler';
import type { FetchInstrumentation } from './instrumentFetch';
import { LiveWindows } from './liveWindows';
import { redactedHeaders } from './logger';
import { PrometheusMetrics } from './metrics';
import { TelemetryHub } from './record';
import { createRecordStage, type RecordStage } from './recordStage';
import { SubscriptionRecorder } from './subscriptions';
import type { Tracing } from './spans';
import { BillingMeter } from './metering/meter';
import { MemoryMeteringStore, type MeteringStore } from './metering/store';

export interface Telemetry {
  hub: TelemetryHub;
  record: RecordStage;
  fetches: FetchInstrumentation;
  windows: LiveWindows;
  metrics?: PrometheusMetrics;
  /** Usage metering for billing (`metering:`), not the operation usage `tollgate check` reads. */
  meter?: BillingMeter;
  alerts?: AlertScheduler;
  tracing?: Tracing;
  /** What subscriptions report to: their metrics, access log and the dashboard's view of them. */
  subscriptions: SubscriptionRecorder;
  /** Supergraph reloads, counted in the metrics. */
  onReload(ok: boolean): void;
  close(): Promise<void>;
}

export interface TelemetryOptions {
  /** Export spans here instead of OTLP (tests). Only with `tracing.enabled`. */
  spanExporter?: SpanExporter;
}

export async function startTelemetry(config: TollgateConfig, logger: Logger, options: TelemetryOptions = {}): Promise<Telemetry> {
  let reportedConsumerError = false;
  const hub = new TelemetryHub((error) => {
    // A broken consumer is a bug; say so once rather than on every request.
    if (reportedConsumerError) return;
    reportedConsumerError = true;
    logger.error({ err: error }, 'a telemetry consumer failed; further failures are not logged');
  });

  const metrics = config.metrics.enabled ? new PrometheusMetrics(config.metrics) : undefined;
  if (metrics) hub.subscribe(metrics);
  if (config.logging.accessLog) hub.subscribe(new AccessLog(logger, redactedHeaders(config)));
  const windows = new LiveWindows();
  hub.subscribe(windows);

  let meter: BillingMeter | undefined;
  if (config.metering.enabled) {
    let store: MeteringStore;
    if (config.metering.redis) {
      // Loaded only when configured: the in-memory store needs no Redis client.
      const { RedisMeteringStore } = await import('./metering/redisStore');
      store = new RedisMeteringStore({ url: config.metering.redis.url, keyPrefix: config.metering.redis.key, retentionMs: config.metering.retention });
    } else {
      store = new MemoryMeteringStore();
    }
    meter = new BillingMeter({
      store,
      flushIntervalMs: config.metering.flushInterval,
      logger: logger.child({ log: 'metering' }),
      onFlush: (ok) => metrics?.usageFlushes.inc({ result: ok ? 'success' : 'failure' }),
    });
    meter.start();
    hub.subscribe(meter);
  }

  const alerts = config.alerts.rules.length > 0 ? new AlertScheduler({ config: config.alerts, windows, meter, metrics, logger }) : undefined;
  alerts?.start();

  let tracing: Tracing | undefined;
  if (config.tracing.enabled) {
    const { startTracing } = await import('./tracing');
    tracing = startTracing(config.tracing, { exporter: options.spanExporter });
  }

  const subscriptions = new SubscriptionRecorder({
    registry: metrics?.registry,
    accessLog: config.logging.accessLog ? logger.child({ log: 'access' }) : undefined,
    plans: config.clients,
    onLabelOverflow: metrics?.labelOverflow,
  });

  const record = createRecordStage(hub, tracing, config.clients, (error) => logger.error({ err: error }, 'recording a request failed'));

  return {
    hub,
    record,
    fetches: { hub, tracing, plans: config.clients },
    windows,
    metrics,
    meter,
    alerts,
    tracing,
    subscriptions,
    onReload: (ok) => metrics?.reloads.inc({ result: ok ? 'success' : 'failure' }),
    close: async () => {
      await alerts?.stop();
      await meter?.close();
      // An exporter that can't deliver its last spans must not stop the gateway from stopping.
      await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'exporting the last spans failed'));
    },
  };
}
