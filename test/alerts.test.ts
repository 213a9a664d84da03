// Alerts end to end: a subgraph goes down under real traffic, the rule fires once — to a webhook server on
// loopback (retried after a 500) and to the log — stays quiet while the episode lasts, and resolves once the
// subgraph answers again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOG_SDL, composeMiniGraph, startMiniGraph } from './fixtures/miniGraph';
import { startFaultProxy, type FaultProxy } from './fixtures/faultProxy';
import { parsePrometheus } from './fixtures/promText';
import { closedPort, compose, eventually, http, postJson, startTestGateway } from './harness';
import type { RunningGateway } from '../src/gateway';

interface Delivery {
  status: number;
  body: { state: string; rule: string; key: string; subject?: string; summary: string; startedAt: string; at: string };
  headers: Record<string, unknown>;
}

let graph: Awaited<ReturnType<typeof startMiniGraph>>;
let stockProxy: FaultProxy;
let webhook: Server;
let webhookUrl: string;
const deliveries: Delivery[] = [];
/** Status codes the webhook answers with, in order; 200 once they run out. */
const answers: number[] = [];

beforeAll(async () => {
  graph = await startMiniGraph();
  stockProxy = await startFaultProxy(graph.stock.url);
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      deliveries.push({ status, body: JSON.parse(body), headers: req.headers });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/tollgate`;
});

afterAll(async () => {
  await new Promise((resolve) => webhook?.close(resolve));
  await stockProxy?.close();
  await graph?.close();
});

it('fires once per episode to the webhook and the log, and resolves when the subgraph is back', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const gateway = await startTestGateway(
    composeMiniGraph(graph.catalog.url, stockProxy.url),
    {
      publish: { admin: { keys: [{ client: 'ops', key: 'alerts-test-admin-key-0123' }] } },
      dedupe: { inbound: false },
      alerts: {
        evaluationInterval: '100ms',
        webhook: { url: webhookUrl, headers: { 'x-hook-secret': 's3cret' }, retries: 3, backoff: '50ms' },
        rules: [{ name: 'stock-down', kind: 'subgraphDown', subgraph: 'stock', window: '10s', minCalls: 2 }],
      },
    },
    { logTo: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean).map((l) => JSON.parse(l))) } },
  );
  try {
    answers.push(500); // the first delivery fails and is retried
    stockProxy.mode = { kind: 'hang-up' };
    for (let i = 0; i < 3; i++) await postJson(gateway.url, { query: '{ products { id stock } }' });
    await eventually(() => deliveries.some((d) => d.status === 200 && d.body.state === 'firing'));

    // Still down, more traffic, many more evaluations: no second firing.
    for (let i = 0; i < 3; i++) await postJson(gateway.url, { query: '{ products { id stock } }' });
    await evaluateTimes(gateway, 5);
    const firing = deliveries.filter((d) => d.body.state === 'firing');
    expect(firing.map((d) => d.status)).toEqual([500, 200]);
    expect(firing[1].body).toMatchObject({ rule: 'stock-down', key: 'stock-down:stock', subject: 'stock' });
    expect(firing[1].body.summary).toMatch(/stock: \d+ of \d+ calls failed/);
    expect(firing[1].headers).toMatchObject({ 'content-type': 'application/json', 'x-hook-secret': 's3cret' });
    expect(lines.filter((l) => l.msg === `alert firing: ${firing[1].body.summary}`)).toHaveLength(1);

    const metrics = parsePrometheus((await http(`${gateway.baseUrl}/metrics`)).text);
    expect(metrics.value('tollgate_alerts_firing', { rule: 'stock-down' })).toBe(1);
    expect(metrics.value('tollgate_alert_notifications_total', { state: 'firing', result: 'sent' })).toBe(1);

    stockProxy.mode = { kind: 'pass' };
    for (let i = 0; i < 3; i++) expect((await postJson(gateway.url, { query: '{ products { id stock } }' })).json.errors).toBeUndefined();
    await eventually(() => deliveries.some((d) => d.body.state === 'resolved'));
    await evaluateTimes(gateway, 5);
    const resolved = deliveries.filter((d) => d.body.state === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0].body).toMatchObject({ key: 'stock-down:stock', startedAt: firing[1].body.startedAt });
    expect(lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('alert resolved'))).toHaveLength(1);
    expect(parsePrometheus((await http(`${gateway.baseUrl}/metrics`)).text).value('tollgate_alerts_firing', { rule: 'stock-down' })).toBe(0);

    // The dashboard's feed lists the episode, newest first.
    const feed = await http(`${gateway.baseUrl}/admin/dashboard.json`, { headers: { authorization: 'Bearer alerts-test-admin-key-0123' } });
    expect(feed.json.alerts.firing).toEqual([]);
    expect(feed.json.alerts.recent.map((e: { state: string }) => e.state)).toEqual(['resolved', 'firing']);
  } finally {
    stockProxy.mode = { kind: 'pass' };
    await gateway.close();
  }
});

it('gives up on a webhook that keeps failing after the configured retries, and says so', async () => {
  deliveries.length = 0;
  answers.push(503, 503, 503);
  const lines: Array<Record<string, unknown>> = [];
  const gateway = await startTestGateway(
    composeMiniGraph(graph.catalog.url, `http://127.0.0.1:${await closedPort()}/graphql`),
    {
      alerts: {
        evaluationInterval: '100ms',
        webhook: { url: webhookUrl, retries: 2, backoff: '20ms' },
        rules: [{ name: 'any-traffic', kind: 'errorRate', threshold: 1, minRequests: 1, window: '2s' }],
      },
    },
    { logTo: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean).map((l) => JSON.parse(l))) } },
  );
  try {
    // The stock subgraph is not running: every answer is partial, error rate 100 %.
    expect((await postJson(gateway.url, { query: '{ products { id stock } }' })).json.errors[0].extensions.code).toBe('SUBGRAPH_UNAVAILABLE');
    await gateway.telemetry.alerts!.evaluate(Date.now());
    await gateway.telemetry.alerts!.idle();
    expect(deliveries.map((d) => d.status)).toEqual([503, 503, 503]);
    expect(lines.some((l) => l.msg === 'alert webhook delivery given up after retries')).toBe(true);
  } finally {
    await gateway.close();
  }
});

