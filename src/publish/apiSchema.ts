// The API schema a supergraph serves — what clients can query — built the way @apollo/gateway builds it
// (federation-internals' Supergraph → apiSchema, @inaccessible removed). Checks diff and validate against it.
import { Supergraph } from '../apollo';
import type { GraphQLSchema } from 'graphql';
import { relaxTollgateEnforcedLinks } from '../compose/securityLinks';

/** Throws when the SDL is not a supergraph @apollo/gateway would load (see validateSupergraph.ts). */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(relaxTollgateEnforcedLinks(supergraphSdl)).apiSchema().toGraphQLJSSchema();
}
