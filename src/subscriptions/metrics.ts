// What the subscription code reports (the SubscriptionMetrics hooks, implemented by telemetry/subscriptions.ts), and
// the Prometheus instruments behind them (names in telemetry/metrics.ts). Labels are bounded: `protocol` is a fixed
// set, `subgraph` comes from the supergraph, never from a client; `code` is capped like the request metrics' codes.
import type { GraphQLFormattedError } from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Principal } from '../identity/principal';
import { BoundedLabel } from '../telemetry/labels';
import { METRICS } from '../telemetry/metrics';
import { CounterCells } from '../telemetry/promCells';
import type { EndReason } from './stream';

export type Protocol = 'ws' | 'sse' | 'multipart';

/** The protocols whose gauges start at 0 (so a dashboard sees the series before the first client). */
const KNOWN_PROTOCOLS: readonly string[] = ['ws', 'sse', 'multipart'];
const END_REASONS: readonly EndReason[] = ['complete', 'client', 'error', 'too-slow'];
/** `code` label when a subscription ended without an error. */
export const NO_CODE = 'none';
const MAX_END_CODES = 100;

/** One client subscription as it opened, after every check passed: what its access-log line and metrics carry. */
export interface SubscriptionStart {
  protocol: Protocol;
  requestId: string;
  principal: Principal;
  operationName?: string;
  /** SHA-256 (hex) of the subscription's text. */
  operationHash: string;
  /** The subgraph serving its primary (upstream) subscription. */
  subgraph: string;
}

/** The life of one client subscription, reported by the service. */
export interface SubscriptionRecord {
  /** One event was queued to the client (after completion and policy filtering). */
  delivered(): void;
  /** It ended; `code` is the error it ended with, if any. Called once. */
  ended(reason: EndReason, code: string | undefined): void;
}

export interface SubscriptionMetrics {
  connection(protocol: Protocol, delta: 1 | -1): void;
  upstream(subgraph: string, delta: 1 | -1): void;
  /** One event arrived from a subgraph (before fan-out). */
  event(subgraph: string): void;
  opened(start: SubscriptionStart): SubscriptionRecord;
  /** A subscribe refused before anything opened (parse, policy, caps, persisted operations, planning). */
  refused(protocol: Protocol, requestId: string, principal: Principal, errors: readonly GraphQLFormattedError[]): void;
}

const NO_RECORD: SubscriptionRecord = { delivered() {}, ended() {} };
export const NO_METRICS: SubscriptionMetrics = { connection() {}, upstream() {}, event() {}, opened: () => NO_RECORD, refused() {} };

/** The Prometheus side only; telemetry/subscriptions.ts adds the access log and the dashboard's live view. */
export interface SubscriptionInstruments {
  connection(protocol: string, delta: number): void;
  subscription(protocol: string, delta: number): void;
  upstream(subgraph: string, delta: number): void;
  received(subgraph: string): void;
  delivered(protocol: string, subgraph: string): void;
  ended(protocol: string, reason: EndReason, code: string | undefined): void;
  refused(protocol: string, code: string): void;
}

export const NO_INSTRUMENTS: SubscriptionInstruments = { connection() {}, subscription() {}, upstream() {}, received() {}, delivered() {}, ended() {}, refused() {} };

export function subscriptionInstruments(registry: Registry | undefined, onOverflow: () => void = () => undefined): SubscriptionInstruments {
  if (!registry) return NO_INSTRUMENTS;
  const registers = [registry];
  const connections = new Gauge({ name: METRICS.SUBSCRIPTION_CONNECTIONS, help: 'Open subscription connections (WebSocket connections, SSE and multipart HTTP streams) by protocol', labelNames: ['protocol'], registers });
  const open = new Gauge({ name: METRICS.SUBSCRIPTIONS_OPEN, help: 'Open client subscriptions by protocol', labelNames: ['protocol'], registers });
  const upstreams = new Gauge({ name: METRICS.SUBSCRIPTION_UPSTREAMS_OPEN, help: 'Open subscriptions to subgraphs (each shared by every client that asked for the same one)', labelNames: ['subgraph'], registers });
  // Per event (and per event per client): cells, not prom-client's per-call label hashing (promCells.ts).
  const received = new CounterCells(METRICS.SUBSCRIPTION_EVENTS, 'Subscription events received from subgraphs, before fan-out', ['subgraph'], registry);
  const delivered = new CounterCells(METRICS.SUBSCRIPTION_EVENTS_DELIVERED, 'Subscription events sent to clients (after fan-out, completion and policy filtering) by protocol and subgraph', ['protocol', 'subgraph'], registry);
  const ended = new Counter({ name: METRICS.SUBSCRIPTIONS_ENDED, help: 'Client subscriptions ended, by protocol, reason (complete, client, error, too-slow) and error code (none without one)', labelNames: ['protocol', 'reason', 'code'], registers });
  const refused = new Counter({ name: METRICS.SUBSCRIPTION_REJECTIONS, help: 'Subscribes refused before anything opened, by protocol and code (GRAPHQL_VALIDATION_FAILED, RATE_LIMITED, SUBSCRIPTION_LIMIT_EXCEEDED, …)', labelNames: ['protocol', 'code'], registers });
  // Upstream errors carry the subgraph's own codes: capped, the rest fold into __other__.
  const codes = new BoundedLabel(MAX_END_CODES, onOverflow);
  for (const protocol of KNOWN_PROTOCOLS) {
    connections.set({ protocol }, 0);
    open.set({ protocol }, 0);
    for (const reason of END_REASONS) ended.inc({ protocol, reason, code: NO_CODE }, 0);
  }
  return {
    connection: (protocol, delta) => connections.inc({ protocol }, delta),
    subscription: (protocol, delta) => open.inc({ protocol }, delta),
    upstream: (subgraph, delta) => upstreams.inc({ subgraph }, delta),
    received: (subgraph) => void (received.at(subgraph).value += 1),
    delivered: (protocol, subgraph) => void (delivered.at(protocol, subgraph).value += 1),
    ended: (protocol, reason, code) => ended.inc({ protocol, reason, code: code === undefined ? NO_CODE : codes.get(code) }),
    refused: (protocol, code) => refused.inc({ protocol, code: codes.get(code) }),
  };
}
