// The live view of traffic: request and per-service fetch counters and latencies over the last 15 minutes,
// second by second. The dashboard's feed and the alert rules read it; it holds this gateway's traffic only.
import type { FetchKind, FetchRecord, RequestRecord, TelemetryConsumer } from './record';
import { RollingSeries } from './window';

export const REQUEST_COUNTERS = ['requests', 'errors', 'rejected', 'limited'] as const;
export const FETCH_COUNTERS = ['calls', 'failures'] as const;
const [REQUESTS, ERRORS, REJECTED, LIMITED] = [0, 1, 2, 3];
const [CALLS, FAILURES] = [0, 1];

/** Rejections by rate limits and cost budgets (the limits issue's codes). */
export function isLimitCode(code: string): boolean {
  return code === 'RATE_LIMITED' || code.startsWith('COST_');
}

function hasLimitError(byCode: Readonly<Record<string, number>>): boolean {
  for (const code in byCode) if (isLimitCode(code)) return true;
  return false;
}

export class LiveWindows implements TelemetryConsumer {
  readonly requests = new RollingSeries(REQUEST_COUNTERS);
  readonly services = new Map<string, { kind: FetchKind; series: RollingSeries<(typeof FETCH_COUNTERS)[number]> }>();

  request(record: RequestRecord): void {
    const now = record.startedAt + record.durationMs;
    const series = this.requests;
    series.add(now, REQUESTS);
    series.observe(now, record.durationMs);
    // Errors are the gateway's and the services' failures; a refused request is the client's and counted apart.
    if (record.outcome === 'partial' || record.outcome === 'error') series.add(now, ERRORS);
    else if (record.outcome === 'rejected') series.add(now, REJECTED);
    // A limit hit: the request refused by a rate limit or budget, or a field nulled by one (onLimit: filter).
    if ((record.rejectionCode && isLimitCode(record.rejectionCode)) || (record.errors && hasLimitError(record.errors.byCode))) series.add(now, LIMITED);
  }

  fetch(record: FetchRecord): void {
    let entry = this.services.get(record.service);
    if (!entry) {
      entry = { kind: record.kind, series: new RollingSeries(FETCH_COUNTERS) };
      this.services.set(record.service, entry);
    }
    const now = record.startedAt + record.durationMs;
    entry.series.add(now, CALLS);
    entry.series.observe(now, record.durationMs);
    if (record.failed) entry.series.add(now, FAILURES);
  }
}
