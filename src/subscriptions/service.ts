// The subscription stages, shared by every protocol (WebSocket, SSE): parse + limits (pipeline/analyzeOperation),
// the policy stage (authorization, rate limits, cost — charged on subscribe, and per event with
// subscriptions.limitEvents), per-client caps, validation and
// planning (./plans.ts), then the upstream subscription (./upstream.ts, shared between identical ones) whose every
// event is completed by the plan's `rest` (entity fetches through the subgraphs' data sources), shaped like a query
// answer, filtered by the policy outcome, and queued to the client's bounded stream (./stream.ts).
// Authentication is the protocol adapter's job (at connection time); the principal arrives here.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { getVariableValues, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import type { ErrorCode } from '../errors';
import type { BuildService } from '../execute/engineOptions';
import { compileHeaderRules, type HeaderPlan } from '../execute/headerRules';
import { executeExecNodeFrom } from '../execute/plan/executePlan';
import { shapeResponse } from '../execute/plan/shape';
import { forwardClaims } from '../identity/forwardClaims';
import { clientIpOf, type ProxyMatcher } from '../identity/clientIp';
import type { Principal } from '../identity/principal';
import type { PersistedOperations } from '../persisted/registry';
import { OperationAnalyzer } from '../pipeline/analyzeOperation';
import type { TollgateContext } from '../pipeline/context';
import { applyPolicyOutcome } from '../pipeline/respond';
import { measureActualCost } from '../policy/cost/policy';
import type { PolicyInput, PolicyOutcome, PolicyRemoval, PolicyStage, SchemaState } from '../policy/stage';
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

