// Config sections of what the gateway reports: `logging`, Prometheus `metrics`, OpenTelemetry `tracing`.
// docs/configuration.md mirrors them; `metering`, `alerts` and `usage` live in their own folders.
import { z } from 'zod';
import { bool, duration, headerName, int } from '../config/fields';

export const loggingConfig = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** One JSON line per request (level info; at debug it also carries the request headers, redacted). */
    accessLog: bool.default(true),
    /** Headers redacted wherever headers are logged, besides authorization, cookie and the credential headers. */
    redactHeaders: z.array(headerName).default([]),
  })
  .prefault({});

/** Prometheus metrics (prom-client), served by the gateway. */
export const metricsConfig = z
  .strictObject({
    enabled: bool.default(true),
    path: z.string().startsWith('/').default('/metrics'),
    /** Operation names get their own label value up to this many; later ones share `__other__`. */
    maxOperationNames: int(1, 10_000).default(100),
    /** Client names likewise. */
    maxClients: int(1, 10_000).default(100),
    /** Node process metrics (CPU, memory, event loop lag, GC): prom-client's default metrics. */
    processMetrics: bool.default(true),
    /** Ask for an admin key (`publish.admin.keys`) on the metrics path too. */
    requireAdminKey: bool.default(false),
  })
  .prefault({});

/** OpenTelemetry traces. Off by default: then no SDK is loaded. */
export const tracingConfig = z
  .strictObject({
    enabled: bool.default(false),
    serviceName: z.string().min(1).default('tollgate'),
    /** OTLP/HTTP (JSON) traces endpoint, e.g. http://collector:4318/v1/traces. Without it spans are made but not exported. */
    endpoint: z.string().url().optional(),
    /** Headers sent with each export (e.g. an API key from ${env.X}). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Fraction of new traces recorded (0–1); an incoming traceparent's sampled flag is followed. */
    sampleRatio: z.number().min(0).max(1).default(1),
    /** Deadline for one export call. */
    timeout: duration.default(10_000),
  })
  .prefault({});
