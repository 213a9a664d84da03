import type { GraphQLDataSource } from '@apollo/gateway';
import { buildSchema } from 'graphql';
import type { TollgateContext } from '../../pipeline/context';
import { executePlan } from './executePlan';
import { fromHivePlan, fromHiveSubscriptionPlan, UnsupportedHivePlan } from './hivePlan';
import { withoutIntrospection } from './hivePlanner';
import { parse, print } from 'graphql';

const schema = buildSchema(`
  type Query { topProducts: [Product] users: [User] facility: Facility }
  type Product { upc: String! price: Int reviews: [Review] }
  type User { id: ID! reviews: [Review] }
  type Review { id: ID! }
  interface Facility { code: String! }
  type Store implements Facility { code: String! city: String }
  type Warehouse implements Facility { code: String! capacity: Int }
`);
const context = { requestId: 'r1' } as unknown as TollgateContext;
type Answer = (variables: Record<string, unknown>) => { data?: unknown; errors?: unknown[] };

function sources(answers: Record<string, Answer>, calls: Array<{ service: string; variables: Record<string, unknown> }>) {
  const map = new Map<string, GraphQLDataSource<TollgateContext>>();
  for (const [service, answer] of Object.entries(answers)) {
    map.set(service, {
      process: async (request) => {
        const variables = (request.request.variables ?? {}) as Record<string, unknown>;
        calls.push({ service, variables });
        return answer(variables) as Awaited<ReturnType<GraphQLDataSource['process']>>;
      },
    });
  }
  return map;
}

const run = (plan: unknown, answers: Record<string, Answer>, calls: Array<{ service: string; variables: Record<string, unknown> }> = []) =>
  executePlan(fromHivePlan(plan as { node?: unknown }), { sources: sources(answers, calls), supergraphSchema: schema, variables: undefined, conditionVariables: {}, context });

const typed = (type: string, ...fields: string[]) => [{ kind: 'InlineFragment', typeCondition: type, selections: [{ kind: 'Field', name: '__typename' }, ...fields.map((name) => ({ kind: 'Field', name }))] }];

