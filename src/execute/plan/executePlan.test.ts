import type { GraphQLDataSource } from '@apollo/gateway';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import { buildSchema, OperationTypeNode } from 'graphql';
import type { TollgateContext } from '../../pipeline/context';
import { executePlan as runPlan, unsupportedNode as findUnsupported } from './executePlan';
import { fromApolloPlan } from './planNodes';

const executePlan = (plan: QueryPlan, run: Parameters<typeof runPlan>[1]) => runPlan(fromApolloPlan(plan), run);
const unsupportedNode = (plan: QueryPlan) => findUnsupported(fromApolloPlan(plan));

const schema = buildSchema('type Query { topProducts: [Product] } type Product { upc: String! name: String reviews: [Review] } type Review { id: ID! }');
const context = { requestId: 'r1' } as unknown as TollgateContext;

type Call = { service: string; variables: Record<string, unknown>; path: unknown };

function sources(answers: Record<string, (variables: Record<string, unknown>) => { data?: unknown; errors?: unknown[] }>, calls: Call[]) {
  const map = new Map<string, GraphQLDataSource<TollgateContext>>();
  for (const [service, answer] of Object.entries(answers)) {
    map.set(service, {
      process: async (request) => {
        const variables = (request.request.variables ?? {}) as Record<string, unknown>;
        calls.push({ service, variables, path: 'pathInIncomingRequest' in request ? request.pathInIncomingRequest : undefined });
        return answer(variables) as Awaited<ReturnType<GraphQLDataSource['process']>>;
      },
    });
  }
  return map;
}

const fetch = (serviceName: string, extra: Partial<FetchNode> = {}): FetchNode => ({
  kind: 'Fetch',
  serviceName,
  operation: '{ x }',
  operationName: undefined,
  operationKind: OperationTypeNode.QUERY,
  ...extra,
});

const entityFetch = (serviceName: string): FetchNode =>
  fetch(serviceName, {
    requires: [{ kind: 'InlineFragment', typeCondition: 'Product', selections: [{ kind: 'Field', name: '__typename' }, { kind: 'Field', name: 'upc' }] }],
  });

describe('executePlan', () => {
  it('sends each distinct representation once and fans the answers back out, merging in place', async () => {
    const calls: Call[] = [];
    const plan: QueryPlan = {
      kind: 'QueryPlan',
      node: {
        kind: 'Sequence',
        nodes: [
          fetch('products'),
          { kind: 'Flatten', path: ['topProducts', '@'], node: entityFetch('reviews') },
        ],
      },
    };
    const products = () => ({ data: { topProducts: ['1', '2', '1', '1'].map((upc) => ({ __typename: 'Product', upc })) } });
    const reviews = (variables: Record<string, unknown>) => ({
      data: { _entities: (variables.representations as Array<{ upc: string }>).map((r) => ({ reviews: [{ id: `r${r.upc}` }] })) },
    });
    const result = await executePlan(plan, { sources: sources({ products, reviews }, calls), supergraphSchema: schema, variables: undefined, conditionVariables: {}, context });
    expect(calls[1].variables.representations).toEqual([
      { __typename: 'Product', upc: '1' },
      { __typename: 'Product', upc: '2' },
    ]);
    expect(calls[1].path).toEqual(['topProducts', '@']);
    expect(result.data).toEqual({
      topProducts: [
        { __typename: 'Product', upc: '1', reviews: [{ id: 'r1' }] },
        { __typename: 'Product', upc: '2', reviews: [{ id: 'r2' }] },
        { __typename: 'Product', upc: '1', reviews: [{ id: 'r1' }] },
        { __typename: 'Product', upc: '1', reviews: [{ id: 'r1' }] },
      ],
    });
  });

  it('re-paths an entity error to every client path of a deduplicated representation', async () => {
    const calls: Call[] = [];
    const plan: QueryPlan = { kind: 'QueryPlan', node: { kind: 'Sequence', nodes: [fetch('products'), { kind: 'Flatten', path: ['topProducts', '@'], node: entityFetch('reviews') }] } };
    const products = () => ({ data: { topProducts: ['1', '2', '1'].map((upc) => ({ __typename: 'Product', upc })) } });
    const reviews = () => ({ data: { _entities: [null, { reviews: [] }] }, errors: [{ message: 'gone', path: ['_entities', 0, 'reviews'], extensions: { code: 'NOPE' } }] });
    const result = await executePlan(plan, { sources: sources({ products, reviews }, calls), supergraphSchema: schema, variables: undefined, conditionVariables: {}, context });
    expect(result.errors).toEqual([
      { message: 'gone', path: ['topProducts', 0, 'reviews'], extensions: { code: 'NOPE', serviceName: 'reviews' } },
      { message: 'gone', path: ['topProducts', 2, 'reviews'], extensions: { code: 'NOPE', serviceName: 'reviews' } },
    ]);
  });

  it('forwards only the variables a fetch uses, and follows Condition nodes', async () => {
    const calls: Call[] = [];
    const node: PlanNode = { kind: 'Condition', condition: 'withName', ifClause: fetch('a', { variableUsages: ['n'] }), elseClause: fetch('b') };
    const answer = () => ({ data: {} });
    await executePlan({ kind: 'QueryPlan', node }, { sources: sources({ a: answer, b: answer }, calls), supergraphSchema: schema, variables: { n: 1, other: 2 }, conditionVariables: { withName: true }, context });
    await executePlan({ kind: 'QueryPlan', node }, { sources: sources({ a: answer, b: answer }, calls), supergraphSchema: schema, variables: { n: 1 }, conditionVariables: { withName: false }, context });
    expect(calls.map((c) => [c.service, c.variables])).toEqual([
      ['a', { n: 1 }],
      ['b', {}],
    ]);
  });

  it('names the node kinds it cannot run, before anything is sent', () => {
    const deferred = { kind: 'Defer', primary: {}, deferred: [] } as unknown as PlanNode;
    expect(unsupportedNode({ kind: 'QueryPlan', node: { kind: 'Sequence', nodes: [fetch('a'), { kind: 'Flatten', path: ['x'], node: deferred }] } })).toBe('Defer');
    expect(unsupportedNode({ kind: 'QueryPlan', node: { kind: 'Subscription', primary: fetch('a') } })).toBe('Subscription');
    expect(unsupportedNode({ kind: 'QueryPlan', node: { kind: 'Parallel', nodes: [fetch('a'), fetch('b')] } })).toBeUndefined();
  });
});

