// Wraps any data source (subgraph or REST) so each call made for a client's request is timed, classified and
// emitted as a FetchRecord, inside a tollgate.fetch span when tracing is on. The data source itself stays unaware.
import { type GraphQLDataSource, type GraphQLDataSourceProcessOptions, INCOMING_OPERATION, type GatewayGraphQLResponse } from '../apollo';
import type { TollgateContext } from '../pipeline/context';
import { ANONYMOUS_CLIENT, type FetchKind, type FetchRecord, type TelemetryHub } from './record';
import { planOf, type PlanDefaults } from './recordStage';
import type { Tracing } from './spans';

/** Codes meaning the service gave no usable answer: these count towards "subgraph down". */
const FAILURE_CODES: ReadonlySet<string> = new Set([
  'SUBGRAPH_UNAVAILABLE',
  'SUBGRAPH_TIMEOUT',
  'SUBGRAPH_BAD_RESPONSE',
  'REST_UNAVAILABLE',
  'REST_TIMEOUT',
  'REST_BAD_RESPONSE',
  'REST_UPSTREAM_ERROR',
]);

export interface FetchInstrumentation {
  hub: TelemetryHub;
  tracing?: Tracing;
  plans: PlanDefaults;
}

export function instrumentDataSource(
  inner: GraphQLDataSource<TollgateContext>,
  service: string,
  kind: FetchKind,
  { hub, tracing, plans }: FetchInstrumentation,
): GraphQLDataSource<TollgateContext> {
  return {
    async process(request: GraphQLDataSourceProcessOptions<TollgateContext>): Promise<GatewayGraphQLResponse> {
      // Health checks and schema loading are the gateway's own calls, not a client's.
      if (request.kind !== INCOMING_OPERATION) return inner.process(request);
      const startedAt = Date.now();
      const start = performance.now();
      const span = tracing?.startFetch(service, kind);
      let response: GatewayGraphQLResponse | undefined;
      try {
        response = await (span ? span.run(() => inner.process(request)) : inner.process(request));
        return response;
      } finally {
        const { principal, requestId } = request.incomingRequestContext.context;
        const [outcome, failed] = response ? classify(response) : ['exception', true];
        const record: FetchRecord = {
          service,
          kind,
          startedAt,
          durationMs: performance.now() - start,
          outcome,
          failed,
          client: principal.client ?? ANONYMOUS_CLIENT,
          plan: planOf(principal, plans),
          requestId,
        };
        span?.end(record);
        hub.fetch(record);
      }
    },
  };
}

/** `ok`, `graphql_errors`, or the first error's failure code in lower case; and whether the call failed. */
function classify(response: GatewayGraphQLResponse): [string, boolean] {
  const errors = response.errors;
  if (!errors || errors.length === 0) return ['ok', false];
  const code = errors[0].extensions?.code;
  if (typeof code === 'string' && (code.startsWith('SUBGRAPH_') || code.startsWith('REST_'))) return [code.toLowerCase(), FAILURE_CODES.has(code)];
  return ['graphql_errors', false];
}
