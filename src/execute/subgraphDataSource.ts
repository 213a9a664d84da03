// How the gateway calls one subgraph: header rules, request id, deadline, in-flight dedup, coded failures, and
// the bounds on what an answer may be (size, error count, shape: ./subgraphResponse.ts).
// Failures come back as a GraphQL response with an error (not a throw), so @apollo/gateway attaches the
// fetch's path, keeps our `extensions.code`, and returns the rest of the data.
import { type GraphQLDataSource, type GraphQLDataSourceProcessOptions, INCOMING_OPERATION, type GatewayGraphQLResponse } from '../apollo';
import type { GraphQLFormattedError } from 'graphql';
import type { ErrorCode } from '../errors';
import type { TollgateContext } from '../pipeline/context';
import { forwardClaims } from '../identity/forwardClaims';
import { subgraphFetchKey } from './fetchKey';
import type { HeaderPlan } from './headerRules';
import { httpCall, HttpCallError, type ConnectionPools, type HttpResult } from './httpClient';
import { InflightDeduper } from './inflight';
import { boundSubgraphResponse, droppedErrorsError } from './subgraphResponse';

export interface SubgraphCallOptions {
  name: string;
  url: string;
  timeoutMs: number;
  dedupe: boolean;
  connections: number;
  /** Largest body read (bytes), `traffic.maxResponseSize`. */
  maxResponseSize: number;
  /** Errors kept per answer, `traffic.maxErrorsPerResponse`; one more error counts the dropped rest. */
  maxErrorsPerResponse: number;
  headerPlan: HeaderPlan;
  requestIdHeader: string;
  /** Verified JWT claims sent as headers: claim → header name. */
  claimHeaders: Readonly<Record<string, string>>;
  pools: ConnectionPools;
  /** Where identical queries in flight meet (with `dedupe`): one per gateway, never process-wide. */
  inflight: InflightDeduper<HttpResult>;
  /** With tracing on: writes traceparent for the active tollgate.fetch span (after the header rules, so it wins). */
  injectTraceContext?: (headers: Record<string, string>) => void;
}

export class SubgraphDataSource implements GraphQLDataSource<TollgateContext> {
  private readonly path: string;
  private readonly pool;
  /** Errors made here (not by the subgraph), which get the fetch's path. */
  private readonly ownErrors = new WeakSet<GraphQLFormattedError>();
  private readonly skipInKey: (name: string) => boolean;

  constructor(private readonly options: SubgraphCallOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.pool = options.pools.get(url.origin, { connections: options.connections, connectTimeoutMs: Math.min(options.timeoutMs, 10_000) });
    this.skipInKey = (name) => perCallerHeader(name, options.requestIdHeader);
  }

  async process(request: GraphQLDataSourceProcessOptions<TollgateContext>): Promise<GatewayGraphQLResponse> {
    const { query, variables, operationName } = request.request;
    const body = JSON.stringify({ query, variables, operationName });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };

    let atPath = false;
    if (request.kind === INCOMING_OPERATION) {
      const context = request.incomingRequestContext.context;
      atPath = (request.pathInIncomingRequest?.length ?? 0) > 0;
      Object.assign(headers, this.options.headerPlan(context.headers));
      headers[this.options.requestIdHeader] = context.requestId;
      forwardClaims(headers, this.options.claimHeaders, context.principal.claims);
      this.options.injectTraceContext?.(headers);
    }

