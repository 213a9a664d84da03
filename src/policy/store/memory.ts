// The in-memory counter store: the default, for one gateway process. Same semantics as the Redis script
// (types.ts, lua.ts); JavaScript runs a batch without interruption, which makes it atomic here for free.
import { KEY_GRACE_MS, storeDelta, storeUnits, type CounterOp, type CounterResult, type CounterStore, type StoreStatus } from './types';

interface Counter {
  count: number;
  expiresAt: number;
}

/** Expired counters are swept after this many batches, so memory stays bounded without a timer. */
const SWEEP_EVERY = 10_000;

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, Counter>();
  private batches = 0;

  async apply(ops: readonly CounterOp[], { requireAllHits, now }: { requireAllHits: boolean; now: number }): Promise<CounterResult[]> {
    if (++this.batches % SWEEP_EVERY === 0) this.sweep(now);
    let refused = false;
    const results: CounterResult[] = [];
    for (const op of ops) {
      let counter = this.counters.get(op.key);
      if (counter && counter.expiresAt <= now) {
        this.counters.delete(op.key);
        counter = undefined;
      }
      const count = counter?.count ?? 0;
      const amount = storeUnits(op.amount);
      const fits = count + amount <= op.max;
      const charge = op.kind === 'hit' ? true : op.kind === 'hitIfAdmitted' ? fits : fits && !(requireAllHits && refused);
      if (op.kind !== 'charge' && !fits) refused = true;
      let after = count;
      // A charge of 0 still creates the counter: the reconciliation after it must find one to charge the actual cost to.
      if (charge) {
        after = count + amount;
        this.counters.set(op.key, { count: after, expiresAt: op.windowEnd + KEY_GRACE_MS });
      }
      results.push({ count: after, admitted: fits && (op.kind !== 'charge' || charge) });
    }
    return results;
  }

  async adjust(key: string, delta: number, windowEnd: number): Promise<number> {
    let counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= Date.now()) {
      counter = { count: 0, expiresAt: windowEnd + KEY_GRACE_MS };
      this.counters.set(key, counter);
    }
    counter.count = Math.max(0, counter.count + storeDelta(delta));
    return counter.count;
  }

  status(): StoreStatus {
    return { kind: 'memory', available: true, failures: 0 };
  }

  async close(): Promise<void> {
    this.counters.clear();
  }

  private sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }
}
