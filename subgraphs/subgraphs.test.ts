// The example subgraphs over real HTTP on 127.0.0.1: each on its own, composed with @apollo/composition, and behind
// @apollo/gateway, where the benchmark query must return exactly the benchmark's expected.json.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { relaxTollgateEnforcedLinks } from '../src/compose/securityLinks';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { EXAMPLE_SUBGRAPHS, startExampleSubgraphs, type ExampleSubgraphName, type ExampleSubgraphs } from './index';
import { estimateShipping } from './inventory';

// The repo's copy of the public benchmark's fixtures (same files as /work/shared/bench-fixtures).
const FIXTURES = resolve(__dirname, '..', 'bench', 'fixtures');
const benchmarkQuery = readFileSync(resolve(FIXTURES, 'query.graphql'), 'utf8');
const expectedJson = readFileSync(resolve(FIXTURES, 'expected.json'), 'utf8');
const directRequest = readFileSync(resolve(FIXTURES, 'direct-request.json'), 'utf8');

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

async function post(url: string, body: string | object, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as GraphQLResponse;
}

async function servedSdl(name: ExampleSubgraphName): Promise<string> {
  const result = await post(subgraphs.urls[name], { query: '{ _service { sdl } }' });
  return (result.data?._service as { sdl: string }).sdl;
}

/** Composes from the schema.graphql files, or from the given SDL per subgraph. */
function compose(urls: Record<ExampleSubgraphName, string>, sdls?: Record<ExampleSubgraphName, string>) {
  return composeServices(
    EXAMPLE_SUBGRAPHS.map(({ name, schemaPath }) => ({
      name,
      typeDefs: parse(sdls?.[name] ?? readFileSync(schemaPath, 'utf8')),
      url: urls[name],
    })),
  );
}

/** Apollo Server + ApolloGateway (default RemoteGraphQLDataSource) in front of running subgraphs. */
async function startGateway(urls: Record<ExampleSubgraphName, string>) {
  const { supergraphSdl: composed, errors } = compose(urls);
  if (composed === undefined) throw new Error(`composition failed: ${errors?.map((e) => e.message).join('; ')}`);
  // The examples use @authenticated etc., which Tollgate enforces; plain ApolloGateway loads them once relaxed.
  const supergraphSdl = relaxTollgateEnforcedLinks(composed);
  const quiet = { debug() {}, info() {}, warn: console.warn, error: console.error };
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl, logger: quiet }), logger: quiet });
  await server.start();
  return {
    async execute(query: string): Promise<GraphQLResponse> {
      const response = await server.executeOperation({ query });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult as GraphQLResponse;
    },
    stop: () => server.stop(),
  };
}

let subgraphs: ExampleSubgraphs;

beforeAll(async () => {
  // Read by Apollo Server at construction; tests must not phone home.
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  subgraphs = await startExampleSubgraphs();
});

afterAll(() => subgraphs.close());

