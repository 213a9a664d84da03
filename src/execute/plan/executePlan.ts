// Runs an @apollo/query-planner QueryPlan: Sequence, Parallel, Flatten (paths with "@"), Condition and Fetch (root
// and `_entities` fetches), merging every subgraph answer in place into one data tree that ./shape.ts then turns
// into the client's response. Subgraphs are called through the engine's GraphQLDataSources (deadlines, header
// rules, fetch dedupe, instrumentation, REST), and their errors are re-pathed to client paths the way
// @apollo/gateway's executeQueryPlan does. Node kinds it cannot run (Defer, Subscription) are refused before any
// call (see `unsupportedNode`).
import { type GraphQLDataSource, INCOMING_OPERATION, type GatewayGraphQLRequestContext, type GatewayGraphQLResponse } from '../../apollo';
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { TollgateContext } from '../../pipeline/context';
import { applyRewrites, deepMerge, matchesAny, selectRequires, type KeyBuffer } from './entities';
import { findInPlan, isTypeCondition, type BatchFetchNode, type EntityBatchAlias, type ExecNode, type ExecPlan, type FetchNode, type PathSegment, type RequiresSelection, type Rewrite } from './planNodes';

type JsonMap = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;
type PlanPath = readonly PathSegment[];

export interface PlanRun {
  /** The subgraphs' data sources by name. */
  sources: ReadonlyMap<string, GraphQLDataSource<TollgateContext>>;
  /** The supergraph as graphql-js (type conditions in `requires` and rewrites name supergraph types). */
  supergraphSchema: GraphQLSchema;
  /** The client's variables as sent (only the ones a fetch uses are forwarded, as @apollo/gateway does). */
  variables: JsonMap | undefined;
  /** Variables with the operation's defaults, for Condition nodes. */
  conditionVariables: JsonMap;
  context: TollgateContext;
  /** With tracing on: runs one subgraph call inside a span (engine.ts's Apollo path has `gateway.fetch` there). */
  aroundFetch?: <T>(serviceName: string, call: () => Promise<T>) => Promise<T>;
}

export interface PlanResult {
  data: JsonMap;
  /** Fetch errors, already re-pathed and named after their subgraph. */
  errors: GraphQLFormattedError[];
}

/** The first node kind this executor cannot run, if any (checked before anything is sent). */
export function unsupportedNode(plan: ExecPlan): string | undefined {
  return findInPlan(plan, (node) => (node.kind === 'Fetch' || node.kind === 'BatchFetch' ? undefined : node.kind));
}

interface Cursor {
  /** The plan path from the root (with '@' and type conditions), for the entities' client paths. */
  planPath: PlanPath;
  /** The client path (type conditions left out), as @apollo/gateway passes it to data sources and errors. */
  path: Path;
  data: unknown;
}

/** Runs an @apollo/query-planner QueryPlan (structurally an ExecPlan) or a converted Hive plan (./hivePlan.ts). */
export async function executePlan(plan: ExecPlan, run: PlanRun): Promise<PlanResult> {
  const data: JsonMap = {};
  const state: State = { run, data, errors: [], incoming: incomingFor(run.context) };
  if (plan.node) await executeNode(state, plan.node, { planPath: [], path: [], data });
  return { data, errors: state.errors };
}

/**
 * Runs one plan node over data already in hand, merging into `data` in place: a subscription event (the answer of a
 * `Subscription` node's primary fetch) is completed by running the node's `rest` this way (src/subscriptions/).
 */
export async function executeExecNodeFrom(node: ExecNode | undefined, data: JsonMap, run: PlanRun): Promise<PlanResult> {
  const state: State = { run, data, errors: [], incoming: incomingFor(run.context) };
  if (node) await executeNode(state, node, { planPath: [], path: [], data });
  return { data, errors: state.errors };
}

interface State {
  run: PlanRun;
  data: JsonMap;
  errors: GraphQLFormattedError[];
  incoming: GatewayGraphQLRequestContext<TollgateContext>;
}

/**
 * The data sources read only `context` from the incoming request (SubgraphDataSource, the REST data source, the
 * fetch instrumentation); Apollo Server's full request context does not exist on this path.
 */
function incomingFor(context: TollgateContext): GatewayGraphQLRequestContext<TollgateContext> {
  return { context } as unknown as GatewayGraphQLRequestContext<TollgateContext>;
}

