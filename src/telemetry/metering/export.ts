// Usage export formats: JSON (one object per period, client and plan) and CSV (one column per service called).
// Used by GET /admin/usage and `tollgate usage`; both show the same rows.
import type { MeteredCounts } from './counts';

export interface MeteredRow {
  /** Start of the UTC hour or day, ISO 8601. */
  period: string;
  client: string;
  plan: string;
  operations: number;
  errors: number;
  rejected: number;
  estimatedCost: number;
  actualCost: number;
  calls: Record<string, number>;
}

export function toRows(counts: MeteredCounts[]): MeteredRow[] {
  return counts.map((c) => ({
    period: new Date(c.hour).toISOString().replace('.000Z', 'Z'),
    client: c.client,
    plan: c.plan,
    operations: c.operations,
    errors: c.errors,
    rejected: c.rejected,
    estimatedCost: roundCost(c.estimatedCost),
    actualCost: roundCost(c.actualCost),
    calls: Object.fromEntries(Object.entries(c.calls).sort(([a], [b]) => a.localeCompare(b))),
  }));
}

export function toCsv(rows: MeteredRow[]): string {
  const services = [...new Set(rows.flatMap((r) => Object.keys(r.calls)))].sort();
  const header = ['period', 'client', 'plan', 'operations', 'errors', 'rejected', 'estimated_cost', 'actual_cost', ...services.map((s) => `calls_${s}`)];
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) {
    const cells = [r.period, r.client, r.plan, r.operations, r.errors, r.rejected, r.estimatedCost, r.actualCost, ...services.map((s) => r.calls[s] ?? 0)];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** RFC 4180 quoting; text that a spreadsheet would run as a formula (=, +, -, @) is prefixed with '. */
function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** HINCRBYFLOAT sums can carry binary noise (0.30000000000000004); cost units are shown to 6 decimals. */
function roundCost(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
