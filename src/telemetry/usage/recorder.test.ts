// The usage recorder: counts per (client, name, query), bounded, flushes deltas to a sink and keeps them on failure.
import { ANONYMOUS } from '../../identity/principal';
import { clientOf, MAX_RECORDED_QUERY_LENGTH, queryHashOf, UsageRecorder, type UsageSink } from './recorder';
import type { OperationUsage } from './types';

function fakeSink() {
  const flushed: Array<{ usage: OperationUsage; withQuery: boolean }[]> = [];
  let fail = false;
  const sink: UsageSink = {
    async flush(deltas) {
      if (fail) throw new Error('redis down');
      flushed.push(deltas.map((d) => ({ ...d, usage: { ...d.usage } })));
    },
    async close() {},
  };
  return { sink, flushed, setFail: (value: boolean) => (fail = value) };
}

describe('UsageRecorder', () => {
  let clock = 1_000;
  const now = () => clock;

  it('counts executions per client, name and query text', () => {
    const recorder = new UsageRecorder({ maxOperations: 10, now });
    recorder.record('query A { a }', 'A', 'web');
    clock += 10;
    recorder.record('query A { a }', 'A', 'web');
    clock += 1;
    recorder.record('query A { a }', 'A', 'ios');
    clock += 1;
    recorder.record('{ b }', undefined, 'web');
    const snapshot = recorder.snapshot();
    expect(snapshot.map((u) => [u.name, u.client, u.count])).toEqual([
      [undefined, 'web', 1],
      ['A', 'ios', 1],
      ['A', 'web', 2],
    ]);
    expect(snapshot[2]).toMatchObject({ queryHash: queryHashOf('query A { a }'), query: 'query A { a }', lastSeen: 1_010 });
  });

  it('keeps at most maxOperations entries, dropping the least recently used queries', () => {
    const recorder = new UsageRecorder({ maxOperations: 2, now });
    recorder.record('{ a }', undefined, 'c');
    clock += 1;
    recorder.record('{ b }', undefined, 'c');
    clock += 1;
    recorder.record('{ a }', undefined, 'c');
    clock += 1;
    recorder.record('{ c }', undefined, 'c');
    expect(recorder.snapshot().map((u) => u.query)).toEqual(['{ c }', '{ a }']);
    expect(recorder.dropped).toBe(1);
  });

  it('keeps one query text for every client that sends it, and skips huge ones', () => {
    const recorder = new UsageRecorder({ maxOperations: 10, now });
    recorder.record('{ a }', 'A', 'web');
    recorder.record('{ a }', 'A', 'ios');
    const [first, second] = recorder.snapshot();
    expect(first.queryHash).toBe(second.queryHash);
    recorder.record(`{ a ${' '.repeat(MAX_RECORDED_QUERY_LENGTH)} }`, undefined, 'web');
    expect(recorder.snapshot()).toHaveLength(2);
  });

  it('filters the snapshot by last seen', () => {
    const recorder = new UsageRecorder({ maxOperations: 10, now });
    clock = 100;
    recorder.record('{ old }', undefined, 'c');
    clock = 200;
    recorder.record('{ new }', undefined, 'c');
    expect(recorder.snapshot(150).map((u) => u.query)).toEqual(['{ new }']);
  });

  it('flushes deltas, with the query text only the first time', async () => {
    const { sink, flushed } = fakeSink();
    const recorder = new UsageRecorder({ maxOperations: 10, sink, now });
    recorder.record('{ a }', undefined, 'c');
    recorder.record('{ a }', undefined, 'c');
    await recorder.flush();
    recorder.record('{ a }', undefined, 'c');
    await recorder.flush();
    await recorder.flush();
    expect(flushed.map((batch) => batch.map((d) => [d.usage.count, d.withQuery]))).toEqual([[[2, true]], [[1, false]]]);
    expect(recorder.snapshot()[0].count).toBe(3);
  });

  it('keeps the counts of a failed flush for the next one', async () => {
    const { sink, flushed, setFail } = fakeSink();
    const recorder = new UsageRecorder({ maxOperations: 10, sink, now });
    recorder.record('{ a }', undefined, 'c');
    setFail(true);
    await recorder.flush();
    recorder.record('{ a }', undefined, 'c');
    setFail(false);
    await recorder.flush();
    expect(flushed).toEqual([[expect.objectContaining({ withQuery: true, usage: expect.objectContaining({ count: 2 }) })]]);
  });
});

describe('clientOf', () => {
  it('prefers the client, then the subject, then anonymous', () => {
    expect(clientOf({ ...ANONYMOUS, client: 'web', subject: 'u1' })).toBe('web');
    expect(clientOf({ ...ANONYMOUS, subject: 'u1' })).toBe('u1');
    expect(clientOf(ANONYMOUS)).toBe('anonymous');
  });
});
