// The plan + execute stages: @apollo/gateway (query planner, plan cache) behind @apollo/server,
// with Tollgate's subgraph data source; or, with `executor: tollgate`, Tollgate's own executor (./plan/).
// The pipeline hands it an already received, checked request.
import { ApolloGateway, type GraphQLDataSource, ApolloServer, HeaderMap, ApolloServerPluginLandingPageDisabled, type ApolloServerPlugin, type GraphQLRequestContextWillSendResponse } from '../apollo';
import { instrumentDataSource } from '../telemetry/instrumentFetch';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import { trafficFor } from './config';
import type { LiveSupergraph } from '../compose/liveSupergraph';
import type { TollgateContext } from '../pipeline/context';
import type { ExecutionEngine, GraphQLParams, HttpAnswer } from '../pipeline/request';
import { applyPolicyOutcome, summarizeResultErrors } from '../pipeline/respond';
import { isRestRoutingUrl, restDataSource } from '../rest/registry';
import { compileHeaderRules } from './headerRules';
import { ConnectionPools, type HttpResult } from './httpClient';
import { InflightDeduper } from './inflight';
import { SubgraphDataSource } from './subgraphDataSource';
import type { EngineOptions } from './engineOptions';
import { startPlanEngine } from './plan/planEngine';

export async function startEngine(config: TollgateConfig, supergraph: LiveSupergraph, logger: Logger, options: EngineOptions = {}): Promise<ExecutionEngine> {
  // @apollo/gateway reports anonymous usage from its constructor unless this is set; Tollgate sends nothing unasked.
  process.env.APOLLO_TELEMETRY_DISABLED = '1';

  const pools = new ConnectionPools();
  const buildService = serviceBuilder(config, pools, options);
  if (config.executor === 'tollgate') return startPlanEngine(config, supergraph, logger, options, buildService, () => pools.close());
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    logger: apolloLogger(logger),
    buildService,
  });

  if (options.onSchema) {
    const onSchema = options.onSchema;
    gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => onSchema({ apiSchema, supergraphSdl: coreSupergraphSdl }));
  }

  const server = new ApolloServer<TollgateContext>({
    gateway,
    introspection: config.server.introspection,
    // The receive stage already enforced CSRF prevention, with Tollgate's error code.
    csrfPrevention: false,
    includeStacktraceInErrorResponses: false,
    // Tollgate's CLI owns SIGINT/SIGTERM (drain, flush, exit 0); Apollo's own handlers would re-send the signal.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    // Every request must carry its query text so the policy stage can check it (hash-only APQ would bypass it).
    persistedQueries: false,
    logger: apolloLogger(logger),
    // The error summary runs last, so it sees the errors the policy plugin adds.
    plugins: [ApolloServerPluginLandingPageDisabled(), policyResponsePlugin, errorSummaryPlugin],
  });
  await server.start();

  const execute = async (params: GraphQLParams, context: TollgateContext, accept: string | undefined): Promise<HttpAnswer> => {
    const headers = new HeaderMap([['content-type', 'application/json']]);
    if (accept) headers.set('accept', accept);
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body: params },
      context: () => Promise.resolve(context),
    });
    let body: string;
    if (response.body.kind === 'complete') {
      body = response.body.string;
    } else {
      // Incremental delivery is not planned by @apollo/gateway; collect defensively rather than stream.
      body = '';
      for await (const chunk of response.body.asyncIterator) body += chunk;
    }
    return { status: response.status ?? 200, headers: [...response.headers], body, actualCost: context.cost?.actual, errors: context.telemetry.answerErrors };
  };

  return {
    execute,
    stop: async () => {
      await server.stop();
      await pools.close();
    },
  };
}

/**
 * The data source for each subgraph: REST served in-process, or Tollgate's HTTP client; instrumented when asked.
 * Exported for the subscription path (src/subscriptions/), whose entity fetches go through the same kind of sources.
 */
export function serviceBuilder(config: TollgateConfig, pools: ConnectionPools, options: EngineOptions) {
  const tracing = options.fetches?.tracing;
  // Identical subgraph queries in flight (traffic.dedupe) share one call — among this builder's sources only.
  const inflight = new InflightDeduper<HttpResult>();
  return ({ name, url }: { name: string; url?: string }): GraphQLDataSource<TollgateContext> => {
    if (!url) throw new Error(`subgraph "${name}" has no routing URL in the supergraph`);
    // A REST description served in-process (src/rest/): loaded and checked before the supergraph was swapped in.
    if (isRestRoutingUrl(url)) {
      const rest = restDataSource(options.rest, name, url);
      return options.fetches ? instrumentDataSource(rest, name, 'rest', options.fetches) : rest;
    }
    const traffic = trafficFor(config, name);
    const source = new SubgraphDataSource({
      name,
      url,
      ...traffic,
      timeoutMs: traffic.timeout,
      headerPlan: compileHeaderRules([...config.headers.all, ...(config.headers.subgraphs[name] ?? [])]),
      requestIdHeader: config.server.requestIdHeader,
      claimHeaders: config.authentication.forwardClaims,
      pools,
      inflight,
      injectTraceContext: tracing ? (headers) => tracing.inject(headers) : undefined,
    });
    return options.fetches ? instrumentDataSource(source, name, 'subgraph', options.fetches) : source;
  };
}

/** The respond stage's policy outcome (removals, actual cost), on Apollo Server's result before it is serialised. */
const policyResponsePlugin: ApolloServerPlugin<TollgateContext> = {
  async requestDidStart({ contextValue }) {
    const policy = contextValue.policy;
    if ((!policy || policy.removals.length === 0) && !contextValue.cost) return;
    return {
      async willSendResponse({ response }) {
        if (response.body.kind === 'single') applyPolicyOutcome(response.body.singleResult, contextValue);
      },
    };
  },
};

/** Summarises the answer's errors for the record stage; the same hooks object for every request (nothing allocated). */
const errorSummaryHooks = {
  async willSendResponse({ response, contextValue }: GraphQLRequestContextWillSendResponse<TollgateContext>) {
    if (response.body.kind === 'single') summarizeResultErrors(response.body.singleResult, contextValue);
  },
};
const errorSummaryPlugin: ApolloServerPlugin<TollgateContext> = { requestDidStart: async () => errorSummaryHooks };

/** Apollo's logger interface over pino, so its messages are structured like ours. */
function apolloLogger(logger: Logger) {
  const child = logger.child({ component: 'apollo' });
  return {
    debug: (message: string) => child.debug(message),
    info: (message: string) => child.info(message),
    warn: (message: string) => child.warn(message),
    error: (message: string) => child.error(message),
  };
}
