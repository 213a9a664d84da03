// The telemetry event hub: the record stage emits one RequestRecord per request and the data sources one
// FetchRecord per subgraph or REST call; metrics, the access log, usage metering and the live windows subscribe.
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorSummary } from './errorSummary';

/**
 * How a request ended, for metrics, alerts and metering:
 * `success` — answered without errors; `partial` — data plus errors (e.g. a subgraph failed);
 * `rejected` — refused before execution with a 4xx (bad request, limits, authentication, rate limit, cost);
 * `error` — no useful answer: a 5xx, errors without data, or the client went away.
 */
export type RequestOutcome = 'success' | 'partial' | 'rejected' | 'error';

/** Cost units of one operation, written by the limits/cost policy when it runs (context slot `cost`). */
export interface CostRecord {
  estimated?: number;
  actual?: number;
}

export interface RequestRecord {
  requestId: string;
  /** Epoch milliseconds when the request arrived. */
  startedAt: number;
  durationMs: number;
  operationName?: string;
  operationType?: string;
  /** SHA-256 (hex) of the query text. */
  operationHash?: string;
  /** The persisted operation's id (manifest id or APQ hash) when the request named one. */
  operationId?: string;
  /** Where a persisted operation's text came from: `manifest`, `apq` (stored), `registered` (sent with its hash). */
  persisted?: string;
  /** Audit mode: the operation is not in the persisted-operation manifest. */
  unlisted?: boolean;
  /** The client application (API key client, JWT client claim), or `anonymous`. */
  client: string;
  plan?: string;
  /** HTTP status of the answer. */
  status: number;
  outcome: RequestOutcome;
  /** The code of a request-level rejection: RATE_LIMITED, COST_*, UNAUTHENTICATED, GRAPHQL_PARSE_FAILED, … */
  rejectionCode?: string;
  /** The errors in the answer, by service (`gateway` for Tollgate's own) and code; absent when there were none. */
  errors?: ErrorSummary;
  cost?: CostRecord;
  /** The client's headers, for the debug-level access log only (redacted there). */
  headers?: IncomingHttpHeaders;
}

export type FetchKind = 'subgraph' | 'rest';

/**
 * One call from the gateway to a subgraph or REST service. `outcome` is `ok`, `graphql_errors` (the service
 * answered with GraphQL errors), or the failure code in lower case (`subgraph_timeout`, `rest_unavailable`, …).
 */
export interface FetchRecord {
  service: string;
  kind: FetchKind;
  startedAt: number;
  durationMs: number;
  outcome: string;
  /** True when the call failed to produce a usable answer (unavailable, timeout, bad response, upstream error). */
  failed: boolean;
  client: string;
  plan?: string;
  requestId?: string;
}

export interface TelemetryConsumer {
  request?(record: RequestRecord): void;
  fetch?(record: FetchRecord): void;
}

/**
 * Synchronous fan-out. A consumer that throws is logged once through `onError` and never fails a request:
 * the record stage must not change what the client gets.
 */
export class TelemetryHub {
  private requestConsumers: Array<(record: RequestRecord) => void> = [];
  private fetchConsumers: Array<(record: FetchRecord) => void> = [];

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  subscribe(consumer: TelemetryConsumer): void {
    if (consumer.request) this.requestConsumers.push(consumer.request.bind(consumer));
    if (consumer.fetch) this.fetchConsumers.push(consumer.fetch.bind(consumer));
  }

  request(record: RequestRecord): void {
    for (const consume of this.requestConsumers) {
      try {
        consume(record);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  fetch(record: FetchRecord): void {
    for (const consume of this.fetchConsumers) {
      try {
        consume(record);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

export const ANONYMOUS_CLIENT = 'anonymous';
