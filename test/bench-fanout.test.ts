// The bench's subscription fan-out scenario as a smoke run, in-process: its load (bench/fanout.ts) against a real
// gateway and the example subgraphs, small enough for CI — every event reaches every client, correctly joined, over
// one upstream subscription; then the report's section and the flags, on made-up numbers.
import { parseBenchArgs, UsageError } from '../bench/args';
import { runFanoutLoad } from '../bench/fanout';
import { fanoutErrors, renderFanoutSection, upstreamCell } from '../bench/fanoutReport';
import type { FanoutMeasurement } from '../bench/fanoutTarget';
import { parseSample } from '../bench/fanoutTarget';
import { reviewFeed, startSubscriptionGraph, until, type SubscriptionGraph } from './fixtures/subscriptionGraph';

describe('subscriptions-fanout load, in-process', () => {
  let graph: SubscriptionGraph;
  beforeAll(async () => {
    graph = await startSubscriptionGraph((config) => {
      config.subscriptions.maxPerClient = 1_000;
    });
  });
  afterAll(() => graph?.close());

  it('delivers every published event to every client over one upstream subscription, and leaves nothing open', async () => {
    const upstreams: number[] = [];
    const result = await runFanoutLoad({
      wsUrl: graph.wsUrl,
      publishUrl: graph.subgraphs.urls.reviews,
      clients: 60,
      rate: 20,
      warmupSeconds: 0.2,
      durationSeconds: 1,
      onWindow: (edge) => {
        if (edge === 'end') upstreams.push(reviewFeed.subscribers, graph.gateway.subscriptions!.counts.upstreams, graph.gateway.subscriptions!.counts.clients);
      },
    });
    expect(result.published).toBe(20);
    expect(result.expected).toBe(20 * 60);
    expect(result.delivered).toBe(result.expected);
    expect(result.latenciesMs).toHaveLength(result.delivered);
    expect(result.latenciesMs[0]).toBeGreaterThanOrEqual(0);
    expect([...result.latenciesMs]).toEqual([...result.latenciesMs].sort((a, b) => a - b));
    expect({ wrong: result.wrongEvents, early: result.endedEarly, publish: result.publishErrors, samples: result.errorSamples }).toEqual({ wrong: 0, early: 0, publish: 0, samples: [] });
    // Fan-out: the subgraph saw one subscription for sixty clients.
    expect(upstreams).toEqual([1, 1, 60]);
    await until(() => graph.gateway.subscriptions!.counts.clients === 0 && reviewFeed.subscribers === 0, 'everything to close');
  }, 30_000);

  it('fails the warm-up with a reason when the gateway refuses the subscriptions', async () => {
    // Every bench client is the same anonymous IP, so the per-client cap refuses the third: the run stops with why.
    const capped = await startSubscriptionGraph((config) => {
      config.subscriptions.maxPerClient = 2;
    });
    try {
      await expect(runFanoutLoad({ wsUrl: capped.wsUrl, publishUrl: capped.subgraphs.urls.reviews, clients: 3, rate: 20, warmupSeconds: 0.1, durationSeconds: 0.2 })).rejects.toThrow(
        /clients received no event during the warm-up \(subscription failed: SUBSCRIPTION_LIMIT_EXCEEDED: This client already holds 2/,
      );
    } finally {
      await capped.close();
    }
  }, 30_000);
});

describe('subscriptions-fanout report and flags', () => {
  const measurement = (over: Partial<FanoutMeasurement> = {}): FanoutMeasurement => ({
    scenario: 'subscriptions-fanout',
    clients: 100,
    round: 1,
    rate: 20,
    published: 400,
    expected: 40_000,
    delivered: 40_000,
    seconds: 20.2,
    publishedPerSec: 19.8,
    deliveredPerSec: 1980,
    p50Ms: 3.2,
    p99Ms: 12.5,
    maxMs: 30,
    gatewayCpuSeconds: 4,
    cpuMsPer1000: 100,
    peakRssBytes: 180 * 2 ** 20,
    upstreamsGateway: 1,
    upstreamsSubgraph: 1,
    wrongEvents: 0,
    endedEarly: 0,
    publishErrors: 0,
    errorSamples: [],
    ...over,
  });

  it('marks fan-out only when both sides count one upstream subscription, and counts undelivered events as errors', () => {
    expect(upstreamCell(measurement())).toBe('1 ✓');
    expect(upstreamCell(measurement({ upstreamsSubgraph: undefined }))).toBe('1 ✓ (gateway)');
    expect(upstreamCell(measurement({ upstreamsSubgraph: 100 }))).toBe('gateway 1, subgraph 100 ✗');
    expect(upstreamCell(measurement({ upstreamsGateway: undefined }))).toBe('1 ✓ (subgraph)');
    expect(upstreamCell(measurement({ upstreamsGateway: undefined, upstreamsSubgraph: 2 }))).toBe('gateway n/a, subgraph 2 ✗');
    expect(fanoutErrors(measurement({ delivered: 39_990, wrongEvents: 2, endedEarly: 1 }))).toBe(13);
    const table = renderFanoutSection(
      [measurement({ clients: 1000, deliveredPerSec: 19_000 }), measurement({ scenario: 'subscriptions-fanout-hive-gateway', upstreamsGateway: undefined }), measurement()],
      { rate: 20, duration: 20, warmup: 5, pinned: true },
    );
    const rows = table.filter((l) => /^\| (Tollgate|Hive)/.test(l));
    expect(rows).toEqual([
      '| Hive Gateway | 100 | 1 | 19.8 | 1980 | 40000 / 40000 | 3.2 | 12.5 | 30.0 | 100.0 | 180 | 1 ✓ (subgraph) | 0 |',
      '| Tollgate | 100 | 1 | 19.8 | 1980 | 40000 / 40000 | 3.2 | 12.5 | 30.0 | 100.0 | 180 | 1 ✓ | 0 |',
      '| Tollgate | 1000 | 1 | 19.8 | 19000 | 40000 / 40000 | 3.2 | 12.5 | 30.0 | 100.0 | 180 | 1 ✓ | 0 |',
    ]);
  });

  it('selects the scenario with --only, alone or next to targets, and validates its flags', () => {
    expect(parseBenchArgs(['--only', 'subscriptions-fanout-hive-gateway,subscriptions-fanout']).scenarios).toEqual(['subscriptions-fanout-hive-gateway', 'subscriptions-fanout']);
    expect(parseBenchArgs(['--only', 'subscriptions-fanout'])).toMatchObject({ targets: [], scenarios: ['subscriptions-fanout'], subscribers: [100, 1000], eventRate: 5 });
    expect(parseBenchArgs(['--only', 'apollo,subscriptions-fanout', '--subscribers', '10,50,10', '--event-rate', '5'])).toMatchObject({ targets: ['apollo'], scenarios: ['subscriptions-fanout'], subscribers: [10, 50], eventRate: 5 });
    expect(parseBenchArgs([]).scenarios).toEqual(['subscriptions-fanout', 'subscriptions-fanout-hive-gateway']);
    expect(parseBenchArgs(['--only', 'apollo']).scenarios).toEqual([]);
    expect(() => parseBenchArgs(['--subscribers', '0'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--subscribers', 'many'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--event-rate=0'])).toThrow(UsageError);
  });

  it('reads one sample out of a Prometheus page by name and label', () => {
    const page = ['# TYPE tollgate_subscription_upstreams_open gauge', 'tollgate_subscription_upstreams_open{subgraph="accounts"} 3', 'tollgate_subscription_upstreams_open{subgraph="reviews"} 1', 'tollgate_subscription_upstreams_open_x{subgraph="reviews"} 9'].join('\n');
    expect(parseSample(page, 'tollgate_subscription_upstreams_open', 'subgraph="reviews"')).toBe(1);
    expect(parseSample(page, 'tollgate_subscription_upstreams_open', 'subgraph="products"')).toBeUndefined();
  });
});
