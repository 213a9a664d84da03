// One client subscription's events as the protocol libraries pull them: an async iterator over a bounded queue.
// The producer pushes (upstream events, once completed); the consumer (graphql-ws, graphql-sse) pulls as it writes.
// A consumer that falls `maxBuffered` events behind is too slow: the queue is dropped and the stream ends with one
// SUBSCRIPTION_CLIENT_TOO_SLOW error, so a slow client costs a bounded amount of memory, never the gateway's.
import type { GraphQLFormattedError } from 'graphql';

export interface StreamResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

export type EndReason = 'client' | 'complete' | 'error' | 'too-slow';

export class EventStream implements AsyncGenerator<StreamResult, undefined, undefined> {
  private readonly queue: StreamResult[] = [];
  private waiting?: (result: IteratorResult<StreamResult, undefined>) => void;
  private ended = false;
  /** Set once the stream is over; pending queued results are still delivered first. */
  private finishing = false;
  private readonly onEnd: Array<(reason: EndReason) => void> = [];
  /** The code of the error the stream ended with (`extensions.code` of the last result's first error), if any. */
  endCode?: string;

  constructor(private readonly maxBuffered: number) {}

  /**
   * Runs once, as soon as the stream stops taking events for any reason (client left, completed, failed, too slow),
   * even while the last queued results still wait for the client: upstream listeners and counts are released at once.
   */
  whenEnded(callback: (reason: EndReason) => void): void {
    if (this.finishing || this.ended) callback(this.endReason);
    else this.onEnd.push(callback);
  }

  get isOpen(): boolean {
    return !this.finishing && !this.ended;
  }

  /** Queues one result; false when the stream is over or the client was just found too slow. */
  push(result: StreamResult): boolean {
    if (!this.isOpen) return false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: result, done: false });
      return true;
    }
    if (this.queue.length >= this.maxBuffered) {
      this.queue.length = 0;
      this.queue.push({
        errors: [{ message: `The client read events too slowly (more than ${this.maxBuffered} waiting); the subscription was ended.`, extensions: { code: 'SUBSCRIPTION_CLIENT_TOO_SLOW' } }],
      });
      this.endCode = 'SUBSCRIPTION_CLIENT_TOO_SLOW';
      this.finish('too-slow');
      return false;
    }
    this.queue.push(result);
    return true;
  }

  /** Ends the stream after what is queued, optionally with one last result (e.g. a coded error). */
  end(last?: StreamResult, reason: EndReason = last?.errors ? 'error' : 'complete'): void {
    if (!this.isOpen) return;
    if (last) this.queue.push(last);
    const code = last?.errors?.[0]?.extensions?.code;
    if (typeof code === 'string') this.endCode = code;
    this.finish(reason);
  }

  private finish(reason: EndReason): void {
    this.finishing = true;
    this.endReason = reason;
    this.release(reason);
    // A consumer already waiting gets the last queued result (or the end) now.
    const resolve = this.waiting;
    if (!resolve) {
      if (this.queue.length === 0) this.close();
      return;
    }
    this.waiting = undefined;
    const last = this.queue.shift();
    if (this.queue.length === 0) this.close();
    resolve(last ? { value: last, done: false } : { value: undefined, done: true });
  }

  private endReason: EndReason = 'complete';

  private release(reason: EndReason): void {
    for (const callback of this.onEnd.splice(0)) callback(reason);
  }

  private close(): void {
    this.ended = true;
    this.queue.length = 0;
  }

  next(): Promise<IteratorResult<StreamResult, undefined>> {
    const queued = this.queue.shift();
    if (queued) {
      if (this.finishing && this.queue.length === 0) this.close();
      return Promise.resolve({ value: queued, done: false });
    }
    if (this.finishing || this.ended) {
      this.close();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The consumer is done (client completed or disconnected). */
  return(): Promise<IteratorResult<StreamResult, undefined>> {
    if (!this.finishing) this.endReason = 'client';
    this.finishing = true;
    this.release('client');
    this.close();
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<StreamResult, undefined>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
