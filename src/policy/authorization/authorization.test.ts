// Pure authorization logic on a small supergraph: reading the directives, guarding occurrences, deciding.
import { composeSupergraph } from '../../compose/compose';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { ANONYMOUS, type Principal } from '../../identity/principal';
import { walkOperation } from '../walk';
import { decideAuthorization, guardOccurrences } from './decide';
import { readAuthRequirements, scopesSatisfy } from './requirements';

const SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])
  type Query { a: A  list: [A!]!  thing: Thing  secret: Secret }
  type A @key(fields: "id") { id: ID! open: String  scoped: String @requiresScopes(scopes: [["x", "y"], ["z"]])  policed(n: Int): String @policy(policies: [["p1"]]) }
  interface Thing { id: ID! detail: String }
  type T1 implements Thing { id: ID! detail: String @authenticated }
  type T2 implements Thing { id: ID! detail: String }
  type Secret @authenticated { v: String }
`;
const composed = composeSupergraph([{ name: 's', url: 'http://s', sdl: SDL }]);
if (!composed.ok) throw new Error(JSON.stringify(composed.errors));
const supergraphSdl = composed.supergraphSdl;
const requirements = readAuthRequirements(supergraphSdl);
const apiSchema = buildSchema(`
  type Query { a: A  list: [A!]!  thing: Thing  secret: Secret }
  type A { id: ID! open: String scoped: String policed(n: Int): String }
  interface Thing { id: ID! detail: String }
  type T1 implements Thing { id: ID! detail: String }
  type T2 implements Thing { id: ID! detail: String }
  type Secret { v: String }
`);

function guarded(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  return guardOccurrences(walkOperation(apiSchema, document, operation, variables).occurrences, requirements);
}

const user = (scopes: string[] = []): Principal => ({ kind: 'jwt', key: 'k', authenticated: true, subject: 'u', scopes: new Set(scopes), claims: {} });
const allowAll = async () => true;
const denyAll = async () => false;

describe('readAuthRequirements', () => {
  it('reads field and type requirements from the supergraph', () => {
    expect(requirements.fields.get('A.scoped')).toEqual({ authenticated: false, scopes: [['x', 'y'], ['z']] });
    expect(requirements.fields.get('A.policed')).toEqual({ authenticated: false, policies: [['p1']] });
    expect(requirements.fields.get('T1.detail')).toEqual({ authenticated: true });
    expect(requirements.types.get('Secret')).toEqual({ authenticated: true });
    expect([...requirements.policyNames]).toEqual(['p1']);
    expect(requirements.fields.has('A.open')).toBe(false);
  });

  it('is empty for a supergraph without auth directives', () => {
    const plain = composeSupergraph([{ name: 's', url: 'http://s', sdl: 'type Query { a: String }' }]);
    if (!plain.ok) throw new Error('compose failed');
    expect(readAuthRequirements(plain.supergraphSdl).isEmpty).toBe(true);
  });
});

describe('scopesSatisfy', () => {
  it('is an OR of ANDs', () => {
    expect(scopesSatisfy([['x', 'y'], ['z']], new Set(['x', 'y']))).toBe(true);
    expect(scopesSatisfy([['x', 'y'], ['z']], new Set(['z']))).toBe(true);
    expect(scopesSatisfy([['x', 'y'], ['z']], new Set(['x']))).toBe(false);
  });
});

describe('guardOccurrences + decideAuthorization', () => {
  it('guards nothing in a public operation', () => {
    expect(guarded('{ a { id open } list { open } }')).toEqual([]);
  });

  it('denies by scopes, keeping the alias in the path', async () => {
    const g = guarded('{ list { s: scoped } }');
    const denied = await decideAuthorization(g, user(['x']), allowAll);
    expect(denied.map((o) => o.segments.map((s) => s.key))).toEqual([['list', 's']]);
    expect(await decideAuthorization(g, user(['x', 'y']), allowAll)).toEqual([]);
  });

  it('guards a field by its return type (@authenticated on a type)', async () => {
    const g = guarded('{ secret { v } }');
    expect((await decideAuthorization(g, ANONYMOUS, allowAll)).map((o) => o.coordinate)).toEqual(['Query.secret', 'Secret.v']);
    expect(await decideAuthorization(g, user(), allowAll)).toEqual([]);
  });

  it('applies any implementation’s requirement to a field selected on an interface', async () => {
    const denied = await decideAuthorization(guarded('{ thing { id detail } }'), ANONYMOUS, allowAll);
    expect(denied.map((o) => o.coordinate)).toEqual(['Thing.detail']);
    const viaFragment = await decideAuthorization(guarded('{ thing { ... on T2 { detail } ... on T1 { detail } } }'), ANONYMOUS, allowAll);
    expect(viaFragment.map((o) => o.coordinate)).toEqual(['T1.detail']);
  });

  it('evaluates policies with arguments', async () => {
    const g = guarded('query($n: Int) { a { policed(n: $n) } }', { n: 7 });
    expect(g[0].occurrence.args).toEqual({ n: 7 });
    expect(await decideAuthorization(g, user(), allowAll)).toEqual([]);
    expect(await decideAuthorization(g, user(), denyAll)).toHaveLength(1);
  });

  it('skips fields excluded by @skip/@include', async () => {
    expect(guarded('query($s: Boolean!) { a { scoped @skip(if: $s) } }', { s: true })).toEqual([]);
    expect(guarded('query($s: Boolean!) { a { scoped @skip(if: $s) } }', { s: false })).toHaveLength(1);
  });
});
