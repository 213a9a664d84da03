// validateSupergraphSdl must refuse exactly what `new ApolloGateway({ supergraphSdl }).load()` refuses; each case
// checks the real gateway too, so an @apollo/gateway upgrade that changes its mind fails here first.

import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { parse } from 'graphql';
import { composeSupergraph, type SubgraphInput } from './compose';
import { validateSupergraphSdl } from './validateSupergraph';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Resolves to undefined when the gateway loads the SDL, or to its error message. */
async function gatewayRefusal(supergraphSdl: string): Promise<string | undefined> {
  const gateway = new ApolloGateway({ supergraphSdl, logger: silent });
  try {
    await gateway.load();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await gateway.stop().catch(() => undefined);
  }
}

function compose(subgraphs: SubgraphInput[]): string {
  const result = composeSupergraph(subgraphs);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.supergraphSdl;
}

const link = (version: string, imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v${version}", import: ${JSON.stringify(imports)})\n`;
const users = { name: 'users', url: 'http://users', sdl: `${link('2.3', ['@key'])}type User @key(fields: "id") { id: ID! email: String }` };

const good = compose([
  { name: 'accounts', url: 'http://accounts', sdl: `${link('2.3', ['@key'])}type Query { me: User }\ntype User @key(fields: "id") { id: ID! }` },
  users,
]);
/** What @apollo/composition itself emits, before Tollgate relaxes the auth links it enforces. */
function composeRaw(subgraphs: SubgraphInput[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.supergraphSdl;
}

const authSubgraphs: SubgraphInput[] = [
  {
    name: 'accounts',
    url: 'http://accounts',
    sdl: `${link('2.5', ['@key', '@authenticated', '@requiresScopes'])}
type Query { me: User @authenticated, admin: String @requiresScopes(scopes: [["admin"]]) }
type User @key(fields: "id") { id: ID! }`,
  },
  users,
];
const authenticated = composeRaw(authSubgraphs);

describe('validateSupergraphSdl', () => {
  it('accepts a composed supergraph the gateway loads', async () => {
    expect(validateSupergraphSdl(good)).toEqual({ ok: true });
    expect(await gatewayRefusal(good)).toBeUndefined();
  });

  it('refuses garbage without throwing', async () => {
    for (const sdl of ['this is not graphql {', '']) {
      const verdict = validateSupergraphSdl(sdl);
      expect(verdict).toEqual({ ok: false, message: expect.stringMatching(/^Syntax Error/), codes: [] });
      expect(await gatewayRefusal(sdl)).toMatch(/^Syntax Error/);
    }
  });

  it('refuses a valid GraphQL schema that is not a supergraph', async () => {
    const sdl = 'type Query { hello: String }';
    expect(validateSupergraphSdl(sdl)).toEqual({
      ok: false,
      message: 'INVALID_FEDERATION_SUPERGRAPH: Invalid supergraph: must be a core schema',
      codes: ['INVALID_FEDERATION_SUPERGRAPH'],
    });
    expect(await gatewayRefusal(sdl)).toBe('Invalid supergraph: must be a core schema');
  });

  it('refuses @authenticated / @requiresScopes: composition links them `for: SECURITY` and the gateway lacks them', async () => {
    expect(authenticated).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)');
    expect(authenticated).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)');
    expect(validateSupergraphSdl(authenticated)).toEqual({
      ok: false,
      message:
        'UNSUPPORTED_LINKED_FEATURE: feature https://specs.apollo.dev/authenticated/v0.1 is for: SECURITY but is unsupported (line 4:3); ' +
        'UNSUPPORTED_LINKED_FEATURE: feature https://specs.apollo.dev/requiresScopes/v0.1 is for: SECURITY but is unsupported (line 5:3)',
      codes: ['UNSUPPORTED_LINKED_FEATURE'],
    });
    const refusal = await gatewayRefusal(authenticated);
    expect(refusal).toContain('feature https://specs.apollo.dev/authenticated/v0.1 is for: SECURITY but is unsupported');
    expect(refusal).toContain('feature https://specs.apollo.dev/requiresScopes/v0.1 is for: SECURITY but is unsupported');
  });

  it('loads what composeSupergraph makes of the same subgraphs: Tollgate enforces the auth directives itself', async () => {
    const relaxed = compose(authSubgraphs);
    expect(relaxed).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1")');
    expect(relaxed).toMatch(/me: User[^\n]*@authenticated/);
    expect(validateSupergraphSdl(relaxed)).toEqual({ ok: true });
    expect(await gatewayRefusal(relaxed)).toBeUndefined();
  });

  it('refuses an unknown `for: EXECUTION` link the same way', async () => {
    const sdl = good.replace(
      '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
      '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n  @link(url: "https://example.com/exec/v1.0", for: EXECUTION)',
    );
    expect(validateSupergraphSdl(sdl)).toMatchObject({
      ok: false,
      message: expect.stringContaining('feature https://example.com/exec/v1.0 is for: EXECUTION but is unsupported'),
      codes: ['UNSUPPORTED_LINKED_FEATURE'],
    });
    expect(await gatewayRefusal(sdl)).toContain('is for: EXECUTION but is unsupported');
  });

  it('accepts @inaccessible, which is `for: SECURITY` but in the gateway’s supported set', async () => {
    const sdl = compose([
      {
        name: 'accounts',
        url: 'http://accounts',
        sdl: `${link('2.3', ['@key', '@inaccessible'])}type Query { me: User, internal: String @inaccessible }\ntype User @key(fields: "id") { id: ID! }`,
      },
      users,
    ]);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)');
    expect(validateSupergraphSdl(sdl)).toEqual({ ok: true });
    expect(await gatewayRefusal(sdl)).toBeUndefined();
  });

  it('accepts the @authenticated supergraph once the link no longer says `for: SECURITY` (the gateway then ignores it)', async () => {
    const sdl = authenticated.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v0\.1"), for: SECURITY\)/g, '$1)');
    expect(validateSupergraphSdl(sdl)).toEqual({ ok: true });
    expect(await gatewayRefusal(sdl)).toBeUndefined();
  });
});
