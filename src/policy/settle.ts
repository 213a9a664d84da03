// After execution: the budget charged with the estimate is reconciled to the actual cost (charged again or refunded),
// and `extensions.cost` is built. Runs per request — inbound dedupe shares one execution and its actual cost, but
// every request that shared it was charged, so every one is reconciled.
import { costExtension, type CostSettlement } from './cost/policy';
import type { CounterStore } from './store';

export async function settleCost(
  settlement: CostSettlement,
  actual: number | undefined,
  store: CounterStore,
  onError: (error: unknown) => void,
): Promise<Record<string, unknown> | undefined> {
  const budget = settlement.budget;
  // Not executed (e.g. refused by validation): nothing was spent. An actual that is not a count keeps the charge.
  const spent = actual === undefined ? 0 : Number.isFinite(actual) && actual >= 0 ? actual : budget?.charged;
  let count: number | undefined;
  if (budget && spent !== undefined && spent !== budget.charged) {
    // The counter may be gone by now (expired, evicted, Redis restarted): the store recreates it for this window.
    const adjusting = store.adjust(budget.key, spent - budget.charged, budget.windowEnd).catch((error: unknown) => {
      onError(error);
      return undefined;
    });
    // Only a client that sees its remaining budget waits for the store; for the others it happens in the background.
    if (settlement.extensions) count = await adjusting;
  }
  return settlement.extensions ? costExtension(settlement, actual, count) : undefined;
}