describe('executePlan: BatchFetch (Hive plans)', () => {
  const batchSchema = buildSchema('type Query { topProducts: [Product] users: [User] } type Product { upc: String! name: String } type User { id: ID! name: String }');
  const keyOf = (type: string, key: string) => [{ kind: 'InlineFragment' as const, typeCondition: type, selections: [{ kind: 'Field' as const, name: '__typename' }, { kind: 'Field' as const, name: key }] }];

  it('re-paths each alias\u2019s entity errors to that alias\u2019s entities', async () => {
    const calls: Call[] = [];
    const root = () => ({
      data: {
        topProducts: ['1', '2'].map((upc) => ({ __typename: 'Product', upc })),
        users: ['a', 'b', 'c'].map((id) => ({ __typename: 'User', id })),
      },
    });
    const names = () => ({
      data: { _e0: [{ name: 'P1' }, { name: null }], _e1: [{ name: 'A' }, { name: 'B' }, { name: null }] },
      errors: [
        { message: 'no product name', path: ['_e0', 1, 'name'] },
        { message: 'no user name', path: ['_e1', 2, 'name'] },
      ],
    });
    const node = {
      kind: 'Sequence' as const,
      nodes: [
        { kind: 'Fetch' as const, serviceName: 'root', operation: '{ x }' },
        {
          kind: 'BatchFetch' as const,
          serviceName: 'names',
          operation: '{ x }',
          aliases: [
            { alias: '_e0', representationsVariableName: 'r0', paths: [['topProducts', '@']], requires: keyOf('Product', 'upc') },
            { alias: '_e1', representationsVariableName: 'r1', paths: [['users', '@']], requires: keyOf('User', 'id') },
          ],
        },
      ],
    };
    const result = await runPlan({ node }, { sources: sources({ root, names }, calls), supergraphSchema: batchSchema, variables: undefined, conditionVariables: {}, context });
    expect(calls[1].variables).toEqual({ r0: [{ __typename: 'Product', upc: '1' }, { __typename: 'Product', upc: '2' }], r1: ['a', 'b', 'c'].map((id) => ({ __typename: 'User', id })) });
    expect(result.errors.map((e) => ({ message: e.message, path: e.path }))).toEqual([
      { message: 'no product name', path: ['topProducts', 1, 'name'] },
      { message: 'no user name', path: ['users', 2, 'name'] },
    ]);
  });
});
