// Prometheus metrics (prom-client): every metric name and label set in one place, bounded label values, and the
// consumer that turns request and fetch records into counters and histograms. Served at `metrics.path`.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { TollgateConfig } from '../config/schema';
import { BoundedLabel } from './labels';
import { CounterCells, HistogramCells, type HistogramCell } from './promCells';
import type { FetchRecord, RequestRecord, TelemetryConsumer } from './record';

export const METRICS = {
  REQUESTS: 'tollgate_requests_total',
  REQUEST_DURATION: 'tollgate_request_duration_seconds',
  RESPONSE_ERRORS: 'tollgate_response_errors_total',
  REJECTIONS: 'tollgate_rejections_total',
  FETCHES: 'tollgate_fetches_total',
  FETCH_DURATION: 'tollgate_fetch_duration_seconds',
  COST_ESTIMATED: 'tollgate_operation_cost_estimated',
  COST_ACTUAL: 'tollgate_operation_cost_actual',
  SUPERGRAPH_RELOADS: 'tollgate_supergraph_reloads_total',
  USAGE_FLUSHES: 'tollgate_usage_flushes_total',
  ALERTS_FIRING: 'tollgate_alerts_firing',
  ALERT_NOTIFICATIONS: 'tollgate_alert_notifications_total',
  LABEL_OVERFLOW: 'tollgate_metric_label_overflow_total',
  PERSISTED: 'tollgate_persisted_operations_total',
  PERSISTED_UNLISTED: 'tollgate_persisted_unlisted_total',
  SUBSCRIPTION_CONNECTIONS: 'tollgate_subscription_connections',
  SUBSCRIPTIONS_OPEN: 'tollgate_subscriptions_open',
  SUBSCRIPTION_UPSTREAMS_OPEN: 'tollgate_subscription_upstreams_open',
  SUBSCRIPTION_EVENTS: 'tollgate_subscription_events_total',
  SUBSCRIPTION_EVENTS_DELIVERED: 'tollgate_subscription_events_delivered_total',
  SUBSCRIPTIONS_ENDED: 'tollgate_subscriptions_ended_total',
  SUBSCRIPTION_REJECTIONS: 'tollgate_subscription_rejections_total',
} as const;

/** Operation label for a request without an operation name, and for one that never got as far as parsing. */
export const ANONYMOUS_OPERATION = '__anonymous__';
export const UNKNOWN_OPERATION = '__unknown__';

const MAX_ERROR_CODES = 100;
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const COST_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000];

export class PrometheusMetrics implements TelemetryConsumer {
  readonly registry = new Registry();
  // Per request and per fetch: cells (promCells.ts), cheap to update.
  private readonly requests: CounterCells;
  private readonly requestDuration: HistogramCells;
  private readonly responseErrors: CounterCells;
  private readonly rejections: CounterCells;
  private readonly fetches: CounterCells;
  private readonly fetchDuration: HistogramCells;
  private readonly costEstimated: HistogramCells;
  private readonly costActual: HistogramCells;
  private readonly persisted: CounterCells;
  private readonly persistedUnlisted: CounterCells;
  // Rare events: prom-client's own classes.
  readonly reloads;
  readonly usageFlushes;
  readonly alertsFiring;
  readonly alertNotifications;
  /** Counts a label value folded into __other__ (tollgate_metric_label_overflow_total), for instruments made elsewhere. */
  readonly labelOverflow: (label: string) => void;
  private readonly operations: BoundedLabel;
  private readonly clients: BoundedLabel;
  /** Subgraphs may send any `extensions.code`; Tollgate's own are far fewer than this. */
  private readonly codes: BoundedLabel;
  /** Per service: its duration cell and its `ok` counter cell, the common case, found with one lookup. */
  private readonly services = new Map<string, { duration: HistogramCell; ok: { value: number } }>();