describe('Hive plans', () => {
  it('BatchFetch: one request, each alias with its own representations (sent once each), merged and errors re-pathed per copy', async () => {
    const calls: Array<{ service: string; variables: Record<string, unknown> }> = [];
    const plan = {
      kind: 'QueryPlan',
      node: {
        kind: 'Sequence',
        nodes: [
          { kind: 'Fetch', serviceName: 'root', operation: '{ x }' },
          {
            kind: 'BatchFetch',
            serviceName: 'reviews',
            operation: 'query($__batch_reps_0:[_Any!]!, $__batch_reps_1:[_Any!]!){ _e0: _entities(representations: $__batch_reps_0){...} _e1: _entities(representations: $__batch_reps_1){...} }',
            entityBatch: {
              aliases: [
                { alias: '_e0', representationsVariableName: '__batch_reps_0', paths: [[{ Field: 'topProducts' }, '@']], requires: typed('Product', 'upc') },
                { alias: '_e1', representationsVariableName: '__batch_reps_1', paths: [[{ Field: 'users' }, '@']], requires: typed('User', 'id') },
              ],
            },
          },
        ],
      },
    };
    const root = () => ({
      data: {
        topProducts: ['1', '2', '1'].map((upc) => ({ __typename: 'Product', upc })),
        users: ['u1', 'u1'].map((id) => ({ __typename: 'User', id })),
      },
    });
    const reviews = (v: Record<string, unknown>) => ({
      data: {
        _e0: (v.__batch_reps_0 as Array<{ upc: string }>).map((r) => ({ reviews: [{ id: `p${r.upc}` }] })),
        _e1: [null],
      },
      errors: [{ message: 'no reviews', path: ['_e1', 0, 'reviews'], extensions: { code: 'NOPE' } }],
    });
    const result = await run(plan, { root, reviews }, calls);
    expect(calls.map((c) => c.service)).toEqual(['root', 'reviews']);
    expect(calls[1].variables).toEqual({
      __batch_reps_0: [
        { __typename: 'Product', upc: '1' },
        { __typename: 'Product', upc: '2' },
      ],
      __batch_reps_1: [{ __typename: 'User', id: 'u1' }],
    });
    expect(result.data.topProducts).toEqual([
      { __typename: 'Product', upc: '1', reviews: [{ id: 'p1' }] },
      { __typename: 'Product', upc: '2', reviews: [{ id: 'p2' }] },
      { __typename: 'Product', upc: '1', reviews: [{ id: 'p1' }] },
    ]);
    expect(result.errors).toEqual([
      { message: 'no reviews', path: ['users', 0, 'reviews'], extensions: { code: 'NOPE', serviceName: 'reviews' } },
      { message: 'no reviews', path: ['users', 1, 'reviews'], extensions: { code: 'NOPE', serviceName: 'reviews' } },
    ]);
  });

  it('requires with an alias reads data[name] and writes representation[alias]; _internal_qp_alias fields stay in the data only', async () => {
    const calls: Array<{ service: string; variables: Record<string, unknown> }> = [];
    const plan = {
      kind: 'QueryPlan',
      node: {
        kind: 'Sequence',
        nodes: [
          { kind: 'Fetch', serviceName: 'root', operation: '{ topProducts { __typename upc price _internal_qp_alias_0: price } }' },
          {
            kind: 'Flatten',
            path: [{ Field: 'topProducts' }, '@'],
            node: {
              kind: 'Fetch',
              serviceName: 'ship',
              operation: '...',
              requires: [{ kind: 'InlineFragment', typeCondition: 'Product', selections: [{ kind: 'Field', name: '__typename' }, { kind: 'Field', name: '_internal_qp_alias_0', alias: 'price' }, { kind: 'Field', name: 'upc' }] }],
            },
          },
        ],
      },
    };
    const root = () => ({ data: { topProducts: [{ __typename: 'Product', upc: '1', price: 20, _internal_qp_alias_0: 10 }] } });
    const ship = () => ({ data: { _entities: [{ estimate: 1 }] } });
    await run(plan, { root, ship }, calls);
    expect(calls[1].variables.representations).toEqual([{ __typename: 'Product', price: 10, upc: '1' }]);
  });

  it('Flatten {TypeCondition} and rewrites with {TypenameEquals}/{Key} (both forms) apply to the matching types only', async () => {
    const calls: Array<{ service: string; variables: Record<string, unknown> }> = [];
    const plan = {
      kind: 'QueryPlan',
      node: {
        kind: 'Sequence',
        nodes: [
          { kind: 'Fetch', serviceName: 'root', operation: '{ ... }' },
          {
            kind: 'Flatten',
            path: [{ Field: 'facilities' }, '@', { TypeCondition: ['Store'] }],
            node: {
              kind: 'Fetch',
              serviceName: 'stores',
              operation: '...',
              requires: typed('Facility', 'code'),
              inputRewrites: [{ ValueSetter: { path: [{ TypenameEquals: ['Facility'] }, { Key: '__typename' }], setValueTo: 'Facility' } }],
              outputRewrites: [{ kind: 'KeyRenamer', path: [{ TypenameEquals: ['Store'] }, { Key: 'town' }], renameKeyTo: 'city' }],
            },
          },
        ],
      },
    };
    const root = () => ({ data: { facilities: [{ __typename: 'Store', code: 's1' }, { __typename: 'Warehouse', code: 'w1' }, { __typename: 'Store', code: 's2' }] } });
    const stores = (v: Record<string, unknown>) => ({ data: { _entities: (v.representations as Array<{ code: string }>).map((r) => ({ __typename: 'Store', town: `t-${r.code}` })) } });
    const result = await run(plan, { root, stores }, calls);
    expect(calls[1].variables.representations).toEqual([
      { __typename: 'Facility', code: 's1' },
      { __typename: 'Facility', code: 's2' },
    ]);
    expect(result.data.facilities).toEqual([
      { __typename: 'Store', code: 's1', city: 't-s1', town: undefined },
      { __typename: 'Warehouse', code: 'w1' },
      { __typename: 'Store', code: 's2', city: 't-s2', town: undefined },
    ]);
  });

  it('refuses what it cannot run at conversion, before anything is sent', () => {
    expect(() => fromHivePlan({ node: { kind: 'Mystery' } })).toThrow(UnsupportedHivePlan);
    expect(() => fromHivePlan({ node: { kind: 'Flatten', path: [{ Index: 1 }], node: { kind: 'Fetch', serviceName: 'a', operation: '{a}' } } })).toThrow(UnsupportedHivePlan);
    expect(() => fromHivePlan({ node: { kind: 'Fetch', serviceName: 'a', operation: '{a}', requires: [{ kind: 'FragmentSpread', value: 'F' }] } })).toThrow(UnsupportedHivePlan);
    expect(() => fromHivePlan({ node: { kind: 'Fetch', serviceName: 'a', operation: '{a}', inputRewrites: [{ Teleport: {} }] } })).toThrow(UnsupportedHivePlan);
    expect(fromHivePlan({ node: { kind: 'Subscription', primary: { serviceName: 'a', operation: 'subscription{a}' } } }).node).toEqual({ kind: 'Subscription' });
  });

  it('leaves __schema/__type out of what the planner sees, keeping every selection set non-empty', () => {
    const doc = parse('{ __type(name: "X") { name } topProducts { upc } ... on Query { __schema { queryType { name } } } }');
    expect(print(withoutIntrospection(doc))).toBe(print(parse('{ topProducts { upc } ... on Query { __typename } }')));
    const plain = parse('{ topProducts { upc } }');
    expect(withoutIntrospection(plain)).toBe(plain);
  });
});

