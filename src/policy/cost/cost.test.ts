// The cost estimate and the actual cost against Apollo's documented examples and the other rules of the cost spec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { composeSupergraph } from '../../compose/compose';
import { walkOperation, type FieldOccurrence } from '../walk';
import { actualCost } from './actual';
import { costConfig } from './config';
import { readCostDirectives } from './directives';
import { estimateCost, MAX_ESTIMATE, MAX_SLICING_SIZE } from './estimate';
import { buildCostModel, type CostSchema } from './model';
import { CostPolicy, estimateCacheKey } from './policy';
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

/** Seeded, so a failure replays: mulberry32. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

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

  it('weighs the executor\'s merged tree as the shaped answer: a missing field is the answer\'s null, extra fields are not read', () => {
    const query = `{ search(tags: ["a"]) { title author { name related { name } } publisher { name address { zipCode } } } media { ... on Film { director { name } } } }`;
    const { model, schema } = prepare(query);
    const est = estimateCost(model, schema, {});
    const next = random(7);
    const pick = <T>(values: T[]): T => values[Math.floor(next() * values.length)];
    // Each generated answer twice: shaped (every selected field present, null where nothing came back) and merged
    // (those nulls sometimes missing; keys, __typename and planner-only fields added; an own `constructor` key never read).
    type Both = { shaped: unknown; merged: unknown };
    const pair = (selected: Record<string, Both | Both[] | null>, extra: Record<string, unknown>): Both => {
      const shaped: Record<string, unknown> = {};
      const merged: Record<string, unknown> = { ...extra };
      for (const [key, value] of Object.entries(selected)) {
        if (value === null) {
          shaped[key] = null;
          if (next() < 0.5) merged[key] = null;
        } else if (Array.isArray(value)) {
          shaped[key] = value.map((v) => v.shaped);
          merged[key] = value.map((v) => v.merged);
        } else {
          shaped[key] = value.shaped;
          merged[key] = value.merged;
        }
      }
      return { shaped, merged };
    };
    const leaf = (value: unknown): Both | null => (value === null ? null : { shaped: value, merged: value });
    const address = () => pick([null, pair({ zipCode: leaf(1) }, { __typename: 'Address' })]);
    const publisher = () => pick([null, pair({ name: leaf(pick(['S', null])), address: address() }, { id: 'p' })]);
    const author = (depth: number): Both | null => pick([null, pair({ name: leaf('F'), related: depth > 0 ? pick([null, Array.from({ length: Math.floor(next() * 3) }, () => author(depth - 1) ?? { shaped: null, merged: null })]) : null }, { constructor: 'x' })]);
    const book = (): Both => pick([{ shaped: null, merged: null }, pair({ title: leaf(pick(['T', null])), author: author(1), publisher: publisher() }, { __typename: 'Book', id: '1', price: 3 })]);
    const medium = (): Both => pick([pair({ director: pick([null, pair({ name: leaf('D') }, {})]) }, { __typename: 'Film' }), pair({}, { __typename: 'Song', director: [{ name: 'not a film' }] })]);
    for (let i = 0; i < 300; i++) {
      const { shaped, merged } = pair({ search: pick([null, Array.from({ length: Math.floor(next() * 4) }, book)]), media: Array.from({ length: Math.floor(next() * 3) }, medium) }, {});
      expect(actualCost(model, est, merged, undefined, true)).toBe(actualCost(model, est, shaped));
    }
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

describe('hostile slicing arguments (issue 10, item 2)', () => {
  it('refuses a negative size instead of letting it cancel another field: the a/b alias query', () => {
    const literal = estimate(`{ a: newestAdditions(limit: 100) { ${BOOK_FIELDS} } b: newestAdditions(limit: -100) { ${BOOK_FIELDS} } }`);
    expect(literal.problems).toEqual(['Query.newestAdditions: slicing argument limit must be a whole number from 0 to 2147483647, got -100']);
    // Sized as if the value were absent (cost.listSize 10): never below `a` alone (800), no field below 0.
    expect(literal.cost).toBe(800 + 80);
    expect(Math.min(...literal.instances)).toBeGreaterThanOrEqual(0);
    const query = `query ($a: Int!, $b: Int!) { a: newestAdditions(limit: $a) { ${BOOK_FIELDS} } b: newestAdditions(limit: $b) { ${BOOK_FIELDS} } }`;
    const variables = estimate(query, { a: 100, b: -100 });
    expect(variables.problems).toEqual(literal.problems);
    expect(variables.cost).toBe(literal.cost);
  });

  it('refuses fractions, 2^31 and more given to an Int slicing argument through variables (they arrive uncoerced)', () => {
    for (const value of [2.5, -0.5, 1e300, -1e300, 2 ** 31, Number.MAX_SAFE_INTEGER + 2, '7']) {
      const result = estimate('query ($v: Int) { paged(first: $v) { title } }', { v: value });
      expect(result.problems).toEqual([expect.stringContaining('Query.paged: slicing argument first must be a whole number from 0 to 2147483647, got ')]);
      expect(result.cost).toBe(10);
      // As a literal, Int coercion drops the argument (validation refuses the request): sized as if absent, not lower.
      if (typeof value === 'number') expect(estimate(`{ paged(first: ${value}) { title } }`).cost).toBe(10);
    }
  });

  it('refuses any other value that reaches the estimate (composition allows only Int, the estimate does not rely on it)', () => {
    // Plain SDL (no composition): a Float and a custom scalar as slicing arguments, so any JSON value gets through.
    const sdl = `
      directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
      scalar Count
      type Query { ranked(top: Float): [Item] @listSize(slicingArguments: ["top"]) windowed(size: Count): [Item] @listSize(slicingArguments: ["size"], assumedSize: 3, requireOneSlicingArgument: false) }
      type Item { related(first: Count): [Item] @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) name: String }
    `;
    const schema = buildSchema(sdl);
    const plainCost: CostSchema = { schema, directives: readCostDirectives(sdl), listSize: 10, requiresCache: new Map() };
    const run = (query: string, variables: Record<string, unknown>) => {
      const document = parse(query);
      const operation = document.definitions[0] as OperationDefinitionNode;
      const walk = walkOperation(schema, document, operation, variables);
      return estimateCost(buildCostModel(walk.occurrences, operation, plainCost), plainCost, variables);
    };
    for (const value of [2.5, -0.5, -3, 1e300, -1e300, 2 ** 31, Number.MAX_SAFE_INTEGER + 2]) {
      const result = run('query ($v: Float, $c: Count) { ranked(top: $v) { name } windowed(size: $c) { name } }', { v: value, c: value });
      expect(result.problems).toHaveLength(2);
      expect(result.cost).toBe(10 + 3);
    }
    for (const value of ['-5', '5', { n: 5 }, [5], true]) {
      const result = run('query ($c: Count) { windowed(size: $c) { name } }', { c: value });
      expect(result.problems).toEqual([expect.stringMatching(/^Query\.windowed: slicing argument size must be a whole number from 0 to 2147483647, got an? (string|object|list|boolean)$/)]);
      expect(result.cost).toBe(3);
    }
    // The largest accepted value is GraphQL's Int maximum; 0 is a size (an empty page).
    expect(run(`{ windowed(size: ${MAX_SLICING_SIZE}) { name } }`, {}).problems).toEqual([]);
    expect(run('{ windowed(size: 0) { name } }', {})).toMatchObject({ cost: 0, problems: [] });
    // Before: 1e300 per level made Infinity instances, and Infinity × 0 (the leaf `name`) a NaN cost that passed any max.
    const hostile = run('{ windowed(size: 1e300) { related(first: 1e300) { related(first: 1e300) { name } } } }', {});
    expect(hostile.problems).toHaveLength(3);
    expect(Number.isFinite(hostile.cost)).toBe(true);
  });

  it('saturates instead of overflowing: nested huge lists stay exact integers', () => {
    const deep = `{ authors(first: ${MAX_SLICING_SIZE}) { edges { node { related(first: ${MAX_SLICING_SIZE}) { related(first: ${MAX_SLICING_SIZE}) { name } } } } } }`;
    const result = estimate(deep);
    expect(result.problems).toEqual([]);
    expect(result.cost).toBe(MAX_ESTIMATE);
    for (const n of result.instances) expect(Number.isSafeInteger(n)).toBe(true);
  });

  it('reads negative @cost weights and @listSize sizes from a subgraph as 0 and absent', () => {
    const directives = readCostDirectives(`
      type Query { x: Int @cost(weight: -5) list: [T] @listSize(assumedSize: -3) }
      type T @cost(weight: -1) { id: ID }
    `);
    expect(directives.fields.get('Query.x')).toBe(0);
    expect(directives.types.get('T')).toBe(0);
    expect(directives.listSizes.get('Query.list')?.assumedSize).toBeUndefined();
  });

  const VALUES: unknown[] = [-100, -1, 0, 1, 3, 100, 2.5, -0.5, 1e300, -1e300, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, '-5', '7'];
  /** Fields with a slicing argument: its name, GraphQL type, and the selection under it (`$$` for a nested size). */
  const FIELDS = [
    { field: 'newestAdditions', arg: 'limit', type: 'Int!', body: 'title author { name }' },
    { field: 'authors', arg: 'first', type: 'Int', body: 'total edges { node { name } }' },
    { field: 'paged', arg: 'first', type: 'Int', body: 'title publisher { address { zipCode } }' },
    { field: 'book', arg: '', type: '', body: 'author { related(first: $$) { name related(first: $$) { name } } }', nested: 'Int' },
  ];
  const literal = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value).replace('e+', 'e'));

  it('generated: no mix of slicing values, as literals or variables, estimates below the same operation with 0s', () => {
    const next = random(20261128);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
    for (let run = 0; run < 300; run++) {
      const fields = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(FIELDS));
      const values = fields.map((f) => [pick(VALUES), f.nested ? pick(VALUES) : undefined] as const);
      const declarations: string[] = [];
      const variables: Record<string, unknown> = {};
      const build = (mode: 'literal' | 'variables' | 'zero') =>
        `${mode === 'variables' ? `query (${declarations.join(', ')}) ` : ''}{ ${fields
          .map((f, i) => {
            const [value, nestedValue] = values[i];
            const show = (v: unknown, name: string) => (mode === 'zero' ? '0' : mode === 'literal' ? literal(v) : `$${name}`);
            const args = f.arg ? `(${f.arg}: ${show(value, `v${i}`)})` : '';
            return `f${i}: ${f.field}${args} { ${f.body.replaceAll('$$', show(nestedValue, `n${i}`))} }`;
          })
          .join(' ')} }`;
      fields.forEach((f, i) => {
        if (f.arg) {
          declarations.push(`$v${i}: ${f.type}`);
          variables[`v${i}`] = values[i][0];
        }
        if (f.nested) {
          declarations.push(`$n${i}: ${f.nested}`);
          variables[`n${i}`] = values[i][1];
        }
      });
      const floor = estimate(build('zero'));
      const byLiteral = estimate(build('literal'));
      const byVariables = estimate(build('variables'), variables);
      const context = { query: build('literal'), variables };
      for (const result of [byLiteral, byVariables]) {
        expect({ ...context, cost: result.cost, atLeast: floor.cost, ok: result.cost >= floor.cost && result.cost <= MAX_ESTIMATE }).toMatchObject({ ok: true });
        expect(Math.min(...result.instances, ...result.argumentCosts)).toBeGreaterThanOrEqual(0);
      }
      // Refused: through variables (uncoerced), any value that is not a size; as a literal, a negative Int.
      const notSize = (v: unknown) => !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SLICING_SIZE);
      const negativeInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v < 0 && v >= -(2 ** 31);
      const given = values.flatMap(([v, n], i) => [...(fields[i].arg ? [v] : []), ...(fields[i].nested ? [n] : [])]);
      if (given.some(notSize)) expect({ ...context, refused: byVariables.problems.length > 0 }).toMatchObject({ refused: true });
      if (given.some(negativeInt)) expect({ ...context, refused: byLiteral.problems.length > 0 }).toMatchObject({ refused: true });
    }
  });
});

