// The four example subgraphs (accounts, products, reviews, inventory) the gateway's tests, dev command and
// benchmark run behind Tollgate: where their SDL lives, and one call to start them all.
import * as accounts from './accounts';
import * as inventory from './inventory';
import * as legacyPricing from './legacy-pricing';
import { hostFromEnv, runUntilSignal } from './lib/runStandalone';
import { subgraphSchemaPath } from './lib/schemaFile';
import type { SubgraphServer } from './lib/serveSubgraph';
import * as products from './products';
import * as reviews from './reviews';

export type { InventoryOptions } from './inventory';
export type { SubgraphServer } from './lib/serveSubgraph';
export type { LegacyPricingServer } from './legacy-pricing';

export type ExampleSubgraphName = 'accounts' | 'products' | 'reviews' | 'inventory';

export interface ExampleSubgraph {
  name: ExampleSubgraphName;
  /** Absolute path of its schema.graphql (Federation 2 SDL). */
  schemaPath: string;
  /** Port it listens on when run on its own (`node dist/subgraphs/<name>/index.js`). */
  defaultPort: number;
}

export const EXAMPLE_SUBGRAPHS: readonly ExampleSubgraph[] = [accounts, products, reviews, inventory].map(
  ({ NAME, DEFAULT_PORT }) => ({
    name: NAME,
    schemaPath: subgraphSchemaPath(NAME),
    defaultPort: DEFAULT_PORT,
  }),
);

export interface StartExampleSubgraphsOptions {
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Port per subgraph; a missing entry or 0 picks a free port, so parallel test files never collide. */
  ports?: Partial<Record<ExampleSubgraphName | 'pricing', number>>;
  /** Passed to the inventory subgraph. @default {} */
  inventory?: inventory.InventoryOptions;
  /** Passed to the legacy pricing REST service (subgraphs/legacy-pricing/). @default {} */
  pricing?: legacyPricing.LegacyPricingOptions;
}

export interface ExampleSubgraphs {
  /** `http://HOST:PORT/graphql` per subgraph, plus the legacy REST service's base URL as `pricing` (PRICING_URL). */
  urls: Record<ExampleSubgraphName | 'pricing', string>;
  /** The running servers, e.g. to stop one and see how the gateway copes. */
  servers: Record<ExampleSubgraphName, SubgraphServer> & { pricing: legacyPricing.LegacyPricingServer };
  /** Stops all four; idle keep-alive connections included. */
  close(): Promise<void>;
}

export async function startExampleSubgraphs(opts: StartExampleSubgraphsOptions = {}): Promise<ExampleSubgraphs> {
  const { host = '127.0.0.1', ports = {} } = opts;
  const started = await Promise.allSettled([
    accounts.start(ports.accounts ?? 0, host),
    products.start(ports.products ?? 0, host),
    reviews.start(ports.reviews ?? 0, host),
    inventory.start(ports.inventory ?? 0, host, opts.inventory),
    legacyPricing.start(ports.pricing ?? 0, host, opts.pricing),
  ]);
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    // Don't leak the ones that did start (e.g. one port was taken).
    await Promise.allSettled(running.map((server) => server.close()));
    throw failure.reason;
  }
  const [accountsServer, productsServer, reviewsServer, inventoryServer] = running as SubgraphServer[];
  const pricingServer = running[4] as legacyPricing.LegacyPricingServer;
  const servers = {
    accounts: accountsServer,
    products: productsServer,
    reviews: reviewsServer,
    inventory: inventoryServer,
    pricing: pricingServer,
  };
  return {
    servers,
    urls: {
      accounts: accountsServer.url,
      products: productsServer.url,
      reviews: reviewsServer.url,
      inventory: inventoryServer.url,
      pricing: pricingServer.url,
    },
    async close() {
      await Promise.all(running.map((server) => server.close()));
    },
  };
}

// `node dist/subgraphs/index.js`: all four on their well-known ports (4101–4104), for local development.
if (require.main === module) {
  const ports = { ...Object.fromEntries(EXAMPLE_SUBGRAPHS.map(({ name, defaultPort }) => [name, defaultPort])), pricing: legacyPricing.DEFAULT_PORT };
  runUntilSignal(
    'example subgraphs',
    () => startExampleSubgraphs({ host: hostFromEnv(), ports }),
    (subgraphs) => Object.entries(subgraphs.urls).map(([name, url]) => `${name} subgraph listening on ${url}`),
  );
}
