// Delivers alert events to the configured webhook: a JSON POST each, in order, retried with exponential backoff
// on a network error, a timeout, a 5xx or a 429 (a 4xx other than 429 is final). Never throws into its caller.
import { request } from 'undici';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../../config/schema';
import type { AlertEvent } from './evaluate';

type WebhookConfig = NonNullable<TollgateConfig['alerts']['webhook']>;

/** Events waiting beyond this many are dropped (oldest first, logged): a dead webhook must not grow memory. */
const MAX_QUEUED = 100;

export class WebhookNotifier {
  private queue: AlertEvent[] = [];
  private draining?: Promise<void>;
  private stopped = false;
  /** Backoff waits in progress: stop() ends them at once. */
  private readonly waits = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly config: WebhookConfig,
    private readonly logger: Logger,
    private readonly onResult: (event: AlertEvent, sent: boolean) => void = () => undefined,
  ) {}

  send(event: AlertEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    if (this.queue.length > MAX_QUEUED) {
      const dropped = this.queue.shift()!;
      this.logger.warn({ alert: dropped.key, state: dropped.state }, 'alert webhook queue full; dropped the oldest event');
    }
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Resolves when everything queued has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const [timer, wake] of this.waits) {
      clearTimeout(timer);
      wake();
    }
    this.waits.clear();
    this.queue = [];
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const event = this.queue.shift()!;
      const sent = await this.deliver(event);
      this.onResult(event, sent);
    }
  }

  private async deliver(event: AlertEvent): Promise<boolean> {
    const body = JSON.stringify(event);
    for (let attempt = 0; attempt <= this.config.retries; attempt++) {
      if (attempt > 0) await this.sleep(this.config.backoff * 2 ** (attempt - 1));
      if (this.stopped) return false;
      let reason: string;
      try {
        const response = await request(this.config.url, {
          method: 'POST',
          headers: { ...this.config.headers, 'content-type': 'application/json' },
          body,
          headersTimeout: this.config.timeout,
          bodyTimeout: this.config.timeout,
        });
        await response.body.dump();
        if (response.statusCode < 300) return true;
        reason = `HTTP ${response.statusCode}`;
        if (response.statusCode < 500 && response.statusCode !== 429) {
          this.logger.error({ alert: event.key, state: event.state, reason }, 'alert webhook refused the event');
          return false;
        }
      } catch (error) {
        reason = (error as Error).message;
      }
      this.logger.warn({ alert: event.key, state: event.state, attempt: attempt + 1, reason }, 'alert webhook delivery failed');
    }
    this.logger.error({ alert: event.key, state: event.state }, 'alert webhook delivery given up after retries');
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      this.waits.set(timer, resolve);
    });
  }
}
