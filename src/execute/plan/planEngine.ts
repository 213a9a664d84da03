// The plan + execute stages without @apollo/server on the hot path (`executor: tollgate`): graphql-js validation
// cached per document, introspection answered in-process, plans from @apollo/query-planner or (`planner: hive`)
// Hive Router's Rust planner cached per (document, operation name), and Tollgate's own plan executor
// (./executePlan.ts) and response shaping (./shape.ts).
// The supergraph comes from the same LiveSupergraph (validated, hot-reloaded, last good one kept) as on the Apollo
// path; the answer has the same shape as engine.ts's.
import { type GraphQLDataSource, operationFromDocument, Supergraph, type Operation, QueryPlanner } from '../../apollo';
import {
  execute as executeGraphQL,
  getOperationAST,
  getVariableValues,
  Kind,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../../config/schema';
import type { LiveSupergraph } from '../../compose/liveSupergraph';
import type { TollgateContext } from '../../pipeline/context';
import { ERROR_CODES } from '../../errors';
import type { ExecutionEngine, GraphQLParams, HttpAnswer } from '../../pipeline/request';
import { measureActualCost } from '../../policy/cost/policy';
import { needsResultObject, respondWithEncodedBody, respondWithResult, type GraphQLResult } from '../../pipeline/respond';
import { cacheKey } from '../../util/cacheKey';
import { LogBudget } from '../../util/logBudget';
import { LruCache } from '../../util/lru';
import type { BuildService, EngineOptions } from '../engineOptions';
import { InflightDeduper } from '../inflight';
import { executePlan, unsupportedNode } from './executePlan';
import { UnsupportedHivePlan } from './hivePlan';
import { HivePlanner, resolvePlanner } from './hivePlanner';
import { fromApolloPlan, type ExecPlan } from './planNodes';
import { serializeData } from './serialize';
import { compileShape, shapeResponse, type ResponseShape } from './shape';
import { subgraphOperationProblem } from './subgraphOperationCheck';

const DOCUMENT_CACHE_SIZE = 1_000;
const PLAN_CACHE_SIZE = 1_000;

/** Everything derived from one supergraph; replaced as a whole on hot reload, so a request sees one version. */
interface Loaded {
  apiSchema: GraphQLSchema;
  supergraphSchema: GraphQLSchema;
  supergraph: Supergraph;
  /** `planner: apollo`; with `planner: hive` built on the first fallback (see `apolloPlanner`). */
  planner?: QueryPlanner;
  /** `planner: hive` (federation-internals still builds the Operation the response shape is compiled from). */
  hive?: HivePlanner;
  /** `planner: hive` + `plannerFallback`: each subgraph's schema, built on the first Hive plan to check. */
  subgraphSchemas?: Map<string, GraphQLSchema>;
  sources: Map<string, GraphQLDataSource<TollgateContext>>;
  documents: LruCache<string, DocumentEntry>;
  plans: LruCache<string, PlanEntry>;
  /** Plans being built: one per key, forgotten once settled (plans are read-only, so sharing one is safe). */
  planning: InflightDeduper<PlanEntry>;
}

type DocumentEntry = { document: DocumentNode; errors?: undefined } | { errors: GraphQLFormattedError[]; code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' };

interface PlanEntry {
  operation: Operation;
  /** Who planned it: `hive`, or `apollo` (`planner: apollo`, or Hive's fallback). */
  plannedBy: 'apollo' | 'hive';
  plan: ExecPlan;
  shape: ResponseShape;
  /** A node kind the executor cannot run (Defer, Subscription), if the plan has one. */
  unsupported?: string;
}

export async function startPlanEngine(config: TollgateConfig, supergraph: LiveSupergraph, logger: Logger, options: EngineOptions, buildService: BuildService, stopPools: () => Promise<void>): Promise<ExecutionEngine> {
  // Before anything else: `planner: hive` where the addon cannot load is a one-line start-up error; unset, the
  // planner is `hive` where it loads and `apollo` (with a warning) where it cannot.
  const plannerName = resolvePlanner(config.planner, logger);
  let loaded: Loaded | undefined;
  // `planner: hive` plans what Hive cannot with @apollo/query-planner (on by default; `plannerFallback: false` off).
  const fallback: Fallback | undefined = plannerName === 'hive' && config.plannerFallback ? { logger, lines: new LogBudget(FALLBACK_LINES_PER_MINUTE) } : undefined;
  let lastSdl: string | undefined;
  // Throwing refuses the supergraph: LiveSupergraph keeps serving the last good one (as with @apollo/gateway).
  const load = (coreSupergraphSdl: string) => {
    if (coreSupergraphSdl === lastSdl) return;
    const built = Supergraph.build(coreSupergraphSdl);
    const apiSchema = built.apiSchema().toGraphQLJSSchema();
    const sources = new Map<string, GraphQLDataSource<TollgateContext>>();
    for (const subgraph of built.subgraphsMetadata()) sources.set(subgraph.name, buildService({ name: subgraph.name, url: subgraph.url }));
    loaded = {
      apiSchema,
      supergraphSchema: built.schema.toGraphQLJSSchema(),
      supergraph: built,
      planner: plannerName === 'hive' ? undefined : new QueryPlanner(built),
      hive: plannerName === 'hive' ? new HivePlanner(coreSupergraphSdl) : undefined,
      sources,
      documents: new LruCache(DOCUMENT_CACHE_SIZE),
      plans: new LruCache(PLAN_CACHE_SIZE),
      planning: new InflightDeduper(),
      subgraphSchemas: undefined,
    };
    lastSdl = coreSupergraphSdl;
    options.onSchema?.({ apiSchema, supergraphSdl: coreSupergraphSdl });
  };
  // The supergraph manager (file watch, polling, Redis, REST preparation, validation) drives loads directly: no
  // @apollo/gateway instance (and no second query planner) on this path.
  const { supergraphSdl, cleanup } = await supergraph.initialize({
    update: load,
    healthCheck: () => Promise.resolve(),
    getDataSource: ({ name, url }: { name: string; url?: string }) => buildService({ name, url }),
  } as unknown as Parameters<LiveSupergraph['initialize']>[0]);
  load(supergraphSdl);

  const rules = config.server.introspection ? specifiedRules : [...specifiedRules, noIntrospection];
  // Spans only when tracing is on (no per-request span objects otherwise), named as @apollo/gateway names them, so a
  // trace looks the same whichever executor runs: gateway.request > gateway.plan (on a cache miss), gateway.fetch.
  const tracer = options.fetches?.tracing ? trace.getTracer('tollgate.executor') : undefined;
  const aroundFetch = tracer ? <T>(service: string, call: () => Promise<T>) => inSpan(tracer, 'gateway.fetch', { service }, call) : undefined;

  const execute = (params: GraphQLParams, context: TollgateContext, accept: string | undefined): Promise<HttpAnswer> =>
    tracer ? inSpan(tracer, 'gateway.request', {}, () => run(params, context, accept)) : run(params, context, accept);

  const run = async (params: GraphQLParams, context: TollgateContext, accept: string | undefined): Promise<HttpAnswer> => {
    const state = loaded;
    if (!state) return respondWithResult(503, { errors: [{ message: 'No supergraph is loaded yet; see /ready.', extensions: { code: 'SUPERGRAPH_NOT_READY' } }] }, context, accept);
    const query = params.query ?? '';
    const entry = documentEntry(state, query, rules);
    if (entry.errors) return respondWithResult(400, { errors: entry.errors.map((e) => ({ ...e, extensions: { ...e.extensions, code: entry.code } })) }, context, accept);
    const operation = getOperationAST(entry.document, params.operationName);
    if (!operation) {
      return respondWithResult(400, { errors: [{ message: 'Could not identify the operation to run.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] }, context, accept);
    }
    if (operation.variableDefinitions && operation.variableDefinitions.length > 0) {
      const coerced = getVariableValues(state.apiSchema, operation.variableDefinitions, params.variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return respondWithResult(400, { errors: coerced.errors.map((e) => ({ ...e.toJSON(), extensions: { code: 'BAD_USER_INPUT' } })) }, context, accept);
    }
    if (isIntrospectionOnly(operation)) {
      const result = await executeGraphQL({ schema: state.apiSchema, document: entry.document, operationName: params.operationName, variableValues: params.variables, rootValue: {} });
      return respondWithResult(result.data === undefined ? 400 : 200, { errors: result.errors?.map((e) => e.toJSON()), data: result.data as GraphQLResult['data'] }, context, accept);
    }

    let plan: PlanEntry;
    try {
      const found = planEntry(state, query, params.operationName, entry.document, tracer, fallback);
      plan = found instanceof Promise ? await found : found;
    } catch (error) {
      // Hive's planner does not validate, but the operation has been: its refusal means no subgraph path resolves a
      // field (it plans nothing where @apollo/query-planner silently plans too little), so the answer is data: null.
      if (state.hive && !(error instanceof UnsupportedHivePlan)) {
        logger.warn({ err: error }, 'query planning failed (planner: hive)');
        return respondWithResult(ERROR_CODES.QUERY_PLANNING_FAILED.status, { errors: [{ message: (error as Error).message, extensions: { code: 'QUERY_PLANNING_FAILED' } }], data: null }, context, accept);
      }
      logger.error({ err: error }, 'query planning failed');
      return respondWithResult(500, { errors: [{ message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, context, accept);
    }
    if (plan.unsupported) {
      // Subscriptions are refused at the parse stage and the planner runs without @defer, so this is a guard: a
      // coded answer, never a crash. A Defer node here would be a planner configuration bug, hence a 500.
      const code = plan.unsupported === 'Subscription' ? 'SUBSCRIPTION_NOT_SUPPORTED' : 'INTERNAL_SERVER_ERROR';
      const message = `Tollgate's executor cannot run a ${plan.unsupported} plan node yet.`;
      return respondWithResult(ERROR_CODES[code].status, { errors: [{ message, extensions: { code } }] }, context, accept);
    }
    let executed: Awaited<ReturnType<typeof executePlan>>;
    try {
      executed = await executePlan(plan.plan, {
        sources: state.sources,
        supergraphSchema: state.supergraphSchema,
        variables: params.variables,
        conditionVariables: { ...plan.shape.defaultedVariables, ...params.variables },
        context,
        aroundFetch,
      });
    } catch (error) {
      return respondWithResult(500, { errors: [{ message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, context, accept);
    }
    // The happy path: `data` written as text straight from the merged tree (no shaped copy, no JSON.stringify);
    // serializeData gives up on anything shapeResponse must decide (nulls to propagate, invalid values).
    if (executed.errors.length === 0 && !needsResultObject(context)) {
      const encoded = serializeData(plan.shape, executed.data, params.variables, '{"data":', '}\n');
      if (encoded !== undefined) {
        // The actual cost read from the merged tree: the same figure as from the shaped answer (the serialiser
        // succeeded, so no null propagated), without shaping a copy to measure it.
        if (context.cost) context.cost.actual = measureActualCost(context.cost, executed.data, true);
        return respondWithEncodedBody(encoded, context, accept);
      }
    }
    let result: GraphQLResult;
    try {
      const introspect = (selection: unknown) => introspectField(state.apiSchema, operation, selection, params.variables);
      const shaped = shapeResponse(plan.shape, executed.data, params.variables, introspect);
      result = executed.errors.length > 0 ? { errors: executed.errors, data: shaped.data } : { data: shaped.data };
      // As @apollo/gateway: value-completion problems are reported only when no fetch failed, and not as errors.
      if (executed.errors.length === 0 && shaped.errors.length > 0) result.extensions = { valueCompletion: shaped.errors };
    } catch (error) {
      // As @apollo/gateway: a malformed merged tree (e.g. an alias colliding with a key field the planner fetched
      // under the same name) fails the whole operation, without data.
      result = { errors: [{ message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    }
    // Apollo Server: errors and no `data` at all is a 400 (a null `data` is still a 200).
    return respondWithResult(result.data === undefined ? 400 : 200, result, context, accept);
  };

  return {
    execute,
    stop: async () => {
      await cleanup();
      await stopPools();
    },
  };
}

function documentEntry(state: Loaded, query: string, rules: readonly ValidationRule[]): DocumentEntry {
  let entry = state.documents.get(query);
  if (entry) return entry;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    entry = { errors: [{ message: (error as Error).message }], code: 'GRAPHQL_PARSE_FAILED' };
    state.documents.set(query, entry);
    return entry;
  }
  const errors = validate(state.apiSchema, document, rules);
  entry = errors.length > 0 ? { errors: errors.map((e) => e.toJSON()), code: 'GRAPHQL_VALIDATION_FAILED' } : { document };
  state.documents.set(query, entry);
  return entry;
}

/**
 * The cached plan, synchronously on a hit (no await on the hot path); on a miss one planning per (document,
 * operation name) however many requests wait for it (the Hive planner plans off the event loop, so misses overlap).
 */
function planEntry(state: Loaded, query: string, operationName: string | undefined, document: DocumentNode, tracer: Tracer | undefined, fallback: Fallback | undefined): PlanEntry | Promise<PlanEntry> {
  const key = cacheKey(query, operationName);
  const entry = state.plans.get(key);
  if (entry) return entry;
  return state.planning.run(key, () =>
    buildPlanEntry(state, operationName, document, tracer, fallback).then((built) => {
      state.plans.set(key, built);
      return built;
    }),
  );
}

/** `planner: hive` with `plannerFallback` on: where the fallback is logged, at most so many lines a minute. */
interface Fallback {
  logger: Logger;
  lines: LogBudget;
}

/** Fallback lines a minute at most: each distinct operation Hive can't plan logs one, and clients choose operations. */
const FALLBACK_LINES_PER_MINUTE = 60;

async function buildPlanEntry(state: Loaded, operationName: string | undefined, document: DocumentNode, tracer: Tracer | undefined, fallback: Fallback | undefined): Promise<PlanEntry> {
  const operation = operationFromDocument(state.supergraph.apiSchema(), document, { operationName });
  const build = async (): Promise<{ plan: ExecPlan; plannedBy: PlanEntry['plannedBy'] }> => {
    const { hive } = state;
    if (!hive) return { plan: fromApolloPlan(apolloPlanner(state).buildQueryPlan(operation)), plannedBy: 'apollo' };
    if (!fallback) return { plan: await hive.plan(document, operationName), plannedBy: 'hive' };
    let reason: string;
    try {
      const plan = await hive.plan(document, operationName);
      const problem = subgraphOperationProblem(plan, (name) => subgraphSchema(state, name));
      if (!problem) return { plan, plannedBy: 'hive' };
      reason = `a subgraph would refuse its operation: ${problem}`;
    } catch (error) {
      // Hive's "no path" refusal is its answer, not a failure: no subgraph resolves a selected field (e.g. one only
      // a non-resolvable @interfaceObject has), where @apollo/query-planner would plan too little and answer a
      // silent null. It stays QUERY_PLANNING_FAILED; every other refusal is planned by Apollo's planner.
      if (isUnsatisfiable(error)) throw error;
      reason = (error as Error).message;
    }
    // Logged once per plan built: the plan is then cached (a plan evicted from the bounded cache logs again).
    const logged = fallback.lines.take((suppressed) =>
      fallback.logger.warn({ planner: 'hive', suppressed }, `${suppressed} more operations planned by @apollo/query-planner were not logged (at most ${FALLBACK_LINES_PER_MINUTE} lines a minute)`),
    );
    if (logged) fallback.logger.warn({ planner: 'hive', plannedBy: 'apollo', operationName, reason }, 'Hive planner could not plan this operation; planned by @apollo/query-planner');
    return { plan: fromApolloPlan(apolloPlanner(state, fallback.logger).buildQueryPlan(operation)), plannedBy: 'apollo' };
  };
  const built = tracer
    ? await tracer.startActiveSpan('gateway.plan', async (span) => {
        try {
          const result = await build();
          span.setAttribute('tollgate.planner', result.plannedBy);
          return result;
        } finally {
          span.end();
        }
      })
    : await build();
  return { operation, plan: built.plan, plannedBy: built.plannedBy, shape: compileShape(operation), unsupported: unsupportedNode(built.plan) };
}

/** Hive's refusal of an operation no subgraph path can resolve ("walker failed to locate path: No paths found …"). */
export function isUnsatisfiable(error: unknown): boolean {
  return /walker failed to locate path|No paths found for selection/.test((error as Error)?.message ?? '');
}

/** @apollo/query-planner for this supergraph: built at load for `planner: apollo`, on first need for Hive's fallback. */
function apolloPlanner(state: Loaded, logger?: Logger): QueryPlanner {
  if (!state.planner) {
    state.planner = new QueryPlanner(state.supergraph);
    logger?.info({ planner: 'hive' }, 'built @apollo/query-planner for the Hive fallback (once per supergraph)');
  }
  return state.planner;
}

/** A subgraph's schema as extracted from the supergraph (with `_entities`), for checking Hive's operations. */
function subgraphSchema(state: Loaded, name: string): GraphQLSchema | undefined {
  if (!state.subgraphSchemas) {
    state.subgraphSchemas = new Map();
    for (const subgraph of state.supergraph.subgraphs()) {
      try {
        state.subgraphSchemas.set(subgraph.name, subgraph.schema.toGraphQLJSSchema());
      } catch {
        // Not checked then (subgraphOperationProblem skips it): Hive's plan is run as before the check existed.
      }
    }
  }
  return state.subgraphSchemas.get(name);
}

function inSpan<T>(tracer: Tracer, name: string, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } finally {
      span.end();
    }
  });
}

/** `server.introspection: false`: Apollo Server's rule, word for word, so switching executors changes no answer. */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value !== '__schema' && node.name.value !== '__type') return;
    const message =
      'GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type. To enable introspection, pass introspection: true to ApolloServer in production';
    context.reportError(new GraphQLError(message, { nodes: [node], extensions: { validationErrorCode: 'INTROSPECTION_DISABLED' } }));
  },
});

function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  return operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type' || s.name.value === '__typename'));
}

/** `__schema` / `__type` inside an operation that also calls subgraphs: graphql-js on the API schema, as Apollo does. */
function introspectField(schema: GraphQLSchema, operation: OperationDefinitionNode, selection: unknown, variables: Record<string, unknown> | undefined): unknown {
  const node = (selection as { expandFragments(): { toSelectionNode(): FieldNode } }).expandFragments().toSelectionNode();
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [{ kind: Kind.OPERATION_DEFINITION, operation: operation.operation, variableDefinitions: operation.variableDefinitions, selectionSet: { kind: Kind.SELECTION_SET, selections: [node] } }],
  };
  const result = executeGraphQL({ schema, document, variableValues: variables, rootValue: {} }) as { data?: Record<string, unknown> | null };
  return result.data?.[node.alias?.value ?? node.name.value] ?? null;
}