async function executeNode(state: State, node: ExecNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(state, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(state, child, cursor)));
      return;
    case 'Flatten': {
      const data = flattenAtPath(state.run.supergraphSchema, cursor.data, node.path);
      if (data === undefined || data === null) return;
      await executeNode(state, node.node, { planPath: [...cursor.planPath, ...node.path], path: [...cursor.path, ...clientPath(node.path)], data });
      return;
    }
    case 'Condition': {
      const value = state.run.conditionVariables[node.condition];
      const branch = value === true ? node.ifClause : node.elseClause;
      if (branch) await executeNode(state, branch, cursor);
      return;
    }
    case 'Fetch':
    case 'BatchFetch':
      try {
        if (node.kind === 'Fetch') await executeFetch(state, node, cursor);
        else await executeBatchFetch(state, node, cursor);
      } catch (error) {
        // As @apollo/gateway: a malformed answer fails its fetch only; Apollo Server codes it INTERNAL_SERVER_ERROR.
        state.errors.push({ message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      }
      return;
    default:
      // unsupportedNode() refuses these before execution starts.
      throw new Error(`cannot execute a ${(node as { kind: string }).kind} node`);
  }
}

function clientPath(path: PlanPath): string[] {
  const out: string[] = [];
  for (const segment of path) if (!isTypeCondition(segment)) out.push(segment);
  return out;
}

function flattenAtPath(schema: GraphQLSchema, value: unknown, path: PlanPath, at = 0): unknown {
  if (at === path.length || value === undefined || value === null) return value;
  const key = path[at];
  if (isTypeCondition(key)) {
    // Hive's `{TypeCondition}`: only the entities of these types go on (the others are left out of the fetch).
    if (Array.isArray(value) || typeof value !== 'object' || !matchesAny(schema, value as JsonMap, key.types)) return undefined;
    return flattenAtPath(schema, value, path, at + 1);
  }
  if (key === '@') {
    // The merged tree does not have the plan's shape (e.g. a client alias shadows a key field the planner fetched
    // under the same name): the whole operation fails, as with @apollo/gateway.
    if (!Array.isArray(value)) throw new Error(`Invalid non-list value ${String(value)} in the merged data at plan path ${clientPath(path.slice(0, at + 1)).join('.')}`);
    // As Array.prototype.flatMap: a list under each element is spliced in, one level.
    const out: unknown[] = [];
    for (const element of value) {
      const found = flattenAtPath(schema, element, path, at + 1);
      if (Array.isArray(found)) for (const item of found) out.push(item);
      else out.push(found);
    }
    return out;
  }
  if (Array.isArray(value)) return undefined;
  return flattenAtPath(schema, own(value as JsonMap, key), path, at + 1);
}

