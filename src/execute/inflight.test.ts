import { InflightDeduper } from './inflight';

describe('InflightDeduper', () => {
  it('runs one producer per key while it is pending, shares its result, and forgets it once settled', async () => {
    const deduper = new InflightDeduper<string>();
    let calls = 0;
    let release!: (value: string) => void;
    const produce = () => {
      calls += 1;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const first = deduper.run('k', produce);
    const second = deduper.run('k', produce);
    expect(calls).toBe(1);
    release('plan');
    expect(await Promise.all([first, second])).toEqual(['plan', 'plan']);
    expect(deduper.size).toBe(0);
    void deduper.run('k', produce);
    expect(calls).toBe(2);
    release('again');
  });

  it('shares a failure with every waiter and does not keep it', async () => {
    const deduper = new InflightDeduper<string>();
    let fail!: (error: Error) => void;
    const produce = () => new Promise<string>((_, reject) => (fail = reject));
    const waiters = [deduper.run('k', produce), deduper.run('k', produce)];
    fail(new Error('cannot plan'));
    for (const waiter of waiters) await expect(waiter).rejects.toThrow('cannot plan');
    expect(deduper.size).toBe(0);
  });
});