describe('fromHiveSubscriptionPlan', () => {
  // Hive's primary carries no `kind`; what completes each event follows it in a Sequence.
  const primary = { serviceName: 'reviews', operationKind: 'subscription', operation: 'subscription($upc:String){reviewAdded(upc:$upc){body product{__typename upc}}}', variableUsages: ['upc'] };
  const flatten = {
    kind: 'Flatten',
    path: [{ Field: 'reviewAdded' }, { Field: 'product' }],
    node: { kind: 'Fetch', serviceName: 'products', operation: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}', requires: [{ kind: 'InlineFragment', typeCondition: 'Product', selections: [{ kind: 'Field', name: '__typename' }, { kind: 'Field', name: 'upc' }] }] },
  };

  it('reads Sequence[Subscription{primary}, rest]', () => {
    const planned = fromHiveSubscriptionPlan({ node: { kind: 'Sequence', nodes: [{ kind: 'Subscription', primary }, flatten] } });
    expect(planned?.primary).toMatchObject({ kind: 'Fetch', serviceName: 'reviews', operation: primary.operation, variableUsages: ['upc'] });
    expect(planned?.rest).toMatchObject({ kind: 'Flatten', path: ['reviewAdded', 'product'], node: { kind: 'Fetch', serviceName: 'products' } });
  });

  it('wraps several nodes after the primary in a Sequence, and reads a lone Subscription node', () => {
    const twice = fromHiveSubscriptionPlan({ node: { kind: 'Sequence', nodes: [{ kind: 'Subscription', primary }, flatten, flatten] } });
    expect(twice?.rest).toMatchObject({ kind: 'Sequence', nodes: [{ kind: 'Flatten' }, { kind: 'Flatten' }] });
    const alone = fromHiveSubscriptionPlan({ node: { kind: 'Subscription', primary } });
    expect(alone?.primary.serviceName).toBe('reviews');
    expect(alone?.rest).toBeUndefined();
  });

  it('answers undefined for anything else', () => {
    expect(fromHiveSubscriptionPlan({})).toBeUndefined();
    expect(fromHiveSubscriptionPlan({ node: { kind: 'Fetch', ...primary } })).toBeUndefined();
    expect(fromHiveSubscriptionPlan({ node: { kind: 'Sequence', nodes: [] } })).toBeUndefined();
    expect(fromHiveSubscriptionPlan({ node: { kind: 'Sequence', nodes: [flatten, { kind: 'Subscription', primary }] } })).toBeUndefined();
    expect(fromHiveSubscriptionPlan({ node: { kind: 'Subscription' } })).toBeUndefined();
  });
});
