// OpenTelemetry tracing, loaded only when `tracing.enabled` (src/telemetry/index.ts imports it lazily), so with
// tracing off no SDK is in the process. W3C trace context in and out; OTLP/HTTP export when an endpoint is set.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Span as SdkSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TollgateConfig } from '../config/schema';
import type { FetchRecord, RequestRecord } from './record';
import { SPAN_ATTRIBUTES as A, SPAN_NAMES, type ActiveSpan, type Tracing } from './spans';

/**
 * Forwards spans to the processors of the gateways running in this process. OpenTelemetry's tracer provider is
 * process-global, and @apollo/gateway binds its tracer to the first one registered, so the provider is
 * registered once and each gateway attaches (and on close detaches) its own exporter here.
 */
class GatewayProcessors implements SpanProcessor {
  readonly attached = new Set<SpanProcessor>();
  onStart(span: SdkSpan, parent: Context): void {
    for (const processor of this.attached) processor.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const processor of this.attached) processor.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all([...this.attached].map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}

let installed: GatewayProcessors | undefined;

/** Registers the provider, context manager and propagator once per process (the first gateway's sampler and service name apply). */
function install(config: TollgateConfig['tracing']): GatewayProcessors {
  if (installed) return installed;
  const processors = new GatewayProcessors();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [processors],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  installed = processors;
  return processors;
}

export interface TracingOptions {
  /** Replaces the OTLP exporter, spans exported one by one (tests use an in-memory exporter). */
  exporter?: SpanExporter;
}

export function startTracing(config: TollgateConfig['tracing'], options: TracingOptions = {}): Tracing {
  const processors = install(config);
  let processor: SpanProcessor | undefined;
  if (options.exporter) {
    processor = new SimpleSpanProcessor(options.exporter);
  } else if (config.endpoint) {
    processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint, headers: { ...config.headers }, timeoutMillis: config.timeout }));
  }
  if (processor) processors.attached.add(processor);
  const tracer = trace.getTracer('tollgate');

  const activeSpan = <R>(span: Span, parent: Context, finish: (span: Span, record: R) => void): ActiveSpan<R> => {
    const spanContext = trace.setSpan(parent, span);
    return {
      run: (fn) => context.with(spanContext, fn),
      end: (record) => {
        finish(span, record);
        span.end();
      },
    };
  };

  return {
    startRequest(headers) {
      const parent = propagation.extract(ROOT_CONTEXT, headers);
      const span = tracer.startSpan(SPAN_NAMES.REQUEST, { kind: SpanKind.SERVER }, parent);
      return activeSpan<RequestRecord>(span, parent, endRequestSpan);
    },
    startFetch(service, kind) {
      const parent = context.active();
      const span = tracer.startSpan(SPAN_NAMES.FETCH, { kind: SpanKind.CLIENT, attributes: { [A.SERVICE]: service, [A.FETCH_KIND]: kind } }, parent);
      return activeSpan<FetchRecord>(span, parent, endFetchSpan);
    },
    inject(headers) {
      propagation.inject(context.active(), headers);
    },
    async shutdown() {
      if (!processor) return;
      processors.attached.delete(processor);
      await processor.shutdown();
    },
  };
}

function endRequestSpan(span: Span, record: RequestRecord): void {
  if (!span.isRecording()) return;
  span.setAttributes({
    [A.REQUEST_ID]: record.requestId,
    [A.CLIENT]: record.client,
    [A.HTTP_STATUS]: record.status,
    [A.OUTCOME]: record.outcome,
  });
  if (record.operationName) span.setAttribute(A.OPERATION_NAME, record.operationName);
  if (record.operationType) span.setAttribute(A.OPERATION_TYPE, record.operationType);
  if (record.operationHash) span.setAttribute(A.OPERATION_HASH, record.operationHash);
  if (record.plan) span.setAttribute(A.PLAN, record.plan);
  if (record.rejectionCode) span.setAttribute(A.REJECTION_CODE, record.rejectionCode);
  if (record.cost?.estimated !== undefined) span.setAttribute(A.COST_ESTIMATED, record.cost.estimated);
  if (record.cost?.actual !== undefined) span.setAttribute(A.COST_ACTUAL, record.cost.actual);
  if (record.outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
}

function endFetchSpan(span: Span, record: FetchRecord): void {
  if (!span.isRecording()) return;
  span.setAttribute(A.FETCH_OUTCOME, record.outcome);
  if (record.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: record.outcome });
}
