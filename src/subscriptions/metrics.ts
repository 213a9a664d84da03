// Subscription gauges and counters (names in telemetry/metrics.ts), on the gateway's Prometheus registry. Labels are
// bounded: `protocol` is ws, sse or multipart, `subgraph` comes from the supergraph, never from a client.
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS } from '../telemetry/metrics';

export type Protocol = 'ws' | 'sse' | 'multipart';

export interface SubscriptionMetrics {
  connection(protocol: Protocol, delta: 1 | -1): void;
  subscription(protocol: Protocol, delta: 1 | -1): void;
  upstream(subgraph: string, delta: 1 | -1): void;
  event(subgraph: string): void;
}

export const NO_METRICS: SubscriptionMetrics = { connection() {}, subscription() {}, upstream() {}, event() {} };

export function subscriptionMetrics(registry: Registry | undefined): SubscriptionMetrics {
  if (!registry) return NO_METRICS;
  const registers = [registry];
  const connections = new Gauge({ name: METRICS.SUBSCRIPTION_CONNECTIONS, help: 'Open subscription connections (WebSocket connections, SSE and multipart HTTP streams) by protocol', labelNames: ['protocol'], registers });
  const open = new Gauge({ name: METRICS.SUBSCRIPTIONS_OPEN, help: 'Open client subscriptions by protocol', labelNames: ['protocol'], registers });
  const upstreams = new Gauge({ name: METRICS.SUBSCRIPTION_UPSTREAMS_OPEN, help: 'Open subscriptions to subgraphs (each shared by every client that asked for the same one)', labelNames: ['subgraph'], registers });
  const events = new Counter({ name: METRICS.SUBSCRIPTION_EVENTS, help: 'Subscription events received from subgraphs, before fan-out', labelNames: ['subgraph'], registers });
  for (const protocol of ['ws', 'sse', 'multipart']) {
    connections.set({ protocol }, 0);
    open.set({ protocol }, 0);
  }
  return {
    connection: (protocol, delta) => connections.inc({ protocol }, delta),
    subscription: (protocol, delta) => open.inc({ protocol }, delta),
    upstream: (subgraph, delta) => upstreams.inc({ subgraph }, delta),
    event: (subgraph) => events.inc({ subgraph }),
  };
}
