// Runs the alert rules every `alerts.evaluationInterval`: takes a snapshot (live windows, current usage), steps
// the pure state machines in evaluate.ts, and reports each event to the log, the metrics and the webhook.
import type { Logger } from 'pino';
import type { TollgateConfig } from '../../config/schema';
import type { LiveWindows } from '../liveWindows';
import type { PrometheusMetrics } from '../metrics';
import { DAY_MS, HOUR_MS, type MeteredCounts } from '../metering/counts';
import type { BillingMeter } from '../metering/meter';
import { measureRule, stepAlerts, type AlertEvent, type AlertSnapshot, type AlertState } from './evaluate';
import { WebhookNotifier } from './webhook';

/** Events kept for the dashboard. */
const RECENT_EVENTS = 50;

export interface AlertSchedulerDeps {
  config: TollgateConfig['alerts'];
  windows: LiveWindows;
  meter?: BillingMeter;
  metrics?: PrometheusMetrics;
  logger: Logger;
}

export class AlertScheduler {
  private state = new Map<string, AlertState>();
  /** Newest first. */
  readonly recent: AlertEvent[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly notifier?: WebhookNotifier;
  private readonly log: Logger;

  constructor(private readonly deps: AlertSchedulerDeps) {
    this.log = deps.logger.child({ log: 'alerts' });
    if (deps.config.webhook) {
      this.notifier = new WebhookNotifier(deps.config.webhook, this.log, (event, sent) =>
        deps.metrics?.alertNotifications.inc({ state: event.state, result: sent ? 'sent' : 'failed' }),
      );
    }
  }

  start(): void {
    if (this.deps.config.rules.length === 0) return;
    this.timer = setInterval(() => void this.evaluate(Date.now()), this.deps.config.evaluationInterval);
    this.timer.unref();
  }

  /** Alerts firing now. */
  firing(): AlertState[] {
    return [...this.state.values()].filter((s) => s.firing);
  }

  /** One evaluation at `now`; overlapping calls wait for the one in progress. */
  evaluate(now: number): Promise<void> {
    this.running = (this.running ?? Promise.resolve()).then(() => this.evaluateOnce(now));
    return this.running;
  }

  private async evaluateOnce(now: number): Promise<void> {
    const { rules } = this.deps.config;
    try {
      const usage = await this.currentUsage(now);
      const { windows } = this.deps;
      const snapshot: AlertSnapshot = {
        requests: (windowMs) => windows.requests.totals(now, windowMs),
        services: (windowMs) => [...windows.services].map(([service, { series }]) => ({ service, totals: series.totals(now, windowMs) })),
        usage: (period) => usage[period],
      };
      const measurements = rules.flatMap((rule) => measureRule(rule, snapshot));
      const { state, events } = stepAlerts(rules, measurements, this.state, now);
      this.state = state;
      for (const event of events) this.report(event);
      if (this.deps.metrics) {
        const firing = new Map(rules.map((r) => [r.name, 0]));
        for (const s of this.firing()) firing.set(s.rule, (firing.get(s.rule) ?? 0) + 1);
        for (const [rule, count] of firing) this.deps.metrics.alertsFiring.set({ rule }, count);
      }
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'alert evaluation failed');
    }
  }

  /** Usage of the current hour and day, read only when a budget rule needs it. */
  private async currentUsage(now: number): Promise<Record<'hour' | 'day', MeteredCounts[]>> {
    const needs = new Set(this.deps.config.rules.flatMap((r) => (r.kind === 'clientBudget' ? [r.period] : [])));
    const result: Record<'hour' | 'day', MeteredCounts[]> = { hour: [], day: [] };
    if (!this.deps.meter || needs.size === 0) return result;
    const dayStart = now - (now % DAY_MS);
    const day = await this.deps.meter.read(dayStart, now + 1);
    result.day = day;
    result.hour = day.filter((c) => c.hour === now - (now % HOUR_MS));
    return result;
  }

  private report(event: AlertEvent): void {
    this.recent.unshift(event);
    if (this.recent.length > RECENT_EVENTS) this.recent.length = RECENT_EVENTS;
    const fields = { alert: event.key, rule: event.rule, state: event.state, value: event.value, threshold: event.threshold, subject: event.subject };
    if (event.state === 'firing') this.log.warn(fields, `alert firing: ${event.summary}`);
    else this.log.info(fields, `alert resolved: ${event.summary}`);
    this.notifier?.send(event);
  }

  /** Waits for webhook deliveries in progress (tests, shutdown). */
  async idle(): Promise<void> {
    await this.running;
    await this.notifier?.idle();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.notifier?.stop();
  }
}
