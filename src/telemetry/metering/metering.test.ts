// Usage metering without servers: counting per client, plan and hour, flushing batches that a failing store
// keeps for a retry (never counting one twice), rolling hours up to days, export formats and query parsing.
import pino from 'pino';
import type { FetchRecord, RequestRecord } from '../record';
import { DAY_MS, HOUR_MS, rollUp, type MeteredBatch } from './counts';
import { toCsv, toRows } from './export';
import { BillingMeter } from './meter';
import { parseMeteringQuery } from './query';
import { MemoryMeteringStore } from './store';

const T = Date.UTC(2025, 0, 31, 10, 15);

function request(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return { requestId: 'r', startedAt: T, durationMs: 5, client: 'acme', plan: 'pro', status: 200, outcome: 'success', ...overrides };
}

function fetchRecord(service: string, overrides: Partial<FetchRecord> = {}): FetchRecord {
  return { service, kind: 'subgraph', startedAt: T, durationMs: 1, outcome: 'ok', failed: false, client: 'acme', plan: 'pro', ...overrides };
}

/** A store that fails on demand, and applies batches at most once like the real ones. */
class FlakyStore extends MemoryMeteringStore {
  failing = false;
  attempts: string[] = [];
  override async add(batch: MeteredBatch): Promise<void> {
    this.attempts.push(batch.id);
    if (this.failing) throw new Error('store down');
    return super.add(batch);
  }
}

const logger = pino({ level: 'silent' });

describe('BillingMeter', () => {
  it('counts operations, errors, rejections, cost and calls per client, plan and hour', async () => {
    const meter = new BillingMeter({ store: new MemoryMeteringStore(), flushIntervalMs: 60_000, logger });
    meter.request(request({ cost: { estimated: 10, actual: 7.5 } }));
    meter.request(request({ outcome: 'partial', cost: { estimated: 4 } }));
    meter.request(request({ outcome: 'rejected', status: 429, rejectionCode: 'RATE_LIMITED' }));
    meter.request(request({ client: 'bob', plan: undefined, startedAt: T + HOUR_MS }));
    meter.fetch(fetchRecord('products'));
    meter.fetch(fetchRecord('products'));
    meter.fetch(fetchRecord('suppliers', { kind: 'rest' }));
    const rows = toRows(rollUp(await meter.read(T - HOUR_MS, T + 2 * HOUR_MS), 'hour'));
    expect(rows).toEqual([
      { period: '2025-01-31T10:00:00Z', client: 'acme', plan: 'pro', operations: 3, errors: 2, rejected: 1, estimatedCost: 14, actualCost: 7.5, calls: { products: 2, suppliers: 1 } },
      { period: '2025-01-31T11:00:00Z', client: 'bob', plan: '', operations: 1, errors: 0, rejected: 0, estimatedCost: 0, actualCost: 0, calls: {} },
    ]);
    expect(toRows(rollUp(await meter.read(T - DAY_MS, T + DAY_MS), 'day')).map((r) => [r.period, r.client, r.operations])).toEqual([
      ['2025-01-31T00:00:00Z', 'acme', 3],
      ['2025-01-31T00:00:00Z', 'bob', 1],
    ]);
  });

  it('keeps a batch the store refused and writes it once, with the same id, when the store is back', async () => {
    const store = new FlakyStore();
    const meter = new BillingMeter({ store, flushIntervalMs: 60_000, logger });
    meter.request(request());
    store.failing = true;
    expect(await meter.flush()).toBe(false);
    meter.request(request());
    expect(await meter.flush()).toBe(false);
    // While the store is down, this gateway's own counts are still in its answer.
    expect((await meter.read(T, T + HOUR_MS))[0]?.operations ?? 0).toBe(2);
    store.failing = false;
    expect(await meter.flush()).toBe(true);
    // The first batch was retried under its first id; a replay of any batch changes nothing.
    expect(new Set(store.attempts).size).toBe(2);
    expect((await store.read(T, T + HOUR_MS))[0].operations).toBe(2);
    await store.add({ id: store.attempts[0], counts: [{ ...(await store.read(T, T + HOUR_MS))[0] }] });
    expect((await store.read(T, T + HOUR_MS))[0].operations).toBe(2);
  });

  it('writes what is left on close', async () => {
    const store = new MemoryMeteringStore();
    const meter = new BillingMeter({ store, flushIntervalMs: 60_000, logger });
    meter.start();
    meter.request(request());
    await meter.close();
    expect((await store.read(T, T + HOUR_MS))[0].operations).toBe(1);
  });
});

