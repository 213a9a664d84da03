// A usage export request: --from/--to (or ?from=&to=) as ISO 8601 times or dates, granularity and format.
// Shared by GET /admin/usage and `tollgate usage`, so both accept and refuse the same things.
import { DAY_MS } from './counts';

export interface MeteringQuery {
  /** Epoch ms, inclusive; an hour is included when it starts in [from, to). */
  from: number;
  to: number;
  granularity: 'hour' | 'day';
  format: 'json' | 'csv';
}

export interface MeteringQueryInput {
  from?: string;
  to?: string;
  granularity?: string;
  format?: string;
}

/** Longest range one export may cover. */
const MAX_RANGE_MS = 400 * DAY_MS;

export function parseMeteringQuery(input: MeteringQueryInput, now: number): { ok: true; query: MeteringQuery } | { ok: false; message: string } {
  const from = input.from === undefined ? now - (now % DAY_MS) : parseTime(input.from);
  const to = input.to === undefined ? now : parseTime(input.to);
  if (from === undefined) return { ok: false, message: `from: expected an ISO 8601 date or time (2025-01-31, 2025-01-31T12:00 — UTC without a zone — or 2025-01-31T12:00:00+02:00), got ${JSON.stringify(input.from)}` };
  if (to === undefined) return { ok: false, message: `to: expected an ISO 8601 date or time (2025-01-31, 2025-01-31T12:00 — UTC without a zone — or 2025-01-31T12:00:00+02:00), got ${JSON.stringify(input.to)}` };
  if (to <= from) return { ok: false, message: 'to must be after from' };
  if (to - from > MAX_RANGE_MS) return { ok: false, message: 'the range may cover at most 400 days' };
  const granularity = input.granularity ?? 'day';
  if (granularity !== 'hour' && granularity !== 'day') return { ok: false, message: 'granularity: expected hour or day' };
  const format = input.format ?? 'json';
  if (format !== 'json' && format !== 'csv') return { ok: false, message: 'format: expected json or csv' };
  return { ok: true, query: { from, to, granularity, format } };
}

/**
 * ISO 8601 only: a date (midnight UTC), or a date and time with or without seconds and zone. A time without a zone
 * is UTC, like the hours the export is counted in — never the machine's local time, which Date.parse would guess.
 */
export function parseTime(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!match) return undefined;
  const [, date, time, zone] = match;
  // Date.parse rolls 2025-02-30 over to March: a calendar date must read back as itself.
  if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) return undefined;
  const ms = Date.parse(time === undefined ? `${date}T00:00:00Z` : `${date}T${time}${zone ?? 'Z'}`);
  return Number.isNaN(ms) ? undefined : ms;
}