describe('each subgraph on its own', () => {
  test.each(EXAMPLE_SUBGRAPHS.map(({ name }) => name))('%s serves its SDL as _service { sdl }', async (name) => {
    const sdl = await servedSdl(name);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.14"');
    expect(sdl).toContain('@key(fields:');
  });

  test('accounts lists the six benchmark users', async () => {
    // `me` is whoever the gateway says is calling (the forwarded JWT subject).
    const result = await post(subgraphs.urls.accounts, { query: '{ users { id username name } me { id } }' }, { 'x-user-id': '1' });
    expect(result.errors).toBeUndefined();
    expect((result.data?.users as unknown[]).length).toBe(6);
    expect(result.data?.me).toEqual({ id: '1' });
  });

  test('products resolves topProducts and entities by either key', async () => {
    const result = await post(subgraphs.urls.products, {
      query: `query ($r: [_Any!]!) {
        topProducts(first: 2) { upc name price weight }
        _entities(representations: $r) { ... on Product { upc sku name } }
      }`,
      variables: {
        r: [
          { __typename: 'Product', sku: 'ELEC-TV-01' },
          { __typename: 'Product', upc: '3' },
        ],
      },
    });
    expect(result).toEqual({
      data: {
        topProducts: [
          { upc: '1', name: 'Table', price: 899, weight: 100 },
          { upc: '2', name: 'Couch', price: 1299, weight: 1000 },
        ],
        _entities: [
          { upc: '5', sku: 'ELEC-TV-01', name: 'TV' },
          { upc: '3', sku: 'KITCH-GLASS-01', name: 'Glass' },
        ],
      },
    });
  });

  test('reviews resolves a review with its product and provided author', async () => {
    const result = await post(subgraphs.urls.reviews, {
      query: '{ review(id: "11") { id product { upc reviews { id } } author { id username } } }',
    });
    expect(result).toEqual({
      data: {
        review: {
          id: '11',
          product: { upc: '4', reviews: [{ id: '10' }, { id: '11' }] },
          author: { id: '1', username: 'urigo' },
        },
      },
    });
  });

  test('reviews answers the benchmark direct request (User entities, nested four levels)', async () => {
    const result = await post(subgraphs.urls.reviews, directRequest);
    expect(result.errors).toBeUndefined();
    const users = result.data?._entities as { id: string; username: string; reviews: { product: { upc: string } }[] }[];
    expect(users.map((user) => `${user.id}:${user.username}`)).toEqual([
      '1:urigo',
      '2:dotansimha',
      '3:kamilkisiela',
      '4:ardatan',
      '5:gilgardosh',
      '6:laurin',
    ]);
    for (const user of users) expect(user.reviews.map((review) => review.product.upc)).toEqual(['1', '1']);
  });

  test('inventory resolves facilities as an interface, by interface and by concrete representations', async () => {
    const result = await post(subgraphs.urls.inventory, {
      query: `query ($r: [_Any!]!) {
        facilities { __typename code }
        _entities(representations: $r) {
          ... on Facility { __typename name }
          ... on Warehouse { capacity }
          ... on Store { openingHours }
        }
      }`,
      variables: {
        r: [
          { __typename: 'Facility', region: 'eu-central', code: 'BER-S1' },
          { __typename: 'Warehouse', region: 'us-east', code: 'EWR2' },
          { __typename: 'Warehouse', region: 'eu-central', code: 'BER-S1' }, // a store, not a warehouse
        ],
      },
    });
    expect(result).toEqual({
      data: {
        facilities: [
          { __typename: 'Warehouse', code: 'FRA1' },
          { __typename: 'Warehouse', code: 'EWR2' },
          { __typename: 'Store', code: 'BER-S1' },
        ],
        _entities: [
          { __typename: 'Store', name: 'Berlin showroom', openingHours: 'Mo-Sa 10:00-20:00' },
          { __typename: 'Warehouse', name: 'Newark distribution centre', capacity: 8000 },
          null,
        ],
      },
    });
  });

  test('inventory, like the benchmark, ignores the price and weight it is sent for shippingEstimate', async () => {
    const result = await post(subgraphs.urls.inventory, {
      query: `query ($r: [_Any!]!) {
        _entities(representations: $r) { ... on Product { upc inStock shippingEstimate } }
      }`,
      variables: { r: [{ __typename: 'Product', upc: '1', price: 899, weight: 100 }] },
    });
    expect(result).toEqual({ data: { _entities: [{ upc: '1', inStock: true, shippingEstimate: null }] } });
  });

  test('accounts adds managers to facilities through @interfaceObject', async () => {
    const result = await post(subgraphs.urls.accounts, {
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Facility { code manager { name } } } }',
      variables: {
        r: [
          { __typename: 'Facility', region: 'eu-central', code: 'FRA1' },
          { __typename: 'Facility', region: 'eu-central', code: 'NEW' },
        ],
      },
    });
    expect(result).toEqual({
      data: { _entities: [{ code: 'FRA1', manager: { name: 'Kamil Kisiela' } }, { code: 'NEW', manager: null }] },
    });
  });

  test('estimateShipping follows the benchmark rule', () => {
    expect(estimateShipping(899, 100)).toBe(50);
    expect(estimateShipping(1299, 1000)).toBe(0);
    expect(estimateShipping(15, 21)).toBe(10);
    expect(estimateShipping(null, 100)).toBeNull();
    expect(estimateShipping(15, null)).toBeNull();
  });
});

describe('composition', () => {
  test('the four SDLs compose, with only the hint that products still defines the overridden inStock', () => {
    const result = compose(subgraphs.urls);
    expect(result.errors).toBeUndefined();
    expect((result.hints ?? []).map((hint) => hint.definition.code)).toEqual(['OVERRIDDEN_FIELD_CAN_BE_REMOVED']);
  });

  test('the SDLs served as _service { sdl } compose into the same supergraph as the files', async () => {
    const entries = await Promise.all(EXAMPLE_SUBGRAPHS.map(async ({ name }) => [name, await servedSdl(name)]));
    const served = compose(subgraphs.urls, Object.fromEntries(entries) as Record<ExampleSubgraphName, string>);
    expect(served.errors).toBeUndefined();
    expect(served.supergraphSdl).toBe(compose(subgraphs.urls).supergraphSdl);
  });
});