describe('export formats', () => {
  it('writes CSV with a column per service and cells a spreadsheet will not run', () => {
    const rows = toRows([
      { hour: T - (T % HOUR_MS), client: '=HYPERLINK("x")', plan: 'a,b', operations: 1, errors: 0, rejected: 0, estimatedCost: 0.1 + 0.2, actualCost: 0, calls: { reviews: 2 } },
      { hour: T - (T % HOUR_MS), client: 'acme', plan: '', operations: 3, errors: 1, rejected: 0, estimatedCost: 0, actualCost: 0, calls: { products: 1 } },
    ]);
    expect(toCsv(rows)).toBe(
      [
        'period,client,plan,operations,errors,rejected,estimated_cost,actual_cost,calls_products,calls_reviews',
        `2025-01-31T10:00:00Z,"'=HYPERLINK(""x"")","a,b",1,0,0,0.3,0,0,2`,
        '2025-01-31T10:00:00Z,acme,,3,1,0,0,0,1,0',
        '',
      ].join('\n'),
    );
  });
});

describe('parseMeteringQuery', () => {
  const now = Date.UTC(2025, 1, 3, 12, 30);

  it('defaults to today (UTC) by day, as JSON', () => {
    expect(parseMeteringQuery({}, now)).toEqual({ ok: true, query: { from: Date.UTC(2025, 1, 3), to: now, granularity: 'day', format: 'json' } });
  });

  it('takes ISO dates and times', () => {
    const parsed = parseMeteringQuery({ from: '2025-01-01', to: '2025-01-02T06:00:00+02:00', granularity: 'hour', format: 'csv' }, now);
    expect(parsed).toEqual({ ok: true, query: { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2, 4), granularity: 'hour', format: 'csv' } });
  });

  it('takes times without seconds or zone, as UTC (issue 14, item 7)', () => {
    expect(parseMeteringQuery({ from: '2025-02-03T03:00', to: '2025-02-03T04:00:00' }, now)).toMatchObject({ ok: true, query: { from: Date.UTC(2025, 1, 3, 3), to: Date.UTC(2025, 1, 3, 4) } });
    expect(parseMeteringQuery({ from: '2025-02-03T03:00+01:00', to: '2025-02-03T03:30:15.5Z' }, now)).toMatchObject({ ok: true, query: { from: Date.UTC(2025, 1, 3, 2), to: Date.UTC(2025, 1, 3, 3, 30, 15, 500) } });
    expect(parseMeteringQuery({ from: '2025-02-03T3:00' }, now)).toMatchObject({ ok: false });
    expect(parseMeteringQuery({ from: '2025-02-30' }, now)).toMatchObject({ ok: false, message: expect.stringContaining('from:') });
  });

  it('refuses what it cannot read', () => {
    expect(parseMeteringQuery({ from: 'yesterday' }, now)).toMatchObject({ ok: false, message: expect.stringContaining('from:') });
    expect(parseMeteringQuery({ from: '01/02/2025' }, now)).toMatchObject({ ok: false });
    expect(parseMeteringQuery({ from: '2025-02-02', to: '2025-02-01' }, now)).toMatchObject({ ok: false, message: 'to must be after from' });
    expect(parseMeteringQuery({ from: '2020-01-01', to: '2025-01-01' }, now)).toMatchObject({ ok: false, message: expect.stringContaining('400 days') });
    expect(parseMeteringQuery({ granularity: 'week' }, now)).toMatchObject({ ok: false });
    expect(parseMeteringQuery({ format: 'xml' }, now)).toMatchObject({ ok: false });
  });
});