describe('the estimate cache', () => {
  const policy = new CostPolicy(costConfig.parse({ extensions: 'always' }));
  const state = policy.schemaState(apiSchema, supergraphSdl);
  const assess = (query: string, variables: Record<string, unknown> | undefined, excludedKey = '') => {
    const { model, walk } = prepare(query, variables);
    const outcome = policy.assess(state, { model: () => model, entityFetches: () => [], dependsOnVariables: walk.occurrences.some((o) => o.argsUseVariables) }, {
      plan: 'anonymous',
      wantsCost: true,
      clientPrefix: 'x',
      variables,
      now: 0,
      excludedKey,
    });
    if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
    return { estimated: outcome.settlement.estimated, fresh: Math.ceil(estimateCost(model, state.cost, variables).cost), model };
  };

  it('never serves one operation’s estimate to another, whatever the stage’s key for them', () => {
    // The same query text twice: two models (two cached plans), two entries — the key is the model's identity.
    expect(assess(`{ newestAdditions(limit: 3) { ${BOOK_FIELDS} } }`, undefined).estimated).toBe(24);
    expect(assess(`{ newestAdditions(limit: 7) { ${BOOK_FIELDS} } }`, undefined).estimated).toBe(56);
  });

  it('keys length-prefixed parts: no (excluded, variables) pair passes for another', () => {
    const { model } = prepare('{ book { title } }');
    const seen = new Map<string, string>();
    const parts: Array<[string, string | undefined]> = [];
    for (const excluded of ['', '0', '1', '01', '10']) {
      for (const variables of [undefined, '', '{}', '{"a":1}', '{"a":"1:=2"}', '0:', '1:0', '2:{}', '-', '=']) parts.push([excluded, variables]);
    }
    for (const [excluded, variables] of parts) {
      const key = estimateCacheKey(model, excluded, variables);
      const label = JSON.stringify([excluded, variables ?? null]);
      expect({ key, by: seen.get(key) ?? label }).toEqual({ key, by: label });
      seen.set(key, label);
    }
    const other = prepare('{ book { title } }').model;
    expect(estimateCacheKey(other, '', undefined)).not.toBe(estimateCacheKey(model, '', undefined));
  });

  it('generated: random (query, variables) pairs through one cache always get their own estimate', () => {
    const next = random(7);
    // Query texts with separators and JSON in comments: nothing in the text can shift a key's boundary.
    const comments = ['', '#\u0000', '#\u0003\u0003{"n":3}', '#1:0', '# {"n":7}\u0002'];
    for (let run = 0; run < 200; run++) {
      const n = Math.floor(next() * 12);
      const useVariable = next() < 0.5;
      const comment = comments[Math.floor(next() * comments.length)];
      const query = useVariable
        ? `query ($n: Int!) { newestAdditions(limit: $n) { ${BOOK_FIELDS} } } ${comment}\n`
        : `{ newestAdditions(limit: ${n}) { ${BOOK_FIELDS} } } ${comment}\n`;
      const result = assess(query, useVariable ? { n, pad: comment } : undefined, next() < 0.5 ? '' : '0');
      expect(result.estimated).toBe(result.fresh);
      expect(result.estimated).toBe(8 * n);
    }
  });
});