/** Who an SSE or multipart request (or a WebSocket upgrade) subscribes as, once authenticated. */
export function subscriberOf(protocol: Protocol, req: IncomingMessage, principal: Principal, trusted: ProxyMatcher, requestId: string): Subscriber {
  return { protocol, principal, headers: req.headers, clientIp: clientIpOf(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted), requestId };
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
  /** The served supergraph's SDL; its SupergraphPlans are built by the first subscription that needs them. */
  private sdl?: string;
  private plans?: SupergraphPlans;
  private readonly analyzer: OperationAnalyzer;
  private readonly hub: UpstreamHub;
  private readonly open = new Set<Open>();
  private readonly perClient = new Map<string, number>();
  /** Open connections (WebSockets, SSE and multipart streams) per client, for subscriptions.maxConnectionsPerClient. */
  private readonly connectionsPerClient = new Map<string, number>();
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
    if (this.sdl === state.supergraphSdl) return;
    const previous = this.sdl;
    // Lazily (plansNow): a second Supergraph, API schema and query planner per reload would be held in memory by
    // every gateway, including the many that never serve a subscription.
    this.sdl = state.supergraphSdl;
    this.plans = undefined;
    if (previous === undefined) return;
    this.endAll({ errors: [{ message: 'The supergraph was reloaded; subscribe again.', extensions: { code: 'SUBSCRIPTION_SCHEMA_RELOAD' } }] });
  }

  /** The plans of the served supergraph, built on first use (the SDL was validated when it was loaded). */
  private plansNow(): SupergraphPlans | undefined {
    if (this.sdl === undefined) return undefined;
    if (this.plans?.sdl !== this.sdl) this.plans = new SupergraphPlans(this.sdl, this.deps.buildService, this.deps.config.planner);
    return this.plans;
  }

  /** Graceful shutdown: every subscription completes (no error), then every upstream closes. */
  shutdown(): void {
    this.closing = true;
    this.endAll(undefined);
    this.hub.closeAll();
  }

  /**
   * Takes one of the client's connection slots (subscriptions.maxConnectionsPerClient), or answers the coded refusal.
   * Check and take happen in one synchronous step, so connections racing each other cannot both get the last slot.
   * `release` is idempotent: every way a connection ends may call it.
   */
  openConnection(who: Pick<Subscriber, 'principal' | 'clientIp'>): { ok: true; release: () => void } | { ok: false; errors: GraphQLFormattedError[] } {
    const max = this.deps.config.subscriptions.maxConnectionsPerClient;
    const client = clientKey(who);
    const held = this.connectionsPerClient.get(client) ?? 0;
    if (held >= max) {
      return { ok: false, errors: [{ message: `This client already holds ${held} open subscription connections (subscriptions.maxConnectionsPerClient).`, extensions: { code: 'SUBSCRIPTION_CONNECTION_LIMIT_EXCEEDED' } }] };
    }
    this.connectionsPerClient.set(client, held + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.connectionsPerClient.get(client) ?? 1) - 1;
        if (left <= 0) this.connectionsPerClient.delete(client);
        else this.connectionsPerClient.set(client, left);
      },
    };
  }

  /** Whether this text is a subscription operation (parse cached); the multipart HTTP entry asks before taking a request. */
  isSubscription(query: string, operationName: string | undefined): boolean {
    const analysis = this.analyzer.analyze(query, operationName);
    return analysis.kind !== 'rejected' && analysis.operationType === 'subscription';
  }

  async subscribe(request: SubscriptionRequest, subscriber: Subscriber): Promise<SubscribeOutcome> {
    const outcome = await this.admit(request, subscriber);
    // Refusals are counted and logged like refused requests (telemetry/subscriptions.ts).
    if (outcome.kind === 'rejected') this.deps.metrics.refused(subscriber.protocol, subscriber.requestId, subscriber.principal, outcome.errors);
    return outcome;
  }

  private async admit(request: SubscriptionRequest, subscriber: Subscriber): Promise<SubscribeOutcome> {
    const { config } = this.deps;
    if (this.closing) return rejected('SUPERGRAPH_NOT_READY', 'The gateway is shutting down.');
    let plans: SupergraphPlans | undefined;
    try {
      plans = this.plansNow();
    } catch (error) {
      // Built from an SDL the gateway already serves, so this is not expected; a coded answer, never a crash.
      this.deps.logger.error({ err: error }, 'building the subscription planner failed');
      return rejected('INTERNAL_SERVER_ERROR', 'Subscriptions cannot be planned for this supergraph.');
    }
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
      return rejected('BAD_REQUEST', `Only subscriptions are served over ${PROTOCOL_NAMES[subscriber.protocol]} so far; send queries and mutations over HTTP POST.`);
    }
    const operationName = analysis.operation.name?.value;

    // ── policy ── (every subscription is judged before anything is planned or opened)
    const policyInput: PolicyInput = {
      query,
      operationName,
      variables: request.variables,
      document: analysis.document,
      operation: analysis.operation,
      principal: subscriber.principal,
      clientIp: subscriber.clientIp,
      wantsCost: false,
      requestId: subscriber.requestId,
    };
    const outcome = await this.deps.policies.run(policyInput);
    if (outcome.kind === 'reject') return { kind: 'rejected', errors: outcome.errors };
    const context: TollgateContext = { requestId: subscriber.requestId, headers: subscriber.headers, principal: subscriber.principal, clientIp: subscriber.clientIp, telemetry: {} };
    if (outcome.removals.length > 0) context.policy = { removals: outcome.removals, typenameHelper: outcome.typenameHelper };
    const executed = outcome.removals.length > 0 ? this.analyzer.analyze(outcome.query, operationName) : analysis;
    if (executed.kind === 'rejected') return rejected('INTERNAL_SERVER_ERROR', 'The policy-filtered subscription did not parse.');

    // ── validate + plan ──
    const prepared = await plans.prepare(outcome.query, operationName, executed.document);
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
    // Metrics, the access-log line when it ends, the dashboard's view (telemetry/subscriptions.ts).
    const recorded = this.deps.metrics.opened({ protocol: subscriber.protocol, requestId: subscriber.requestId, principal: subscriber.principal, operationName, operationHash: analysis.hash, subgraph: prepared.plan.primary.serviceName });
    // subscriptions.limitEvents: each event is judged again by the same policy stage (rate limits, cost, budget).
    const judge = config.subscriptions.limitEvents ? () => this.deps.policies.run(policyInput) : undefined;
    const leave = this.join(plans, prepared.plan, request.variables ?? {}, context, stream, recorded.delivered, judge);
    const expiry: { timer?: { clear(): void } } = {};
    stream.whenEnded((reason) => {
      leave();
      expiry.timer?.clear();
      this.open.delete(entry);
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left <= 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
      recorded.ended(reason, stream.endCode);
    });
    // After whenEnded: a token expiring right now ends the stream through the same bookkeeping.
    // Only while open: a stream `join` already ended (no routing URL) must not keep a timer until `exp`.
    if (stream.isOpen) expiry.timer = expiryTimer(subscriber.principal, stream);
    return { kind: 'stream', stream, document: executed.document, schema: plans.apiSchema };
  }

  /** Subscribes upstream; each event is completed, shaped and queued in order. Returns how to leave. */
  private join(
    plans: SupergraphPlans,
    plan: SubscriptionPlan,
    variables: Record<string, unknown>,
    context: TollgateContext,
    stream: EventStream,
    counted: () => void,
    judge?: () => Promise<PolicyOutcome>,
  ): () => void {
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
        if (!judge) {
          if (stream.push(await completeEvent(plan, run, event.data, event.errors, context))) counted();
          return;
        }
        const verdict = await judge();
        if (!stream.isOpen) return;
        // Refused (onLimit: reject, cost maximum or budget): this event is dropped and replaced by the coded error;
        // the subscription stays open, so a later event in a new window is delivered again.
        if (verdict.kind === 'reject') return void stream.push({ data: null, errors: verdict.errors });
        const result = await completeEvent(plan, run, event.data, event.errors, context);
        // onLimit: filter — fields over their limit for this event are null with their error, like in a query answer.
        const extra = eventRemovals(verdict.removals, context);
        if (extra.length > 0) applyPolicyOutcome(result, { ...context, policy: { removals: extra, typenameHelper: false }, cost: undefined });
        if (verdict.cost) void this.deps.policies.settle(verdict.cost, measureActualCost(verdict.cost, result.data));
        if (stream.push(result)) counted();
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
    forwardClaims(headers, config.authentication.forwardClaims, context.principal.claims);
    return headers;
  }

  private endAll(last: StreamResult | undefined): void {
    for (const { stream } of [...this.open]) stream.end(last);
  }
}

