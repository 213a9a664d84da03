// In-flight deduplication: concurrent calls with the same key share one promise; nothing is kept once it settles.
// Callers must only share results that are safe to share (immutable strings, not objects that get mutated).

export class InflightDeduper<T> {
  private readonly pending = new Map<string, Promise<T>>();

  run(key: string, produce: () => Promise<T>): Promise<T> {
    const existing = this.pending.get(key);
    if (existing) return existing;
    const promise = produce().finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.pending.size;
  }
}
