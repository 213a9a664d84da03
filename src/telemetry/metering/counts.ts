// Usage counts: what one client (on one plan) did in one UTC hour, and how batches of them add up.
// Shared by the meter (in memory), the stores (memory, Redis) and the exporters (CSV, JSON).
import { cacheKey } from '../../util/cacheKey';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface MeteredCounts {
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  client: string;
  /** '' when the client has no plan. */
  plan: string;
  /** GraphQL requests, refused ones included. */
  operations: number;
  /** Requests answered with errors: partial, failed or refused. */
  errors: number;
  /** Requests refused before execution (a subset of `errors`): limits, authentication, validation, … */
  rejected: number;
  estimatedCost: number;
  actualCost: number;
  /** Calls made to each subgraph or REST service for this client's requests. */
  calls: Record<string, number>;
}

/** A set of counts to add to a store; applying the same id twice counts once. */
export interface MeteredBatch {
  id: string;
  counts: MeteredCounts[];
}

export function emptyCounts(hour: number, client: string, plan: string): MeteredCounts {
  return { hour, client, plan, operations: 0, errors: 0, rejected: 0, estimatedCost: 0, actualCost: 0, calls: {} };
}

export function countsKey(hour: number, client: string, plan: string): string {
  return cacheKey(hour, client, plan);
}

export function addCounts(into: MeteredCounts, add: MeteredCounts): void {
  into.operations += add.operations;
  into.errors += add.errors;
  into.rejected += add.rejected;
  into.estimatedCost += add.estimatedCost;
  into.actualCost += add.actualCost;
  for (const service in add.calls) into.calls[service] = (into.calls[service] ?? 0) + add.calls[service];
}

/** Sums counts into one row per (period, client, plan); periods are UTC hours or days. */
export function rollUp(counts: Iterable<MeteredCounts>, granularity: 'hour' | 'day'): MeteredCounts[] {
  const size = granularity === 'day' ? DAY_MS : HOUR_MS;
  const rows = new Map<string, MeteredCounts>();
  for (const c of counts) {
    const period = c.hour - (c.hour % size);
    const key = countsKey(period, c.client, c.plan);
    let row = rows.get(key);
    if (!row) {
      row = emptyCounts(period, c.client, c.plan);
      rows.set(key, row);
    }
    addCounts(row, c);
  }
  return [...rows.values()].sort((a, b) => a.hour - b.hour || a.client.localeCompare(b.client) || a.plan.localeCompare(b.plan));
}
