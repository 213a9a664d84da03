// subgraphOperationProblem: a plan whose subgraph operation the subgraph's own schema refuses is caught before
// anything is sent (what makes `planner: hive` fall back), and a valid plan, unused variables included, is not.
import { buildSchema } from 'graphql';
import { subgraphOperationProblem } from './subgraphOperationCheck';
import type { ExecNode, ExecPlan } from './planNodes';

const schema = buildSchema(`
  scalar _Any
  union _Entity = Facility
  type Facility { code: ID! city: String reviews: [Review] }
  type Review { id: ID! body: String }
  type Query { facilities: [Facility] _entities(representations: [_Any!]!): [_Entity]! }
`);
const schemaOf = (name: string) => (name === 'inventory' ? schema : undefined);

const fetch = (operation: string, serviceName = 'inventory'): ExecNode => ({ kind: 'Fetch', serviceName, operation });
const plan = (node: ExecNode): ExecPlan => ({ node });

describe('subgraphOperationProblem', () => {
  it('accepts valid operations anywhere in the plan, and a declared but unused variable', () => {
    const node: ExecNode = {
      kind: 'Sequence',
      nodes: [
        fetch('query Q($unused: String) { facilities { code city } }'),
        { kind: 'Flatten', path: ['facilities', '@'], node: fetch('query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Facility { reviews { id } } } }') },
      ],
    };
    expect(subgraphOperationProblem(plan(node), schemaOf)).toBeUndefined();
    expect(subgraphOperationProblem({}, schemaOf)).toBeUndefined();
  });

  it('names the subgraph and the reason when a client alias collides with a field the plan needs', () => {
    // Hive 0.0.38's plan for `{ facilities { code: city } }` beside the key `code`.
    const node = fetch('{ facilities { code: city code } }');
    expect(subgraphOperationProblem(plan(node), schemaOf)).toMatch(/^inventory: Fields "code" conflict because "city" and "code" are different fields/);
  });

  it('finds a problem under Parallel, Flatten and both branches of a Condition', () => {
    const bad = fetch('{ facilities { reviews } }');
    for (const node of [
      { kind: 'Parallel', nodes: [fetch('{ facilities { code } }'), bad] },
      { kind: 'Flatten', path: ['x'], node: bad },
      { kind: 'Condition', condition: 'v', ifClause: fetch('{ facilities { code } }'), elseClause: bad },
      { kind: 'Condition', condition: 'v', ifClause: bad },
    ] as ExecNode[]) {
      expect(subgraphOperationProblem(plan(node), schemaOf)).toMatch(/^inventory: Field "reviews" of type "\[Review\]" must have a selection of subfields/);
    }
  });

  it('reports an operation that does not parse, and skips a subgraph without a schema', () => {
    expect(subgraphOperationProblem(plan(fetch('{ facilities { code }')), schemaOf)).toMatch(/^inventory: Syntax Error/);
    expect(subgraphOperationProblem(plan(fetch('{ anything }', 'rest-service')), schemaOf)).toBeUndefined();
  });

  it('checks BatchFetch operations', () => {
    const node: ExecNode = { kind: 'BatchFetch', serviceName: 'inventory', operation: '{ nope }', aliases: [] };
    expect(subgraphOperationProblem(plan(node), schemaOf)).toMatch(/^inventory: Cannot query field "nope" on type "Query"/);
  });

  it('refuses an output KeyRenamer onto a name the same selection fetches (a client alias over a key)', () => {
    // Hive 0.0.38 for `{ ... product { sku: weight sku1: sku } }` where `sku` is the key the next fetch needs.
    const operation = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Facility { _internal_qp_alias_0: city code } } }';
    const renamer = (renameKeyTo: string): ExecNode => ({ kind: 'Fetch', serviceName: 'inventory', operation, outputRewrites: [{ kind: 'KeyRenamer', path: [{ types: ['Facility'] }, '_internal_qp_alias_0'], renameKeyTo }] });
    expect(subgraphOperationProblem(plan(renamer('code')), schemaOf)).toBe('inventory: an output rewrite renames "_internal_qp_alias_0" to "code", which the same selection also fetches');
    // Renaming to a name nothing else in that selection uses is what such rewrites are for.
    expect(subgraphOperationProblem(plan(renamer('town')), schemaOf)).toBeUndefined();
  });
});
