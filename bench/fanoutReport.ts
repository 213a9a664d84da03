// The subscription fan-out scenario's section of the bench report: one row per client count and round. Pure.
import type { FanoutMeasurement } from './fanoutTarget';

const fixed = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));

/** "1 ✓" when the gateway and the subgraph both count one upstream subscription (fan-out), else what each saw. */
export function upstreamCell(m: Pick<FanoutMeasurement, 'upstreamsGateway' | 'upstreamsSubgraph'>): string {
  const { upstreamsGateway: gateway, upstreamsSubgraph: subgraph } = m;
  if (gateway === 1 && (subgraph === undefined || subgraph === 1)) return subgraph === undefined ? '1 ✓ (gateway)' : '1 ✓';
  // A peer without Tollgate's gauge: the subgraph's own count decides.
  if (gateway === undefined && subgraph === 1) return '1 ✓ (subgraph)';
  return `gateway ${gateway ?? 'n/a'}, subgraph ${subgraph ?? 'n/a'} ✗`;
}

export function fanoutErrors(m: Pick<FanoutMeasurement, 'wrongEvents' | 'endedEarly' | 'publishErrors' | 'expected' | 'delivered'>): number {
  return m.wrongEvents + m.endedEarly + m.publishErrors + Math.max(0, m.expected - m.delivered);
}

export function renderFanoutSection(measurements: FanoutMeasurement[], notes: { rate: number; duration: number; warmup: number; pinned: boolean }): string[] {
  const lines = [
    '### subscriptions-fanout',
    '',
    `One subscription operation (reviewAdded joined with products, inventory and accounts) to N graphql-ws clients, through Tollgate`,
    `(subscriptions-fanout) or Hive Gateway + Rust planner (subscriptions-fanout-hive-gateway); the bench publishes ${notes.rate} reviews/s`,
    `on the reviews subgraph for ${notes.duration}s (after a warm-up until every client has an event). Latency: publish → client.`,
    '',
    '| gateway | clients | round | events/s published | events/s delivered | delivered / expected | p50 ms | p99 ms | max ms | gateway CPU ms / 1,000 events | peak RSS MB | upstream subscriptions | errors |',
    '| :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | :-- | --: |',
  ];
  for (const m of [...measurements].sort((a, b) => a.clients - b.clients || a.round - b.round || gatewayOf(a).localeCompare(gatewayOf(b)))) {
    lines.push(
      `| ${gatewayOf(m)} | ${m.clients} | ${m.round} | ${fixed(m.publishedPerSec, 1)} | ${fixed(m.deliveredPerSec, 0)} | ${m.delivered} / ${m.expected} | ${fixed(m.p50Ms, 1)} | ${fixed(m.p99Ms, 1)} | ${fixed(m.maxMs, 1)} | ${fixed(m.cpuMsPer1000, 1)} | ${fixed(m.peakRssBytes === undefined ? undefined : m.peakRssBytes / 2 ** 20, 0)} | ${upstreamCell(m)} | ${fanoutErrors(m)} |`,
    );
  }
  lines.push(
    '',
    'events/s delivered = events received by all clients ÷ seconds from the first measured publish to the last delivery (includes the drain);',
    'below published × clients, the gateway did not keep up (raise or lower --event-rate to find where it stops keeping up).',
    'gateway CPU ms / 1,000 events = the gateway\'s CPU time over that span ÷ delivered events × 1,000. errors = wrong or error events +',
    `subscriptions ended early + failed publishes + events never delivered. Clients run in the bench process${notes.pinned ? ' (CPU 1, with the subgraphs)' : ''}: at 1,000 clients their`,
    'JSON parsing competes with the subgraphs, so latency includes client-side queueing.',
  );
  const samples = measurements.flatMap((m) => m.errorSamples.map((s) => `- ${gatewayOf(m)}, ${m.clients} clients, round ${m.round}: \`${s.replace(/\s+/g, ' ')}\``));
  if (samples.length > 0) lines.push('', ...samples.slice(0, 10));
  return lines;
}

function gatewayOf(m: Pick<FanoutMeasurement, 'scenario'>): string {
  return m.scenario === 'subscriptions-fanout-hive-gateway' ? 'Hive Gateway' : 'Tollgate';
}
