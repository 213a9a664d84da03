// withSyncEntities must answer `_entities` exactly like @apollo/subgraph's own resolver: same data, same errors,
// for object, interface, async and unknown entities.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { withSyncEntities } from './syncEntities';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key"])
  type Query { ping: String }
  type Book @key(fields: "id") { id: ID! title: String }
  type Film @key(fields: "id") { id: ID! title: String }
  type Stub @key(fields: "id") { id: ID! }
  interface Media @key(fields: "id") { id: ID! title: String }
  type Song implements Media @key(fields: "id") { id: ID! title: String }
`);

const books: Record<string, { id: string; title: string }> = { b1: { id: 'b1', title: 'Dune' } };

function build(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Book: { __resolveReference: (ref: { id: string }) => books[ref.id] ?? null },
      Film: { __resolveReference: async (ref: { id: string }) => ({ id: ref.id, title: `film ${ref.id}` }) },
      Media: { __resolveReference: (ref: { id: string }) => ({ __typename: 'Song', id: ref.id, title: 'a song' }) },
    },
  });
}

const query = parse(`query ($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on Book { title }
    ... on Film { title }
    ... on Media { title }
    ... on Stub { id }
  }
}`);

async function run(schema: GraphQLSchema, representations: unknown[]) {
  return JSON.parse(JSON.stringify(await execute({ schema, document: query, variableValues: { r: representations } })));
}

describe('withSyncEntities', () => {
  test.each([
    ['object, async, interface and resolver-less entities', [
      { __typename: 'Book', id: 'b1' },
      { __typename: 'Film', id: 'f1' },
      { __typename: 'Media', id: 'm1' },
      { __typename: 'Stub', id: 's1' },
      { __typename: 'Book', id: 'missing' },
      { __typename: 'Book', id: 'b1' },
    ]],
    ['an unknown __typename', [{ __typename: 'Book', id: 'b1' }, { __typename: 'Nope', id: 'x' }]],
    ['a representation without __typename', [{ id: 'b1' }]],
  ])('answers like @apollo/subgraph for %s', async (_case, representations) => {
    expect(await run(withSyncEntities(build()), representations)).toEqual(await run(build(), representations));
  });

  test('resolves object entities without promises', () => {
    const result = execute({
      schema: withSyncEntities(build()),
      document: query,
      variableValues: { r: [{ __typename: 'Book', id: 'b1' }, { __typename: 'Stub', id: 's1' }] },
    });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({
      data: { _entities: [{ __typename: 'Book', title: 'Dune' }, { __typename: 'Stub', id: 's1' }] },
    });
  });
});