    const call = () => httpCall(this.pool, { method: 'POST', path: this.path, headers, body }, this.options.timeoutMs, this.options.maxResponseSize);
    let result: HttpResult;
    try {
      // Only queries are shared; the request id and trace context differ per caller and stay out of the key.
      result = this.options.dedupe && isQuery(query) ? await this.options.inflight.run(subgraphFetchKey(this.options.url, headers, body, this.skipInKey), call) : await call();
    } catch (error) {
      return this.atFetchPath(this.failure(error), atPath);
    }
    return this.atFetchPath(this.parse(result), atPath);
  }

  /**
   * Our own errors carry no path; an empty one makes @apollo/gateway put the fetch's path on them
   * (e.g. ["products", "@"] for an entity fetch under `products`), as Apollo Router reports failed fetches.
   */
  private atFetchPath(response: GatewayGraphQLResponse, atPath: boolean): GatewayGraphQLResponse {
    if (atPath && response.errors) {
      // At most maxErrorsPerResponse + 1 errors by now.
      for (const error of response.errors as Array<GraphQLFormattedError & { path?: ReadonlyArray<string | number> }>) if (this.ownErrors.has(error)) error.path = [];
    }
    return response;
  }

  private parse(result: HttpResult): GatewayGraphQLResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.body);
    } catch {
      return this.error('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.options.name}" answered HTTP ${result.status} with a body that is not JSON`, {
        upstreamStatus: result.status,
        contentType: result.contentType ?? null,
      });
    }
    const isGraphQLResponse = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && ('data' in parsed || 'errors' in parsed);
    if (!isGraphQLResponse) {
      return this.error('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.options.name}" answered HTTP ${result.status} with JSON that is not a GraphQL response`, {
        upstreamStatus: result.status,
      });
    }
    const bounded = boundSubgraphResponse(parsed as Record<string, unknown>, this.options.maxErrorsPerResponse);
    if (!bounded.ok) {
      return this.error('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.options.name}" answered HTTP ${result.status} with a malformed GraphQL response: ${bounded.problem}`, {
        upstreamStatus: result.status,
      });
    }
    const response = bounded.response;
    if (bounded.dropped > 0) {
      const counted = droppedErrorsError(this.options.name, bounded.errorCount, this.options.maxErrorsPerResponse);
      this.ownErrors.add(counted);
      response.errors = [...(response.errors ?? []), counted];
    }
    if (result.status >= 200 && result.status < 300) return response;
    // A non-2xx answer that still carries GraphQL errors (graphql-response+json) keeps them; otherwise it is a bad response.
    if (Array.isArray(response.errors) && response.errors.length > 0) return response;
    return this.error('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.options.name}" answered HTTP ${result.status}`, { upstreamStatus: result.status });
  }

  private failure(error: unknown): GatewayGraphQLResponse {
    if (error instanceof HttpCallError && error.kind === 'timeout') {
      return this.error('SUBGRAPH_TIMEOUT', `Subgraph "${this.options.name}" did not answer within ${this.options.timeoutMs}ms`, {
        timeoutMs: this.options.timeoutMs,
      });
    }
    if (error instanceof HttpCallError && error.kind === 'too-large') {
      const max = this.options.maxResponseSize;
      return this.error('SUBGRAPH_BAD_RESPONSE', `Subgraph "${this.options.name}" answered with a body larger than traffic.maxResponseSize (${max} bytes)`, {
        maxResponseSize: max,
      });
    }
    const cause = error instanceof HttpCallError ? error.causeCode ?? error.message : String(error);
    return this.error('SUBGRAPH_UNAVAILABLE', `Subgraph "${this.options.name}" is unavailable (${cause})`);
  }

  private error(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GatewayGraphQLResponse {
    const error: GraphQLFormattedError = { message, extensions: { code, subgraph: this.options.name, ...extra } };
    this.ownErrors.add(error);
    return { errors: [error] };
  }

}

/** The planner writes subgraph operations as `{…}`, `query …` or `mutation …`. */
function isQuery(operation: string | undefined): boolean {
  if (!operation) return false;
  const start = operation.trimStart();
  return !start.startsWith('mutation') && !start.startsWith('subscription');
}

/** Headers that differ per caller without changing the answer: the request id and the trace context. */
function perCallerHeader(name: string, requestIdHeader: string): boolean {
  return name === requestIdHeader || name === 'traceparent' || name === 'tracestate';
}
