// Says whether @apollo/gateway 2.x would load a supergraph SDL, by running the same federation-internals steps
// its `updateWithSupergraphSdl` runs (see @apollo/gateway/dist/index.js). Used before every hot-reload swap.

import { errorCauses, Supergraph } from '../apollo';
import type { GraphQLError } from 'graphql';

export type SupergraphVerdict =
  | { ok: true }
  | {
      ok: false;
      message: string;
      /** Apollo's codes for what was refused, e.g. UNSUPPORTED_LINKED_FEATURE, INVALID_FEDERATION_SUPERGRAPH. */
      codes: string[];
    };

export interface ValidateSupergraphOptions {
  /**
   * Run GraphQL schema validation too. The gateway's own default is `NODE_ENV !== 'production'`
   * (GatewayConfig.validateSupergraph); we default to validating, since a reload guard should err on refusing.
   * @default true
   */
  validateSupergraph?: boolean;
}

function describeCause(cause: GraphQLError): string {
  const code = typeof cause.extensions.code === 'string' ? `${cause.extensions.code}: ` : '';
  const where = cause.locations?.[0] ? ` (line ${cause.locations[0].line}:${cause.locations[0].column})` : '';
  return `${code}${cause.message}${where}`;
}

/**
 * Steps, in the gateway's order, each of which throws on what the gateway refuses:
 * - `Supergraph.build` parses the SDL, requires a core schema using a known join spec version, and — with the
 *   gateway's feature set (DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES: core, join, tag, inaccessible) — refuses any
 *   `@link(…, for: SECURITY | EXECUTION)` outside that set, e.g. authenticated, requiresScopes, policy, context, connect.
 * - `toGraphQLJSSchema()` / `apiSchema()` are what the gateway serves; the API schema step checks @inaccessible use.
 * - `subgraphs()` extracts the subgraphs from the join directives, which the query planner needs first.
 * Skipped: building the QueryPlanner's query graph, roughly doubling the cost for failures we have not seen it add.
 */
export function validateSupergraphSdl(sdl: string, options: ValidateSupergraphOptions = {}): SupergraphVerdict {
  try {
    const supergraph = Supergraph.build(sdl, { validateSupergraph: options.validateSupergraph ?? true });
    supergraph.schema.toGraphQLJSSchema();
    supergraph.apiSchema().toGraphQLJSSchema();
    supergraph.subgraphs();
    return { ok: true };
  } catch (err) {
    const causes = err instanceof Error ? errorCauses(err) : undefined;
    if (causes && causes.length > 0) {
      return {
        ok: false,
        message: causes.map(describeCause).join('; '),
        // graphql-js syntax errors carry no code; the message says "Syntax Error".
        codes: [...new Set(causes.flatMap((c) => (typeof c.extensions.code === 'string' ? [c.extensions.code] : [])))],
      };
    }
    return { ok: false, message: err instanceof Error ? err.message : String(err), codes: [] };
  }
}
