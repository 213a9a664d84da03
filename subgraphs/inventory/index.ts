// inventory subgraph: schema, resolvers and server. Owns stock per facility, Product.inStock (overriding products)
// and Product.shippingEstimate (@requires price and weight); Facility is an interface entity keyed by region + code.
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { runStandalone } from '../lib/runStandalone';
import { loadSubgraphTypeDefs } from '../lib/schemaFile';
import { serveSubgraph, type SubgraphServer } from '../lib/serveSubgraph';
import { withSyncEntities } from '../lib/syncEntities';
import { FACILITIES, STOCK, type FacilityRecord } from './data';

export const NAME = 'inventory';
export const DEFAULT_PORT = 4104;

export interface InventoryOptions {
  /**
   * Compute shippingEstimate from the price and weight the gateway sends for `@requires(fields: "price weight")`.
   * Off by default to match the public benchmark, whose inventory resolves a product reference from its own table
   * (where price and weight are unknown) and drops the rest of the representation: every estimate there is null,
   * and expected.json says so. Turn it on to check that a gateway really delivers required fields.
   * @default false
   */
  useRequiredFields?: boolean;
}

interface StockLevelSource {
  location: FacilityRecord;
  quantity: number;
}

interface ProductSource {
  upc: string;
  inStock: boolean;
  stock: StockLevelSource[];
  /** What this subgraph knows of the @external fields: nothing, unless taken from the representation. */
  price: number | null;
  weight: number | null;
}

interface ProductReference {
  upc: string;
  price?: number | null;
  weight?: number | null;
}

// Copies, so that tagging entities with __typename (see lib/syncEntities.ts) never touches data.ts's records.
const facilities: FacilityRecord[] = FACILITIES.map((facility) => ({ ...facility }));
const facilitiesByKey = new Map(facilities.map((facility) => [facilityKey(facility.region, facility.code), facility]));
const productsByUpc = new Map<string, ProductSource>();
for (const { upc, region, code, quantity } of STOCK) {
  const location = facilitiesByKey.get(facilityKey(region, code));
  if (location === undefined) throw new Error(`inventory data: stock of ${upc} at unknown facility ${region}/${code}`);
  let product = productsByUpc.get(upc);
  if (product === undefined) {
    product = { upc, inStock: false, stock: [], price: null, weight: null };
    productsByUpc.set(upc, product);
  }
  product.stock.push({ location, quantity });
  product.inStock ||= quantity > 0;
}

function facilityKey(region: string, code: string): string {
  return `${region}/${code}`;
}

function facilityOfType(
  typename: FacilityRecord['__typename'] | undefined,
  ref: { region: string; code: string },
): FacilityRecord | null {
  const facility = facilitiesByKey.get(facilityKey(ref.region, ref.code));
  return facility !== undefined && (typename === undefined || facility.__typename === typename) ? facility : null;
}

/** The benchmark's rule: free shipping above a price of 1000, else half the weight; null while either is unknown. */
export function estimateShipping(price: number | null, weight: number | null): number | null {
  if (price === null) return null;
  if (price > 1000) return 0;
  return weight === null ? null : Math.trunc(weight / 2);
}

export function buildSchema(options: InventoryOptions = {}): GraphQLSchema {
  const useRequiredFields = options.useRequiredFields ?? false;
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs(NAME),
    resolvers: {
      Query: {
        facilities: (): FacilityRecord[] => facilities,
        facility: (_: unknown, args: { region: string; code: string }): FacilityRecord | null =>
          facilityOfType(undefined, args),
      },
      Product: {
        // The gateway sends price and weight whenever shippingEstimate is selected (@requires). By default we answer
        // from our own record, as the benchmark does, so they never reach shippingEstimate: see InventoryOptions.
        __resolveReference: (ref: ProductReference): ProductSource | null => {
          const product = productsByUpc.get(ref.upc);
          if (product === undefined || !useRequiredFields) return product ?? null;
          return { ...product, price: ref.price ?? null, weight: ref.weight ?? null };
        },
        shippingEstimate: (product: ProductSource): number | null => estimateShipping(product.price, product.weight),
      },
      // Facility is an interface entity: the gateway may send "Facility" representations (e.g. to reach a
      // facility's name from accounts' @interfaceObject), and the record's __typename picks the concrete type.
      Facility: {
        __resolveReference: (ref: { region: string; code: string }) => facilityOfType(undefined, ref),
      },
      Warehouse: {
        __resolveReference: (ref: { region: string; code: string }) => facilityOfType('Warehouse', ref),
      },
      Store: {
        __resolveReference: (ref: { region: string; code: string }) => facilityOfType('Store', ref),
      },
    },
  });
  return withSyncEntities(schema);
}

export function start(port = 0, host = '127.0.0.1', options: InventoryOptions = {}): Promise<SubgraphServer> {
  return serveSubgraph({ name: NAME, schema: buildSchema(options), port, host });
}

if (require.main === module) runStandalone(NAME, DEFAULT_PORT, start);