function own(object: JsonMap, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** The client's variables this fetch uses (only those, as @apollo/gateway forwards them). */
function fetchVariables(state: State, usages: readonly string[] | undefined): JsonMap {
  const variables: JsonMap = {};
  const provided = state.run.variables;
  if (usages && provided) {
    for (const name of usages) {
      if (Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }
  return variables;
}

/** The representations of one entity fetch (or one BatchFetch alias): each distinct one once, fanned back out. */
interface Representations {
  distinct: JsonMap[];
  /** For each representation (Apollo's numbering): its entity and its distinct index. */
  repEntity: number[];
  repDistinct: number[];
}

function representationsOf(state: State, entities: readonly JsonMap[], requires: readonly RequiresSelection[], inputRewrites: readonly Rewrite[] | undefined): Representations {
  const distinct: JsonMap[] = [];
  const indexOf = new Map<string, number>();
  const repEntity: number[] = [];
  const repDistinct: number[] = [];
  for (let i = 0; i < entities.length; i++) {
    const keyed: KeyBuffer = { key: '' };
    const representation = selectRequires(state.run.supergraphSchema, entities[i], requires, keyed);
    if (!representation || !representation.__typename) continue;
    // Rewrites are a function of the representation, so the key of what was selected still identifies it.
    applyRewrites(state.run.supergraphSchema, inputRewrites, representation);
    const key = keyed.key;
    let index = indexOf.get(key);
    if (index === undefined) {
      index = distinct.length;
      indexOf.set(key, index);
      distinct.push(representation);
    }
    repEntity.push(i);
    repDistinct.push(index);
  }
  return { distinct, repEntity, repDistinct };
}

/** Merges an `_entities` answer (one per distinct representation) into every entity that sent that representation. */
function mergeEntities(state: State, list: unknown, reps: Representations, entities: readonly JsonMap[], outputRewrites: readonly Rewrite[] | undefined, field: string): void {
  if (!Array.isArray(list)) throw new Error(`Expected "data.${field}" in response to be an array`);
  if (list.length !== reps.distinct.length) throw new Error(`Expected "data.${field}" to contain ${reps.repEntity.length} elements`);
  const prepared = new Array<boolean>(list.length).fill(false);
  for (let r = 0; r < reps.repEntity.length; r++) {
    const entity = entities[reps.repEntity[r]];
    const d = reps.repDistinct[r];
    const answer = list[d] as JsonMap | null;
    if (!prepared[d]) {
      prepared[d] = true;
      if (answer && !answer.__typename) answer.__typename = entity.__typename;
      applyRewrites(state.run.supergraphSchema, outputRewrites, answer);
    }
    deepMerge(entity, answer);
  }
}

function entitiesAt(data: unknown): JsonMap[] {
  return Array.isArray(data) ? (data.filter((e) => e !== null && e !== undefined) as JsonMap[]) : data === null || data === undefined ? [] : [data as JsonMap];
}

async function executeFetch(state: State, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const source = sourceFor(state, fetch.serviceName);
  const entities = entitiesAt(cursor.data);
  if (entities.length === 0) return;
  const variables = fetchVariables(state, fetch.variableUsages);

  if (!fetch.requires) {
    const response = await call(state, source, fetch, cursor.path, variables);
    recordErrors(state, fetch.serviceName, response, cursor.path, undefined);
    const received = (response.data ?? undefined) as JsonMap | undefined;
    if (received) {
      applyRewrites(state.run.supergraphSchema, fetch.outputRewrites, received);
      for (const entity of entities) deepMerge(entity, received);
    }
    return;
  }

  const reps = representationsOf(state, entities, fetch.requires, fetch.inputRewrites);
  if (reps.repEntity.length === 0) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  const response = await call(state, source, fetch, cursor.path, { ...variables, representations: reps.distinct });
  recordErrors(state, fetch.serviceName, response, cursor.path, (subgraphPath) => {
    const entityIndex = subgraphPath[1];
    if (typeof entityIndex !== 'number') return undefined;
    return { reps, hydrated: () => hydratedPaths(state.run.supergraphSchema, cursor.planPath, state.data), rest: subgraphPath.slice(2) };
  });
  const received = (response.data ?? undefined) as JsonMap | undefined;
  if (received) mergeEntities(state, received._entities, reps, entities, fetch.outputRewrites, '_entities');
}

/** Hive's BatchFetch: every alias's representations in one request, each `_entities` alias merged into its entities. */
async function executeBatchFetch(state: State, node: BatchFetchNode, cursor: Cursor): Promise<void> {
  const source = sourceFor(state, node.serviceName);
  const variables = fetchVariables(state, node.variableUsages);
  const parts = node.aliases.map((alias) => {
    const entities: JsonMap[] = [];
    // Alias paths start at the root of the data (a BatchFetch is never under a Flatten in Hive's plans).
    for (const path of alias.paths) for (const entity of entitiesAt(flattenAtPath(state.run.supergraphSchema, state.data, path))) entities.push(entity);
    return { alias, entities, reps: representationsOf(state, entities, alias.requires, alias.inputRewrites) };
  });
  if (parts.every((part) => part.reps.repEntity.length === 0)) return;
  for (const part of parts) {
    const name = part.alias.representationsVariableName;
    if (name in variables) throw new Error(`Variables cannot contain key "${name}"`);
    // An alias without entities still gets its (declared, non-null) variable: an empty list answers an empty list.
    variables[name] = part.reps.distinct;
  }
  const byAlias = new Map(parts.map((part) => [part.alias.alias, part]));
  const response = await call(state, source, node, cursor.path, variables);
  recordErrors(state, node.serviceName, response, cursor.path, (subgraphPath) => {
    const part = byAlias.get(String(subgraphPath[0]));
    if (!part || typeof subgraphPath[1] !== 'number') return undefined;
    return { reps: part.reps, hydrated: () => aliasPaths(state, part.alias), rest: subgraphPath.slice(2) };
  });
  const received = (response.data ?? undefined) as JsonMap | undefined;
  if (!received) return;
  for (const part of parts) {
    if (part.reps.repEntity.length === 0 && received[part.alias.alias] === undefined) continue;
    mergeEntities(state, received[part.alias.alias], part.reps, part.entities, part.alias.outputRewrites, part.alias.alias);
  }
}

function aliasPaths(state: State, alias: EntityBatchAlias): Array<Array<string | number>> {
  const paths: Array<Array<string | number>> = [];
  for (const path of alias.paths) for (const found of hydratedPaths(state.run.supergraphSchema, path, state.data)) paths.push(found);
  return paths;
}

function sourceFor(state: State, serviceName: string): GraphQLDataSource<TollgateContext> {
  const source = state.run.sources.get(serviceName);
  if (!source) throw new Error(`Couldn't find service with name "${serviceName}"`);
  return source;
}

interface OperationText {
  serviceName: string;
  operation: string;
  operationName?: string;
  operationDocumentNode?: DocumentNode;
}

async function call(state: State, source: GraphQLDataSource<TollgateContext>, fetch: OperationText, path: Path, variables: JsonMap): Promise<GatewayGraphQLResponse> {
  const run = () =>
    source.process({
      kind: INCOMING_OPERATION,
      request: { query: fetch.operation, variables, operationName: fetch.operationName },
      incomingRequestContext: state.incoming,
      context: state.run.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: path as Array<string | number>,
    } as Parameters<GraphQLDataSource<TollgateContext>['process']>[0]);
  const around = state.run.aroundFetch;
  return around ? around(fetch.serviceName, run) : run();
}

/** Where an entity error goes: the representations it was sent with, the entities' client paths, the rest of its path. */
type EntityErrorPlace = { reps: Representations; hydrated: () => Array<Array<string | number>>; rest: Path } | undefined;

/** Records a subgraph's errors at client paths; an entity error once per entity that sent its representation. */
function recordErrors(state: State, serviceName: string, response: GatewayGraphQLResponse, path: Path, entityError: ((subgraphPath: Path) => EntityErrorPlace) | undefined): void {
  if (!response.errors) return;
  // Client paths per set of representations: a BatchFetch's aliases each have their own entities.
  const hydratedByReps = new Map<Representations, Array<Array<string | number>>>();
  for (const error of response.errors) {
    const subgraphPath = (error as { path?: Path }).path;
    const place = subgraphPath && entityError ? entityError(subgraphPath) : undefined;
    if (place && subgraphPath) {
      let hydrated = hydratedByReps.get(place.reps);
      if (!hydrated) hydratedByReps.set(place.reps, (hydrated = place.hydrated()));
      const entityIndex = subgraphPath[1];
      // The subgraph saw each distinct representation once; Apollo's gateway would have had one error per copy.
      for (let r = 0; r < place.reps.repDistinct.length; r++) {
        if (place.reps.repDistinct[r] !== entityIndex) continue;
        state.errors.push(serviceError(error, serviceName, [...(hydrated[r] ?? []), ...place.rest]));
      }
    } else {
      state.errors.push(serviceError(error, serviceName, subgraphPath ? [...path, ...subgraphPath] : undefined));
    }
  }
}

function serviceError(error: GraphQLFormattedError, serviceName: string, path: Array<string | number> | undefined): GraphQLFormattedError {
  const extensions = error.extensions ?? {};
  const code = extensions.code ?? 'DOWNSTREAM_SERVICE_ERROR';
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  return path ? { message, path, extensions: { ...extensions, serviceName, code } } : { message, extensions: { ...extensions, serviceName, code } };
}

/**
 * Every concrete response path matching a plan path with "@" and type conditions (in document order), as
 * @apollo/gateway numbers entities. Built only when an entity error needs it.
 */
function hydratedPaths(schema: GraphQLSchema, path: PlanPath, data: unknown): Array<Array<string | number>> {
  const result: Array<Array<string | number>> = [];
  const walk = (prefix: Array<string | number>, at: number, value: unknown) => {
    if (value === null || value === undefined) return;
    if (at === path.length) {
      result.push(prefix.slice());
      return;
    }
    const head = path[at];
    if (isTypeCondition(head)) {
      if (!Array.isArray(value) && typeof value === 'object' && matchesAny(schema, value as JsonMap, head.types)) walk(prefix, at + 1, value);
    } else if (head === '@' || Array.isArray(value)) {
      if (!Array.isArray(value)) return;
      value.forEach((element, i) => {
        prefix.push(i);
        walk(prefix, head === '@' ? at + 1 : at, element);
        prefix.pop();
      });
    } else if (typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, head)) {
      prefix.push(head);
      walk(prefix, at + 1, (value as JsonMap)[head]);
      prefix.pop();
    }
  };
  walk([], 0, data);
  return result;
}
