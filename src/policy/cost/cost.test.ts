// The cost estimate and the actual cost against Apollo's documented examples and the other rules of the cost spec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse, type OperationDefinitionNode } from 'graphql';
import { composeSupergraph } from '../../compose/compose';
import { walkOperation, type FieldOccurrence } from '../walk';
import { actualCost } from './actual';
import { readCostDirectives } from './directives';
import { estimateCost } from './estimate';
import { buildCostModel, type CostSchema } from './model';
import { collectEntityFetches, EntityFetchPlanner, estimatedEntityCost } from './queryPlan';

const BOOKS = readFileSync(join(__dirname, 'fixtures', 'books.graphql'), 'utf8');
const PRICES = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Book @key(fields: "id") { id: ID! price: Int }
`;
const composed = composeSupergraph([
  { name: 'books', url: 'http://books', sdl: BOOKS },
  { name: 'prices', url: 'http://prices', sdl: PRICES },
]);
if (!composed.ok) throw new Error(JSON.stringify(composed.errors));
const supergraphSdl = composed.supergraphSdl;
const apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const costSchema = (listSize = 10): CostSchema => ({ schema: apiSchema, directives: readCostDirectives(supergraphSdl), listSize, requiresCache: new Map() });

function prepare(query: string, variables: Record<string, unknown> = {}, listSize = 10) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const walk = walkOperation(apiSchema, document, operation, variables);
  const schema = costSchema(listSize);
  const model = buildCostModel(walk.occurrences, operation, schema);
  return { walk, schema, model, document };
}

function estimate(query: string, variables: Record<string, unknown> = {}, listSize = 10, excluded?: (o: FieldOccurrence) => boolean) {
  const { walk, schema, model } = prepare(query, variables, listSize);
  const set = excluded ? new Set(walk.occurrences.filter(excluded)) : undefined;
  return estimateCost(model, schema, variables, set);
}

const BOOK_FIELDS = 'title author { name } publisher { name address { zipCode } }';

describe('estimateCost: Apollo’s documented examples', () => {
  it('costs objects 1 and scalars 0', () => {
    expect(estimate('{ book(id: 1) { title author { name } publisher { name } } }').cost).toBe(3);
  });

  it('uses @cost on a type: one book with Address @cost(weight: 5) = 8', () => {
    expect(estimate(`query BookQuery { book(id: 1) { ${BOOK_FIELDS} } }`).cost).toBe(8);
  });

  it('multiplies by @listSize(assumedSize: 5): bestsellers = 40', () => {
    expect(estimate(`query BestsellersQuery { bestsellers { ${BOOK_FIELDS} } }`).cost).toBe(40);
  });

  it('multiplies by the slicing argument: newestAdditions(limit: 3) = 24, limit 7 = 56', () => {
    expect(estimate(`{ newestAdditions(limit: 3) { ${BOOK_FIELDS} } }`).cost).toBe(24);
    expect(estimate(`{ newestAdditions(limit: 7) { ${BOOK_FIELDS} } }`).cost).toBe(56);
  });

  it('reads the slicing argument from variables', () => {
    const query = `query ($n: Int!) { newestAdditions(limit: $n) { ${BOOK_FIELDS} } }`;
    expect(estimate(query, { n: 3 }).cost).toBe(24);
    expect(estimate(query, { n: 10 }).cost).toBe(80);
  });

  it('uses the configured list size for lists without @listSize', () => {
    expect(estimate(`{ unsized { ${BOOK_FIELDS} } }`, {}, 5).cost).toBe(40);
    expect(estimate(`{ unsized { ${BOOK_FIELDS} } }`, {}, 10).cost).toBe(80);
  });
});

describe('estimateCost: the other rules', () => {
  it('adds 10 for a mutation, and input object arguments (1 each)', () => {
    expect(estimate('mutation { addBook(input: { title: "x" }) { title } }').cost).toBe(10 + 1 + 1);
  });

  it('weighs arguments once per parent instance: input objects, @cost on input fields and list arguments', () => {
    // search: 2 books (assumedSize) × 1 + filter (1 + year 3) + tags (list @cost 2 + 2 per item)
    expect(estimate('{ search(filter: { title: "a", year: 1999 }, tags: ["x", "y"]) { title } }').cost).toBe(2 + 4 + 6);
    expect(estimate('query ($f: Filter) { search(filter: $f) { title } }', { f: { year: 2000 } }).cost).toBe(2 + 4);
    expect(estimate('{ search(filter: null) { title } }').cost).toBe(2);
  });

  it('passes the slicing size to sizedFields and refuses ambiguous slicing', () => {
    // authors: 1 connection + 4 edges × (1 edge + 1 author)
    expect(estimate('{ authors(first: 4) { total edges { node { name } } } }').cost).toBe(1 + 4 * 2);
    expect(estimate('{ authors { edges { node { name } } } }').problems).toEqual(['Query.authors: exactly one slicing argument (first, last) must be given, found 0']);
    expect(estimate('{ authors(first: 1, last: 2) { total } }').problems).toHaveLength(1);
  });

  it('counts a slicing argument’s default value; requireOneSlicingArgument: false allows none', () => {
    expect(estimate('{ paged { title } }').cost).toBe(4);
    expect(estimate('{ paged(first: 2) { title } }').cost).toBe(2);
    expect(estimate('{ paged(first: null) { title } }').problems).toEqual([]);
  });

  it('honours @skip/@include (with variables) and counts aliases and fragments per occurrence', () => {
    const query = 'query ($full: Boolean!) { book { author @include(if: $full) { name } publisher { name } } }';
    expect(estimate(query, { full: true }).cost).toBe(3);
    expect(estimate(query, { full: false }).cost).toBe(2);
    expect(estimate('{ a: book { title } b: book { ...B } } fragment B on Book { author { name } }').cost).toBe(3);
  });

  it('counts every type-conditioned selection of an abstract list', () => {
    expect(estimate('{ media { id ... on Film { director { name } } ... on Song { length } } }').cost).toBe(3 + 3);
  });

  it('adds the cost of a @requires selection the planner fetches', () => {
    const { schema } = prepare('{ book { shipping } }');
    expect(schema.directives.requires.get('Book.shipping')).toBe('price');
    expect(estimate('{ bestsellers { shipping } }').cost).toBe(5);
  });

  it('leaves out fields the caller may not see', () => {
    expect(estimate(`{ bestsellers { ${BOOK_FIELDS} } }`, {}, 10, (o) => o.coordinate === 'Book.publisher').cost).toBe(10);
  });
});

describe('actualCost', () => {
  const book = { title: 'Gatsby', author: { name: 'F' }, publisher: { name: 'S', address: { zipCode: 1 } } };

  it('weighs what came back: one bestseller of five = 8', () => {
    const { model, schema } = prepare(`{ bestsellers { ${BOOK_FIELDS} } }`);
    const est = estimateCost(model, schema, {});
    expect(actualCost(model, est, { bestsellers: [book] })).toBe(8);
    expect(actualCost(model, est, { bestsellers: [] })).toBe(0);
    expect(actualCost(model, est, { bestsellers: [{ ...book, publisher: null }] })).toBe(2);
  });

  it('charges arguments and the mutation base as the estimate does', () => {
    const { model, schema } = prepare('mutation { addBook(input: { title: "x" }) { title } }');
    expect(actualCost(model, estimateCost(model, schema, {}), { addBook: { title: 'x' } })).toBe(12);
  });

  it('follows __typename through fragments on abstract types', () => {
    const { model, schema } = prepare('{ media { __typename ... on Film { director { name } } } }');
    const est = estimateCost(model, schema, {});
    expect(actualCost(model, est, { media: [{ __typename: 'Film', director: { name: 'x' } }, { __typename: 'Song' }] })).toBe(3);
  });

  it('skips fields removed after the estimate', () => {
    const { model, schema, walk } = prepare(`{ book { ${BOOK_FIELDS} } }`);
    const removed = new Set(walk.occurrences.filter((o) => o.coordinate === 'Book.publisher'));
    expect(actualCost(model, estimateCost(model, schema, {}), { book: { ...book, publisher: null } }, removed)).toBe(2);
  });
});

describe('planned strategy: entity fetches', () => {
  it('finds the entity fetches of the query plan and prices each representation', () => {
    const planner = new EntityFetchPlanner(supergraphSdl);
    const { document, model, schema } = prepare('{ bestsellers { title price } book { price } }');
    const fetches = planner.entityFetches(document, undefined);
    expect(fetches.map((f) => f.path.join('.')).sort()).toEqual(['bestsellers.@', 'book']);
    const est = estimateCost(model, schema, {});
    expect(estimatedEntityCost(fetches, model, est, {}, 1)).toBe(5 + 1);
    expect(estimatedEntityCost(fetches, model, est, {}, 3)).toBe(18);
  });

  it('keeps conditions of the plan', () => {
    const plan = { kind: 'QueryPlan' as const, node: { kind: 'Condition' as const, condition: 'x', ifClause: { kind: 'Flatten' as const, path: ['a', '@'], node: { kind: 'Fetch' as const, serviceName: 's', requires: [], operation: '', operationName: undefined, operationKind: 'query' as never } } } };
    expect(collectEntityFetches(plan)).toEqual([{ path: ['a', '@'], condition: { variable: 'x', when: true } }]);
  });
});
