// src/apollo.ts restates two things @apollo/gateway keeps behind its `dist/` paths; this checks they still match the
// installed packages, so an upgrade that changes them fails here rather than in a request.
import path from 'node:path';
import * as apollo from '../src/apollo';

describe('the Apollo adapter', () => {
  it("INCOMING_OPERATION is @apollo/gateway's GraphQLDataSourceRequestKind.INCOMING_OPERATION", () => {
    const typesModule = path.join(path.dirname(require.resolve('@apollo/gateway')), 'datasources', 'types.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the enum is only reachable by file path
    const { GraphQLDataSourceRequestKind } = require(typesModule) as { GraphQLDataSourceRequestKind: Record<string, string> };
    expect(apollo.INCOMING_OPERATION).toBe(GraphQLDataSourceRequestKind.INCOMING_OPERATION);
  });

  it('exports the run-time pieces the gateway uses', () => {
    for (const name of ['composeServices', 'Supergraph', 'operationFromDocument', 'QueryPlanner', 'ApolloGateway', 'ApolloServer', 'HeaderMap', 'buildSubgraphSchema']) {
      expect(typeof (apollo as Record<string, unknown>)[name]).toBe('function');
    }
    expect(apollo.COMPOSITION_VERSION).toMatch(/^2\.14\./);
  });
});
