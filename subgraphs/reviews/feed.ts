// New reviews as a live feed: `addReview` publishes, each `reviewAdded` subscription listens. In memory, one process;
// `subscribers` counts the open subscriptions (the gateway's fan-out tests read it).

/** One subscriber's events as graphql-js `subscribe` wants them: an async generator that ends when the client leaves. */
export class Feed<T> {
  private readonly listeners = new Set<(event: T) => void>();

  /** Open subscriptions right now. */
  get subscribers(): number {
    return this.listeners.size;
  }

  publish(event: T): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Resolves once `count` subscriptions are open (tests wait for the gateway's upstream subscription this way). */
  async waitForSubscribers(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.listeners.size !== count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} subscribers, have ${this.listeners.size}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  subscribe(accept: (event: T) => boolean = () => true): AsyncGenerator<T, void, undefined> {
    const queue: T[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const listener = (event: T) => {
      if (!accept(event)) return;
      queue.push(event);
      wake?.();
    };
    this.listeners.add(listener);
    const listeners = this.listeners;
    async function* events(): AsyncGenerator<T, void, undefined> {
      try {
        while (!done) {
          if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          while (queue.length > 0) yield queue.shift() as T;
        }
      } finally {
        listeners.delete(listener);
      }
    }
    const generator = events();
    const originalReturn = generator.return.bind(generator);
    // A generator paused in `await` can't run its finally until resumed: unsubscribe at once, then wake it.
    generator.return = (value) => {
      done = true;
      listeners.delete(listener);
      wake?.();
      return originalReturn(value);
    };
    return generator;
  }
}