  constructor(config: TollgateConfig['metrics']) {
    const registry = this.registry;
    const registers = [registry];
    const overflow = new Counter({ name: METRICS.LABEL_OVERFLOW, help: 'Label values folded into __other__ because the label had too many values', labelNames: ['label'], registers });
    this.labelOverflow = (label) => overflow.inc({ label });
    this.operations = new BoundedLabel(config.maxOperationNames, () => overflow.inc({ label: 'operation' }));
    this.clients = new BoundedLabel(config.maxClients, () => overflow.inc({ label: 'client' }));
    this.codes = new BoundedLabel(MAX_ERROR_CODES, () => overflow.inc({ label: 'code' }));

    this.requests = new CounterCells(METRICS.REQUESTS, 'GraphQL requests by operation name, client and outcome (success, partial, rejected, error)', ['operation', 'client', 'outcome'], registry);
    this.requestDuration = new HistogramCells(METRICS.REQUEST_DURATION, 'Time from receiving a GraphQL request to answering it', ['operation'], SECONDS_BUCKETS, registry);
    this.responseErrors = new CounterCells(METRICS.RESPONSE_ERRORS, 'Errors in GraphQL answers by the service that caused them (gateway for its own) and code', ['service', 'code'], registry);
    this.rejections = new CounterCells(METRICS.REJECTIONS, 'Requests refused before execution, by code (RATE_LIMITED, COST_*, UNAUTHENTICATED, …) and client', ['code', 'client'], registry);
    this.fetches = new CounterCells(METRICS.FETCHES, 'Calls to subgraphs and REST services by outcome (ok, graphql_errors, or the failure code)', ['service', 'kind', 'outcome'], registry);
    this.fetchDuration = new HistogramCells(METRICS.FETCH_DURATION, 'Duration of calls to subgraphs and REST services', ['service', 'kind'], SECONDS_BUCKETS, registry);
    this.costEstimated = new HistogramCells(METRICS.COST_ESTIMATED, 'Estimated cost units per operation (when cost analysis runs)', [], COST_BUCKETS, registry);
    this.costActual = new HistogramCells(METRICS.COST_ACTUAL, 'Actual cost units per operation (when cost analysis runs)', [], COST_BUCKETS, registry);
    this.persisted = new CounterCells(METRICS.PERSISTED, 'Requests whose text persisted operations resolved, by where it came from (manifest, apq, registered)', ['source'], registry);
    this.persistedUnlisted = new CounterCells(METRICS.PERSISTED_UNLISTED, 'Audit mode: operations run that are not in the persisted-operation manifest, by client', ['client'], registry);
    this.reloads = new Counter({ name: METRICS.SUPERGRAPH_RELOADS, help: 'Supergraph reloads by result (success, failure)', labelNames: ['result'], registers });
    this.usageFlushes = new Counter({ name: METRICS.USAGE_FLUSHES, help: 'Usage metering writes to its store by result (success, failure)', labelNames: ['result'], registers });
    this.alertsFiring = new Gauge({ name: METRICS.ALERTS_FIRING, help: 'Alert episodes firing now, by rule', labelNames: ['rule'], registers });
    this.alertNotifications = new Counter({ name: METRICS.ALERT_NOTIFICATIONS, help: 'Alert webhook deliveries by state (firing, resolved) and result (sent, failed)', labelNames: ['state', 'result'], registers });
    if (config.processMetrics) collectDefaultMetrics({ register: registry });
  }

  request(record: RequestRecord): void {
    // Only names of operations that executed earn a label of their own; names in refused requests don't use up slots.
    const executed = record.outcome === 'success' || record.outcome === 'partial';
    // A persisted operation without a name is named by its id (bounded like names).
    const name = record.operationName ?? record.operationId;
    const operation = name === undefined ? (record.operationHash ? ANONYMOUS_OPERATION : UNKNOWN_OPERATION) : this.operations.get(name, executed);
    const client = this.clients.get(record.client);
    this.requests.at(operation, client, record.outcome).value += 1;
    this.requestDuration.observe(this.requestDuration.at(operation), record.durationMs / 1000);
    if (record.rejectionCode) this.rejections.at(this.codes.get(record.rejectionCode), client).value += 1;
    if (record.errors) for (const [service, code, count] of record.errors.pairs) this.responseErrors.at(service, this.codes.get(code)).value += count;
    if (record.persisted !== undefined) this.persisted.at(record.persisted).value += 1;
    if (record.unlisted) this.persistedUnlisted.at(client).value += 1;
    const cost = record.cost;
    if (cost?.estimated !== undefined) this.costEstimated.observe(this.costEstimated.at(), cost.estimated);
    if (cost?.actual !== undefined) this.costActual.observe(this.costActual.at(), cost.actual);
  }

  fetch(record: FetchRecord): void {
    let cells = this.services.get(record.service);
    if (!cells) {
      cells = { duration: this.fetchDuration.at(record.service, record.kind), ok: this.fetches.at(record.service, record.kind, 'ok') };
      this.services.set(record.service, cells);
    }
    this.fetchDuration.observe(cells.duration, record.durationMs / 1000);
    if (record.outcome === 'ok') cells.ok.value += 1;
    else this.fetches.at(record.service, record.kind, record.outcome).value += 1;
  }
}
