// accounts subgraph: schema, resolvers and server. Resolvers return objects built once at load, so a request
// allocates little beyond what graphql-js needs.
import type { IncomingHttpHeaders } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { applyMiddleware } from 'graphql-middleware';
import { allow, rule, shield } from 'graphql-shield';
import type { GraphQLSchema } from 'graphql';
import { runStandalone } from '../lib/runStandalone';
import { loadSubgraphTypeDefs } from '../lib/schemaFile';
import { serveSubgraph, type SubgraphServer } from '../lib/serveSubgraph';
import { withSyncEntities } from '../lib/syncEntities';
import { FACILITY_MANAGERS, USERS, WISHLIST_SKUS } from './data';

export const NAME = 'accounts';
export const DEFAULT_PORT = 4101;

interface UserSource {
  id: string;
  name: string;
  username: string;
  birthday: number;
  wishlist: { sku: string }[];
}

interface FacilitySource {
  region: string;
  code: string;
  manager: UserSource | null;
}

const users: UserSource[] = USERS.map((user) => ({
  id: user.id,
  name: user.name,
  username: user.username,
  birthday: user.birthday,
  wishlist: (WISHLIST_SKUS[user.id] ?? []).map((sku) => ({ sku })),
}));
const usersById = new Map(users.map((user) => [user.id, user]));
const facilities = new Map<string, FacilitySource>(
  FACILITY_MANAGERS.map((facility) => [
    facilityKey(facility.region, facility.code),
    { region: facility.region, code: facility.code, manager: usersById.get(facility.managerId) ?? null },
  ]),
);

function facilityKey(region: string, code: string): string {
  return `${region}/${code}`;
}

export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs(NAME),
    resolvers: {
      Query: {
        // The gateway authenticates the caller and forwards the JWT subject as x-user-id.
        me: (_: unknown, _args: unknown, context: unknown): UserSource | null =>
          usersById.get(String((context as SubgraphContext).headers['x-user-id'])) ?? null,
        user: (_: unknown, args: { id: string }): UserSource | null => usersById.get(args.id) ?? null,
        users: (): UserSource[] => users,
      },
      User: {
        email: (user: UserSource): string => `${user.username}@example.com`,
        __resolveReference: (ref: { id: string }): UserSource | null => usersById.get(ref.id) ?? null,
      },
      Facility: {
        // The representation comes typed "Facility" (@interfaceObject): warehouse or store is inventory's business.
        // A facility nobody manages yet is still a facility, so answer it with a null manager rather than null.
        __resolveReference: (ref: { region: string; code: string }): FacilitySource =>
          facilities.get(facilityKey(ref.region, ref.code)) ?? { region: ref.region, code: ref.code, manager: null },
      },
    },
  });
  // Defence in depth: the gateway checks @authenticated; the subgraph checks that the email is the caller's own.
  const guarded = applyMiddleware(schema, shield({ User: { email: isSelf } }, { fallbackRule: allow, allowExternalErrors: true }));
  return withSyncEntities(guarded);
}

interface SubgraphContext {
  headers: IncomingHttpHeaders;
}

const isSelf = rule({ cache: 'strict' })((user: UserSource, _args: unknown, context: SubgraphContext) =>
  context.headers['x-user-id'] === user.id ? true : 'Only the user themself may read their email',
);

export function start(port = 0, host = '127.0.0.1'): Promise<SubgraphServer> {
  return serveSubgraph({ name: NAME, schema: buildSchema(), port, host });
}

if (require.main === module) runStandalone(NAME, DEFAULT_PORT, start);
