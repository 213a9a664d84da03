// EventStream: order, ending with a last result, the bound on what waits for a slow consumer, and release on every end.
import { EventStream, type EndReason } from './stream';

async function drain(stream: EventStream): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const result of stream) out.push(result);
  return out;
}

describe('EventStream', () => {
  it('delivers queued and later results in order, then the last one, then ends', async () => {
    const stream = new EventStream(10);
    stream.push({ data: { n: 1 } });
    const reading = drain(stream);
    stream.push({ data: { n: 2 } });
    stream.end({ errors: [{ message: 'bye' }] });
    expect(await reading).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }, { errors: [{ message: 'bye' }] }]);
    expect(stream.push({ data: {} })).toBe(false);
  });

  it('hands the last result to a consumer that is already waiting', async () => {
    const stream = new EventStream(10);
    const next = stream.next();
    stream.end({ errors: [{ message: 'reload' }] });
    expect(await next).toEqual({ value: { errors: [{ message: 'reload' }] }, done: false });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('drops the queue of a consumer that falls behind and ends with one SUBSCRIPTION_CLIENT_TOO_SLOW error', async () => {
    const stream = new EventStream(3);
    const reasons: EndReason[] = [];
    stream.whenEnded((reason) => reasons.push(reason));
    for (let i = 0; i < 3; i++) expect(stream.push({ data: { i } })).toBe(true);
    expect(stream.push({ data: { i: 3 } })).toBe(false);
    // Released at once, before the consumer reads anything.
    expect(reasons).toEqual(['too-slow']);
    const results = (await drain(stream)) as Array<{ errors?: Array<{ extensions?: { code?: string } }> }>;
    expect(results).toHaveLength(1);
    expect(results[0].errors?.[0].extensions?.code).toBe('SUBSCRIPTION_CLIENT_TOO_SLOW');
  });

  it('releases once when the consumer returns, however many ends follow', async () => {
    const stream = new EventStream(3);
    const reasons: EndReason[] = [];
    stream.whenEnded((reason) => reasons.push(reason));
    const pending = stream.next();
    await stream.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    stream.end({ errors: [{ message: 'late' }] });
    stream.end();
    expect(reasons).toEqual(['client']);
    let late: EndReason | undefined;
    stream.whenEnded((reason) => (late = reason));
    expect(late).toBe('client');
  });
});