/** An event's own removals (fields over their rate limit now): those the subscription's own removals don't already make. */
function eventRemovals(removals: readonly PolicyRemoval[], context: TollgateContext): PolicyRemoval[] {
  if (removals.length === 0) return [];
  const already = new Set((context.policy?.removals ?? []).map((r) => JSON.stringify(r.error.path ?? [])));
  return removals.filter((r) => !already.has(JSON.stringify(r.error.path ?? [])));
}

/** One event: the primary's data, completed by the rest of the plan, shaped, then the policy removals applied. */
async function completeEvent(
  plan: SubscriptionPlan,
  run: Parameters<typeof executeExecNodeFrom>[2],
  data: Record<string, unknown> | null | undefined,
  upstreamErrors: GraphQLFormattedError[] | undefined,
  context: TollgateContext,
): Promise<StreamResult> {
  if (!data) return { data: null, errors: upstreamErrors ?? [{ message: 'The subgraph sent an event without data.', extensions: { code: 'SUBGRAPH_BAD_RESPONSE' } }] };
  let result: StreamResult;
  try {
    // Each client completes its own copy: entity fetches merge in place, and clients may differ in identity.
    const executed = await executeExecNodeFrom(plan.rest, structuredClone(data), run);
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

const PROTOCOL_NAMES: Record<Protocol, string> = { ws: 'WebSocket', sse: 'Server-Sent Events', multipart: 'multipart HTTP subscriptions' };

function rejected(code: ErrorCode, message: string): SubscribeOutcome {
  return { kind: 'rejected', errors: [{ message, extensions: { code } }] };
}

/** Caps are per client: the token's subject or the API key's client, else (anonymous) the IP. */
function clientKey(subscriber: Pick<Subscriber, 'principal' | 'clientIp'>): string {
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
