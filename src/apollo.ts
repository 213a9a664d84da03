// Everything Tollgate takes from Apollo's packages (@apollo/composition, federation-internals, query-planner,
// gateway, server, subgraph), in one place: an upgrade or a replacement touches this file only. Nothing here
// reaches into a package's `dist/` paths; what an entry point does not export is derived from types it does export
// (and test/apollo-adapter.test.ts checks the values still match the packages at run time).
// An ESLint rule (no-restricted-imports) keeps every other module importing from here.
import type { GraphQLDataSourceProcessOptions, SupergraphManager } from '@apollo/gateway';
import type { buildSubgraphSchema } from '@apollo/subgraph';

// ── composition (rover.yaml → supergraph) ─────────────────────────────────────
export { composeServices, type CompositionSuccess } from '@apollo/composition';
export { version as COMPOSITION_VERSION } from '@apollo/composition/package.json';

// ── the supergraph, its API schema and operations as the planner sees them ─────
export {
  errorCauses,
  isSubtype,
  isValidLeafValue,
  operationFromDocument,
  Supergraph,
  type CompositeType,
  type Operation,
  type Schema,
  type Selection,
  type SelectionSet,
  type Type,
  type Variable,
} from '@apollo/federation-internals';

// ── query planning ────────────────────────────────────────────────────────────
export { QueryPlanner, type FetchDataRewrite, type FetchNode, type PlanNode, type QueryPlan, type QueryPlanSelectionNode } from '@apollo/query-planner';

// ── the Apollo executor (`executor: apollo`) and the data-source contract both executors call subgraphs through ─
export { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions, type SupergraphManager } from '@apollo/gateway';
export type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
export { ApolloServer, HeaderMap, type ApolloServerPlugin, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
export { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';

/** What a supergraph manager's `initialize` receives (`SupergraphSdlHookOptions`, not exported by the entry point). */
export type SupergraphSdlHookOptions = Parameters<SupergraphManager['initialize']>[0];

type IncomingOperationOptions = Extract<GraphQLDataSourceProcessOptions, { incomingRequestContext: unknown }>;
/**
 * `GraphQLDataSourceRequestKind.INCOMING_OPERATION`: the kind of a data-source call made for a client's operation
 * (as opposed to a health check or a schema load). The enum is not exported from @apollo/gateway's entry point; its
 * value is a string, typed here through the exported options type (the cast is the enum's own value).
 */
export const INCOMING_OPERATION = 'incoming operation' as IncomingOperationOptions['kind'];

// ── subgraphs served in-process (REST sources) ─────────────────────────────────
export { buildSubgraphSchema } from '@apollo/subgraph';
type SchemaModule = Extract<Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number], { typeDefs: unknown }>;
/** `GraphQLResolverMap` (only under @apollo/subgraph's `dist/`), from the schema-module type its entry point takes. */
export type GraphQLResolverMap = NonNullable<SchemaModule['resolvers']>;
