// The legacy pricing REST service as an example "subgraph": Tollgate serves it from pricing.graphql (beside this
// file) in-process; this module only runs the REST API itself. `node dist/subgraphs/legacy-pricing/index.js`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runStandalone } from '../lib/runStandalone';
import { startLegacyPricing, type LegacyPricingOptions, type LegacyPricingServer } from './server';

export { DEFAULT_API_KEY, MAX_SKUS_PER_CALL, startLegacyPricing, type Fault, type LegacyPricingOptions, type LegacyPricingServer, type RecordedRequest } from './server';
export { defaultData, type LegacyPricingData, type PriceRecord, type SupplierRecord } from './data';

export const NAME = 'pricing';
export const DEFAULT_PORT = 4105;

export function start(port = 0, host = '127.0.0.1', options: LegacyPricingOptions = {}): Promise<LegacyPricingServer> {
  return startLegacyPricing(port, host, options);
}

/** Absolute path of pricing.graphql, the REST description, whether running from source or from dist/. */
export function pricingDescriptionPath(): string {
  const candidates = [resolve(__dirname, 'pricing.graphql'), resolve(__dirname, '..', '..', '..', 'subgraphs', 'legacy-pricing', 'pricing.graphql')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`pricing.graphql not found; looked in ${candidates.join(', ')}`);
  return found;
}

if (require.main === module) runStandalone(NAME, DEFAULT_PORT, start);
