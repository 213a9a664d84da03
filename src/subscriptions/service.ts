// The subscription stages, shared by every protocol (WebSocket, SSE): parse + limits (pipeline/analyzeOperation),
// the policy stage (authorization, rate limits, cost — charged once, on subscribe), per-client caps, validation and
// planning (./plans.ts), then the upstream subscription (./upstream.ts, shared between identical ones) whose every
// event is completed by the plan's `rest` (entity fetches through the subgraphs' data sources), shaped like a query
// answer, filtered by the policy outcome, and queued to the client's bounded stream (./stream.ts).
// Authentication is the protocol adapter's job (at connection time); the principal arrives here.
import type { IncomingHttpHeaders } from 'node:http';
import { getVariableValues, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import type { ErrorCode } from '../errors';
import type { BuildService } from '../execute/engineOptions';
import { compileHeaderRules, type HeaderPlan } from '../execute/headerRules';
import { executePlanNodeFrom } from '../execute/plan/executePlan';
import { shapeResponse } from '../execute/plan/shape';
import type { Principal } from '../identity/principal';
import type { PersistedOperations } from '../persisted/registry';
import { OperationAnalyzer } from '../pipeline/analyzeOperation';
import type { TollgateContext } from '../pipeline/context';
import { applyPolicyOutcome } from '../pipeline/respond';
import type { PolicyStage, SchemaState } from '../policy/stage';
import { MAX_MESSAGE_LENGTH, truncate } from '../util/bounded';
import type { Protocol, SubscriptionMetrics } from './metrics';
import { SupergraphPlans, webSocketUrlFor, type SubscriptionPlan } from './plans';
import { EventStream, type StreamResult } from './stream';
import { UpstreamHub, type UpstreamEvent } from './upstream';

export interface SubscriptionRequest {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

/** Who subscribes, as authenticated by the protocol adapter when the connection opened. */
export interface Subscriber {
  protocol: Protocol;
  principal: Principal;
  /** Headers of the connection (upgrade or SSE request), for header rules towards subgraphs. */
  headers: IncomingHttpHeaders;
  clientIp: string;
  requestId: string;
}

export type SubscribeOutcome =
  | { kind: 'rejected'; errors: GraphQLFormattedError[] }
  | { kind: 'stream'; stream: EventStream; document: DocumentNode; schema: GraphQLSchema };

export interface SubscriptionDeps {
  config: TollgateConfig;
  logger: Logger;
  policies: PolicyStage;
  buildService: BuildService;
  metrics: SubscriptionMetrics;
  /** Persisted operations: ids resolved and safelists enforced exactly as on the HTTP pipeline. */
  persisted: PersistedOperations;
}

interface Open {
  stream: EventStream;
  protocol: Protocol;
}

export class SubscriptionService {
  private plans?: SupergraphPlans;
  private readonly analyzer: OperationAnalyzer;
  private readonly hub: UpstreamHub;
  private readonly open = new Set<Open>();
  private readonly perClient = new Map<string, number>();
  private readonly headerPlans = new Map<string, HeaderPlan>();
  private closing = false;

  constructor(private readonly deps: SubscriptionDeps) {
    this.analyzer = new OperationAnalyzer(deps.config.limits, { subscriptions: true });
    this.hub = new UpstreamHub(deps.config.subscriptions.keepAlive, { onOpen: (s, d) => deps.metrics.upstream(s, d), onEvent: (s) => deps.metrics.event(s) });
  }

  /** Open client subscriptions and upstream subscriptions (tests and /ready read them). */
  get counts(): { clients: number; upstreams: number } {
    return { clients: this.open.size, upstreams: this.hub.size };
  }

  /**
   * A supergraph (re)load. Open subscriptions end with SUBSCRIPTION_SCHEMA_RELOAD when the supergraph changed
   * (Apollo Router's behaviour): their plans and shapes were made for the old one. Queries are unaffected.
   */
  setSchema(state: SchemaState): void {
    if (this.plans?.sdl === state.supergraphSdl) return;
    const previous = this.plans;
    this.plans = new SupergraphPlans(state.supergraphSdl, this.deps.buildService);
    if (!previous) return;
    this.endAll({ errors: [{ message: 'The supergraph was reloaded; subscribe again.', extensions: { code: 'SUBSCRIPTION_SCHEMA_RELOAD' } }] });
  }

  /** Graceful shutdown: every subscription completes (no error), then every upstream closes. */
  shutdown(): void {
    this.closing = true;
    this.endAll(undefined);
    this.hub.closeAll();
  }

  async subscribe(request: SubscriptionRequest, subscriber: Subscriber): Promise<SubscribeOutcome> {
    const { config } = this.deps;
    if (this.closing) return rejected('SUPERGRAPH_NOT_READY', 'The gateway is shutting down.');
    const plans = this.plans;
    if (!plans) return rejected('SUPERGRAPH_NOT_READY', 'No supergraph is loaded yet; see /ready.');
    if (request.query !== undefined && typeof request.query !== 'string') return rejected('BAD_REQUEST', 'A subscription needs a "query" string.');
    const maxName = config.limits.maxOperationNameLength;
    if (request.operationName !== undefined && maxName > 0 && request.operationName.length > maxName) {
      return rejected('OPERATION_NAME_TOO_LONG', `"operationName" is longer than ${maxName} characters (limits.maxOperationNameLength).`);
    }
    if (expired(subscriber.principal, Date.now())) return rejected('SUBSCRIPTION_TOKEN_EXPIRED', 'The token has expired; reconnect with a fresh one.');

    // ── persisted operations ── (as over HTTP: the caller's mode decides what text may run; a safelist holds here too)
    const resolution = await this.deps.persisted.resolve({ query: request.query, extensions: request.extensions, operationName: request.operationName }, subscriber.principal);
    if (!resolution.ok) return rejected(resolution.code, resolution.message);
    const query = resolution.query;
    if (query === '') return rejected('BAD_REQUEST', 'A subscription needs a "query" string.');

    // ── parse ──
    const analysis = this.analyzer.analyze(query, request.operationName);
    if (analysis.kind === 'rejected') return { kind: 'rejected', errors: [{ message: truncate(analysis.message, MAX_MESSAGE_LENGTH), extensions: { code: analysis.code, ...analysis.extensions } }] };
    if (resolution.unlisted) this.deps.persisted.audit(analysis.hash, request.operationName, subscriber.principal.client);
    if (analysis.operationType !== 'subscription') {
      return rejected('BAD_REQUEST', `Only subscriptions are served over ${subscriber.protocol === 'ws' ? 'WebSocket' : 'Server-Sent Events'} so far; send queries and mutations over HTTP POST.`);
    }
    const operationName = analysis.operation.name?.value;

    // ── policy ── (every subscription is judged before anything is planned or opened)
    const outcome = await this.deps.policies.run({
      query,
      operationName,
      variables: request.variables,
      document: analysis.document,
      operation: analysis.operation,
      principal: subscriber.principal,
      clientIp: subscriber.clientIp,
      wantsCost: false,
      requestId: subscriber.requestId,
    });
    if (outcome.kind === 'reject') return { kind: 'rejected', errors: outcome.errors };
    const context: TollgateContext = { requestId: subscriber.requestId, headers: subscriber.headers, principal: subscriber.principal, clientIp: subscriber.clientIp, telemetry: {} };
    if (outcome.removals.length > 0) context.policy = { removals: outcome.removals, typenameHelper: outcome.typenameHelper };
    const executed = outcome.removals.length > 0 ? this.analyzer.analyze(outcome.query, operationName) : analysis;
    if (executed.kind === 'rejected') return rejected('INTERNAL_SERVER_ERROR', 'The policy-filtered subscription did not parse.');

    // ── validate + plan ──
    const prepared = plans.prepare(outcome.query, operationName, executed.document);
    if (!prepared.ok) return { kind: 'rejected', errors: prepared.errors.map((e) => ({ ...e, extensions: { ...e.extensions, code: prepared.code } })) };
    const variableDefinitions = analysis.operation.variableDefinitions ?? [];
    if (variableDefinitions.length > 0) {
      const coerced = getVariableValues(plans.apiSchema, variableDefinitions, request.variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return { kind: 'rejected', errors: coerced.errors.map((e) => ({ message: truncate(e.message, MAX_MESSAGE_LENGTH), extensions: { code: 'BAD_USER_INPUT' } })) };
    }

    // ── caps ──
    const client = clientKey(subscriber);
    const held = this.perClient.get(client) ?? 0;
    if (held >= config.subscriptions.maxPerClient) {
      return rejected('SUBSCRIPTION_LIMIT_EXCEEDED', `This client already holds ${held} open subscriptions (subscriptions.maxPerClient).`);
    }

    // ── open ──
    const stream = new EventStream(config.subscriptions.maxBufferedEvents);
    const entry: Open = { stream, protocol: subscriber.protocol };
    this.open.add(entry);
    this.perClient.set(client, held + 1);
    this.deps.metrics.subscription(subscriber.protocol, 1);
    const started = Date.now();
    let events = 0;
    const leave = this.join(plans, prepared.plan, request.variables ?? {}, context, stream, () => (events += 1));
    const expiry: { timer?: { clear(): void } } = {};
    stream.whenEnded((reason) => {
      leave();
      expiry.timer?.clear();
      this.open.delete(entry);
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left <= 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
      this.deps.metrics.subscription(subscriber.protocol, -1);
      // The access log of a subscription: one line when it ends.
      this.deps.logger.info({ requestId: subscriber.requestId, protocol: subscriber.protocol, operationName, client: subscriber.principal.client, events, durationMs: Date.now() - started, reason }, 'subscription ended');
    });
    // After whenEnded: a token expiring right now ends the stream through the same bookkeeping.
    // Only while open: a stream `join` already ended (no routing URL) must not keep a timer until `exp`.
    if (stream.isOpen) expiry.timer = expiryTimer(subscriber.principal, stream);
    return { kind: 'stream', stream, document: executed.document, schema: plans.apiSchema };
  }

  /** Subscribes upstream; each event is completed, shaped and queued in order. Returns how to leave. */
  private join(plans: SupergraphPlans, plan: SubscriptionPlan, variables: Record<string, unknown>, context: TollgateContext, stream: EventStream, counted: () => void): () => void {
    const { primary } = plan;
    const subgraph = primary.serviceName;
    const routingUrl = plans.routingUrls.get(subgraph);
    if (!routingUrl) {
      stream.end({ errors: [{ message: `Subgraph "${subgraph}" has no routing URL.`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      return () => undefined;
    }
    const upstreamVariables: Record<string, unknown> = {};
    for (const name of primary.variableUsages ?? []) if (Object.prototype.hasOwnProperty.call(variables, name)) upstreamVariables[name] = variables[name];
    const run = {
      sources: plans.sources,
      supergraphSchema: plans.supergraphSchema,
      variables,
      conditionVariables: { ...plan.shape.defaultedVariables, ...variables },
      context,
    };
    // Events complete asynchronously (entity fetches) but reach the client in the order they came.
    let chain: Promise<void> = Promise.resolve();
    let pending = 0;
    const max = this.deps.config.subscriptions.maxBufferedEvents;
    const onEvent = (event: UpstreamEvent) => {
      if (!stream.isOpen) return;
      if (event.kind === 'next' && pending >= max) {
        // The gateway cannot complete events as fast as they come (slow entity fetches): bounded like a slow client.
        stream.end({ errors: [{ message: `Events arrived faster than they could be completed (more than ${max} waiting); the subscription was ended.`, extensions: { code: 'SUBSCRIPTION_CLIENT_TOO_SLOW' } }] }, 'too-slow');
        return;
      }
      pending += 1;
      chain = chain.then(async () => {
        pending -= 1;
        if (!stream.isOpen) return;
        if (event.kind === 'complete') return stream.end();
        if (event.kind === 'error') return stream.end({ errors: event.errors });
        stream.push(await completeEvent(plan, run, event.data, event.errors, context));
        counted();
      });
    };
    const headers = this.forwardedHeaders(subgraph, context);
    const url = webSocketUrlFor(routingUrl, this.deps.config.subscriptions.subgraphs[subgraph]?.url);
    return this.hub.join({ subgraph, url, query: primary.operation, operationName: primary.operationName, variables: upstreamVariables, headers }, onEvent);
  }

  /** Header rules and forwarded claims, as SubgraphDataSource sends them (no request id: it would split sharing). */
  private forwardedHeaders(subgraph: string, context: TollgateContext): Record<string, string> {
    const { config } = this.deps;
    let plan = this.headerPlans.get(subgraph);
    if (!plan) {
      plan = compileHeaderRules([...config.headers.all, ...(config.headers.subgraphs[subgraph] ?? [])]);
      this.headerPlans.set(subgraph, plan);
    }
    const headers = plan(context.headers);
    const claims = context.principal.claims;
    for (const claim in config.authentication.forwardClaims) {
      const header = config.authentication.forwardClaims[claim];
      delete headers[header];
      const value = claims[claim];
      if (value !== undefined && value !== null) headers[header] = Array.isArray(value) ? value.join(' ') : String(value);
    }
    return headers;
  }

  private endAll(last: StreamResult | undefined): void {
    for (const { stream } of [...this.open]) stream.end(last);
  }
}

/** One event: the primary's data, completed by the rest of the plan, shaped, then the policy removals applied. */
async function completeEvent(
  plan: SubscriptionPlan,
  run: Parameters<typeof executePlanNodeFrom>[2],
  data: Record<string, unknown> | null | undefined,
  upstreamErrors: GraphQLFormattedError[] | undefined,
  context: TollgateContext,
): Promise<StreamResult> {
  if (!data) return { data: null, errors: upstreamErrors ?? [{ message: 'The subgraph sent an event without data.', extensions: { code: 'SUBGRAPH_BAD_RESPONSE' } }] };
  let result: StreamResult;
  try {
    // Each client completes its own copy: entity fetches merge in place, and clients may differ in identity.
    const executed = await executePlanNodeFrom(plan.rest, structuredClone(data), run);
    const shaped = shapeResponse(plan.shape, executed.data, run.variables, () => null);
    const errors = [...(upstreamErrors ?? []), ...executed.errors];
    result = errors.length > 0 ? { errors, data: shaped.data } : { data: shaped.data };
  } catch (error) {
    result = { errors: [{ message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
  }
  // Authorization filtering on every event: removed fields become null with their error, as in a query answer.
  applyPolicyOutcome(result, context);
  return result;
}

function rejected(code: ErrorCode, message: string): SubscribeOutcome {
  return { kind: 'rejected', errors: [{ message, extensions: { code } }] };
}

/** Caps are per client: the token's subject or the API key's client, else (anonymous) the IP. */
function clientKey(subscriber: Subscriber): string {
  const { principal } = subscriber;
  if (!principal.authenticated) return `ip:${subscriber.clientIp}`;
  return `${principal.kind}:${principal.subject ?? principal.client ?? principal.key}`;
}

function expiresAt(principal: Principal): number | undefined {
  const exp = principal.claims.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

function expired(principal: Principal, now: number): boolean {
  const at = expiresAt(principal);
  return at !== undefined && at <= now;
}

/**
 * Ends the stream with SUBSCRIPTION_TOKEN_EXPIRED when the token's `exp` passes. Timers run on a monotonic clock and
 * may fire a little before the wall clock reaches `exp`, and hold at most ~24 days: either way the timer is armed
 * again for what is left, so a subscription never outlives its token.
 */
function expiryTimer(principal: Principal, stream: EventStream): { clear(): void } | undefined {
  const at = expiresAt(principal);
  if (at === undefined) return undefined;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = at - Date.now();
    if (left <= 0) {
      stream.end({ errors: [{ message: 'The token this subscription was authenticated with has expired.', extensions: { code: 'SUBSCRIPTION_TOKEN_EXPIRED' } }] });
      return;
    }
    timer = setTimeout(arm, Math.min(left, 2_000_000_000));
    timer.unref();
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