describe('behind @apollo/gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    gateway = await startGateway(subgraphs.urls);
  });

  afterAll(() => gateway.stop());

  test('the benchmark query returns exactly expected.json', async () => {
    const result = await gateway.execute(benchmarkQuery);
    expect(result.errors).toBeUndefined();
    expect(result).toEqual(JSON.parse(expectedJson));
    // Same keys in the same order, so the serialised answers match too.
    expect(JSON.stringify(result)).toBe(JSON.stringify(JSON.parse(expectedJson)));
  });

  test('joins over three hops: review → product → stock at a facility → its manager', async () => {
    const result = await gateway.execute(`{
      review(id: "3") {
        author { name }
        product {
          name
          stock {
            quantity
            location {
              __typename
              name
              ... on Warehouse { capacity }
              ... on Store { openingHours }
              manager { username name }
            }
          }
        }
      }
    }`);
    expect(result).toEqual({
      data: {
        review: {
          author: { name: 'Uri Goldshtein' },
          product: {
            name: 'Table',
            stock: [
              {
                quantity: 12,
                location: {
                  __typename: 'Warehouse',
                  name: 'Frankfurt fulfilment centre',
                  capacity: 12000,
                  manager: { username: 'kamilkisiela', name: 'Kamil Kisiela' },
                },
              },
              {
                quantity: 2,
                location: {
                  __typename: 'Store',
                  name: 'Berlin showroom',
                  openingHours: 'Mo-Sa 10:00-20:00',
                  manager: { username: 'laurin', name: 'Laurin Quast' },
                },
              },
            ],
          },
        },
      },
    });
  });

  test('enters products by SKU (second key) from accounts, then inventory by upc', async () => {
    const result = await gateway.execute(`{
      user(id: "4") {
        wishlist { sku upc name inStock shippingEstimate stock { location { code manager { username } } } }
      }
    }`);
    expect(result).toEqual({
      data: {
        user: {
          wishlist: [
            {
              sku: 'FURN-CHAIR-01',
              upc: '4',
              name: 'Chair',
              inStock: false,
              shippingEstimate: null,
              stock: [{ location: { code: 'FRA1', manager: { username: 'kamilkisiela' } } }],
            },
            {
              sku: 'FURN-TABLE-01',
              upc: '1',
              name: 'Table',
              inStock: true,
              shippingEstimate: null,
              stock: [
                { location: { code: 'FRA1', manager: { username: 'kamilkisiela' } } },
                { location: { code: 'BER-S1', manager: { username: 'laurin' } } },
              ],
            },
          ],
        },
      },
    });
  });

  test('reaches facilities from accounts-only fields and back (interface entity + @interfaceObject)', async () => {
    const result = await gateway.execute('{ facilities { code manager { name } } }');
    expect(result).toEqual({
      data: {
        facilities: [
          { code: 'FRA1', manager: { name: 'Kamil Kisiela' } },
          { code: 'EWR2', manager: { name: 'Dotan Simha' } },
          { code: 'BER-S1', manager: { name: 'Laurin Quast' } },
        ],
      },
    });
  });
});

describe('behind @apollo/gateway, inventory using the fields @requires sends', () => {
  test('shippingEstimate is computed from the price and weight the gateway fetched from products', async () => {
    const own = await startExampleSubgraphs({ inventory: { useRequiredFields: true } });
    const gateway = await startGateway(own.urls);
    try {
      const result = await gateway.execute('{ topProducts { upc price weight shippingEstimate } }');
      expect(result.errors).toBeUndefined();
      expect(result.data?.topProducts).toEqual([
        { upc: '1', price: 899, weight: 100, shippingEstimate: 50 },
        { upc: '2', price: 1299, weight: 1000, shippingEstimate: 0 },
        { upc: '3', price: 15, weight: 20, shippingEstimate: 10 },
        { upc: '4', price: 499, weight: 100, shippingEstimate: 50 },
        { upc: '5', price: 1299, weight: 1000, shippingEstimate: 0 },
      ]);
    } finally {
      await gateway.stop();
      await own.close();
    }
  });
});
