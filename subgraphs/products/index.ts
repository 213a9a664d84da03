// products subgraph: schema, resolvers and server. Products resolve by either key (upc or sku); resolvers return
// objects built once at load.
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { runStandalone } from '../lib/runStandalone';
import { loadSubgraphTypeDefs } from '../lib/schemaFile';
import { serveSubgraph, type SubgraphServer } from '../lib/serveSubgraph';
import { withSyncEntities } from '../lib/syncEntities';
import { PRODUCTS, type ProductRecord } from './data';

export const NAME = 'products';
export const DEFAULT_PORT = 4102;

// Copies, so that tagging entities with __typename (see lib/syncEntities.ts) never touches data.ts's records.
const products: ProductRecord[] = PRODUCTS.map((product) => ({ ...product }));
const productsByUpc = new Map(products.map((product) => [product.upc, product]));
const productsBySku = new Map(products.map((product) => [product.sku, product]));

/** A Product representation carries whichever key the gateway chose to enter this subgraph with. */
type ProductReference = { upc: string } | { sku: string };

export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs(NAME),
    resolvers: {
      Query: {
        topProducts: (_: unknown, args: { first?: number | null }): ProductRecord[] => {
          const first = Math.max(0, args.first ?? 5);
          return first >= products.length ? products : products.slice(0, first);
        },
        product: (_: unknown, args: { upc: string }): ProductRecord | null => productsByUpc.get(args.upc) ?? null,
      },
      Product: {
        // Cost is a fixed share of the list price in this example.
        costPrice: (product: ProductRecord): number => Math.round(product.price * 0.6),
        __resolveReference: (ref: ProductReference): ProductRecord | null =>
          ('upc' in ref ? productsByUpc.get(ref.upc) : productsBySku.get(ref.sku)) ?? null,
      },
    },
  });
  return withSyncEntities(schema);
}

export function start(port = 0, host = '127.0.0.1'): Promise<SubgraphServer> {
  return serveSubgraph({ name: NAME, schema: buildSchema(), port, host });
}

if (require.main === module) runStandalone(NAME, DEFAULT_PORT, start);
