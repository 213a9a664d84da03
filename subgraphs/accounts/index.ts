// accounts subgraph: schema, resolvers and server. Resolvers return objects built once at load, so a request
// allocates little beyond what graphql-js needs.
import { buildSubgraphSchema } from '@apollo/subgraph';
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
        // No authentication in the examples: "me" is user 1, as in the benchmark.
        me: (): UserSource => users[0],
        user: (_: unknown, args: { id: string }): UserSource | null => usersById.get(args.id) ?? null,
        users: (): UserSource[] => users,
      },
      User: {
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
  return withSyncEntities(schema);
}

export function start(port = 0, host = '127.0.0.1'): Promise<SubgraphServer> {
  return serveSubgraph({ name: NAME, schema: buildSchema(), port, host });
}

if (require.main === module) runStandalone(NAME, DEFAULT_PORT, start);
