// Tollgate's span names and attributes (one place, as constants), and the small interface the pipeline and the
// data sources call when tracing is on. Type-only for them: with tracing off nothing here loads an SDK.
import type { IncomingHttpHeaders } from 'node:http';
import type { FetchKind, FetchRecord, RequestRecord } from './record';

/**
 * tollgate.request (SERVER, child of an incoming traceparent) is the parent of @apollo/gateway's own spans
 * (gateway.request → gateway.validate, gateway.plan, gateway.execute → gateway.fetch); each gateway.fetch has
 * one tollgate.fetch (CLIENT) child, whose id is the parent in the traceparent the subgraph receives.
 */
export const SPAN_NAMES = {
  REQUEST: 'tollgate.request',
  FETCH: 'tollgate.fetch',
} as const;

export const SPAN_ATTRIBUTES = {
  OPERATION_NAME: 'graphql.operation.name',
  OPERATION_TYPE: 'graphql.operation.type',
  OPERATION_HASH: 'tollgate.operation.hash',
  REQUEST_ID: 'tollgate.request_id',
  CLIENT: 'tollgate.client',
  PLAN: 'tollgate.plan',
  OUTCOME: 'tollgate.outcome',
  REJECTION_CODE: 'tollgate.rejection_code',
  HTTP_STATUS: 'http.response.status_code',
  COST_ESTIMATED: 'tollgate.cost.estimated',
  COST_ACTUAL: 'tollgate.cost.actual',
  SERVICE: 'tollgate.service',
  FETCH_KIND: 'tollgate.fetch.kind',
  FETCH_OUTCOME: 'tollgate.fetch.outcome',
} as const;

export interface ActiveSpan<R> {
  /** Runs `fn` with this span as the active one, so spans started inside become its children. */
  run<T>(fn: () => T): T;
  /** Sets the record's attributes and status, and ends the span. */
  end(record: R): void;
}

export interface Tracing {
  /** The request span, a child of the client's traceparent when it sent a valid one. */
  startRequest(headers: IncomingHttpHeaders): ActiveSpan<RequestRecord>;
  /** A span for one subgraph or REST call, a child of the active span. */
  startFetch(service: string, kind: FetchKind): ActiveSpan<FetchRecord>;
  /** Writes traceparent (and tracestate) naming the active span into headers for a subgraph. */
  inject(headers: Record<string, string>): void;
  /** Exports what is pending and detaches this gateway's exporter. */
  shutdown(): Promise<void>;
}