it('warns at 80 % and at 100 % of a client budget, from the usage meter', async () => {
  deliveries.length = 0;
  const key = 'budget-client-key-0123456789';
  const gateway = await startTestGateway(compose([{ name: 'catalog', url: graph.catalog.url, sdl: CATALOG_SDL }]), {
    authentication: { apiKeys: { keys: [{ client: 'acme', key, plan: 'free' }] } },
    alerts: {
      evaluationInterval: '1h', // evaluated by hand below
      webhook: { url: webhookUrl },
      rules: [{ name: 'budget', kind: 'clientBudget', metric: 'operations', period: 'day', budgets: { plans: { free: 5 } } }],
    },
  });
  try {
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) await postJson(gateway.url, { query: '{ products { id } }' }, { 'x-api-key': key });
      await gateway.telemetry.alerts!.evaluate(Date.now());
      await gateway.telemetry.alerts!.idle();
    };
    await send(3);
    expect(deliveries).toHaveLength(0);
    await send(1);
    expect(deliveries.map((d) => [d.body.state, d.body.key])).toEqual([['firing', 'budget:acme:80%']]);
    await send(1);
    await send(1);
    expect(deliveries.map((d) => [d.body.state, d.body.key])).toEqual([
      ['firing', 'budget:acme:80%'],
      ['firing', 'budget:acme:100%'],
    ]);
    expect(deliveries[1].body.summary).toBe('acme used 100% of its daily operations budget (5 of 5; threshold 100%)');
  } finally {
    await gateway.close();
  }
});

/** Runs `times` more evaluations (after the timer's) and waits for their deliveries: a negative check needs no sleep. */
async function evaluateTimes(gateway: RunningGateway, times: number): Promise<void> {
  const alerts = gateway.telemetry.alerts!;
  for (let i = 0; i < times; i++) await alerts.evaluate(Date.now());
  await alerts.idle();
}
