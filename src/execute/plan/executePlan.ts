// Runs an @apollo/query-planner QueryPlan: Sequence, Parallel, Flatten (paths with "@"), Condition and Fetch (root
// and `_entities` fetches), merging every subgraph answer in place into one data tree that ./shape.ts then turns
// into the client's response. Subgraphs are called through the engine's GraphQLDataSources (deadlines, header
// rules, fetch dedupe, instrumentation, REST), and their errors are re-pathed to client paths the way
// @apollo/gateway's executeQueryPlan does. Node kinds it cannot run (Defer, Subscription) are refused before any
// call (see `unsupportedNode`).
import { type GraphQLDataSource, INCOMING_OPERATION, type FetchNode, type PlanNode, type QueryPlan, type GatewayGraphQLRequestContext, type GatewayGraphQLResponse } from '../../apollo';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { TollgateContext } from '../../pipeline/context';
import { applyRewrites, deepMerge, selectRequires, type KeyBuffer } from './entities';

type JsonMap = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

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
export function unsupportedNode(plan: QueryPlan): string | undefined {
  const visit = (node: { kind: string } | undefined): string | undefined => {
    if (!node) return undefined;
    switch (node.kind) {
      case 'Fetch':
        return undefined;
      case 'Sequence':
      case 'Parallel':
        for (const child of (node as unknown as { nodes: PlanNode[] }).nodes) {
          const found = visit(child);
          if (found) return found;
        }
        return undefined;
      case 'Flatten':
        return visit((node as unknown as { node: PlanNode }).node);
      case 'Condition': {
        const condition = node as unknown as { ifClause?: PlanNode; elseClause?: PlanNode };
        return visit(condition.ifClause) ?? visit(condition.elseClause);
      }
      default:
        return node.kind;
    }
  };
  return visit(plan.node);
}

interface Cursor {
  path: Path;
  data: unknown;
}

export async function executePlan(plan: QueryPlan, run: PlanRun): Promise<PlanResult> {
  const data: JsonMap = {};
  const state: State = { run, data, errors: [], incoming: incomingFor(run.context) };
  if (plan.node) await executeNode(state, plan.node as PlanNode, { path: [], data });
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

async function executeNode(state: State, node: PlanNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(state, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(state, child, cursor)));
      return;
    case 'Flatten': {
      const data = flattenAtPath(cursor.data, node.path);
      if (data === undefined || data === null) return;
      await executeNode(state, node.node, { path: [...cursor.path, ...node.path], data });
      return;
    }
    case 'Condition': {
      const value = state.run.conditionVariables[node.condition];
      const branch = value === true ? node.ifClause : node.elseClause;
      if (branch) await executeNode(state, branch, cursor);
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(state, node, cursor);
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

function flattenAtPath(value: unknown, path: Path, at = 0): unknown {
  if (at === path.length || value === undefined || value === null) return value;
  const key = path[at];
  if (key === '@') {
    // The merged tree does not have the plan's shape (e.g. a client alias shadows a key field the planner fetched
    // under the same name): the whole operation fails, as with @apollo/gateway.
    if (!Array.isArray(value)) throw new Error(`Invalid non-list value ${String(value)} in the merged data at plan path ${path.slice(0, at + 1).join('.')}`);
    // As Array.prototype.flatMap: a list under each element is spliced in, one level.
    const out: unknown[] = [];
    for (const element of value) {
      const found = flattenAtPath(element, path, at + 1);
      if (Array.isArray(found)) for (const item of found) out.push(item);
      else out.push(found);
    }
    return out;
  }
  if (Array.isArray(value)) return undefined;
  return flattenAtPath(own(value as JsonMap, String(key)), path, at + 1);
}

function own(object: JsonMap, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

async function executeFetch(state: State, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const source = state.run.sources.get(fetch.serviceName);
  if (!source) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities: JsonMap[] = Array.isArray(cursor.data) ? (cursor.data.filter((e) => e !== null && e !== undefined) as JsonMap[]) : [cursor.data as JsonMap];
  if (entities.length === 0) return;

  const variables: JsonMap = {};
  const provided = state.run.variables;
  if (fetch.variableUsages && provided) {
    for (const name of fetch.variableUsages) {
      if (Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }

  if (!fetch.requires) {
    const received = await send(state, source, fetch, cursor, variables, undefined);
    if (received) {
      applyRewrites(state.run.supergraphSchema, fetch.outputRewrites, received);
      for (const entity of entities) deepMerge(entity, received);
    }
    return;
  }

  // Representations: one per entity that has a __typename, each distinct one sent once and fanned back out.
  const distinct: JsonMap[] = [];
  const indexOf = new Map<string, number>();
  /** For each representation (Apollo's numbering): its entity and its distinct index. */
  const repEntity: number[] = [];
  const repDistinct: number[] = [];
  for (let i = 0; i < entities.length; i++) {
    const keyed: KeyBuffer = { key: '' };
    const representation = selectRequires(state.run.supergraphSchema, entities[i], fetch.requires, keyed);
    if (!representation || !representation.__typename) continue;
    // Rewrites are a function of the representation, so the key of what was selected still identifies it.
    applyRewrites(state.run.supergraphSchema, fetch.inputRewrites, representation);
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
  if (repEntity.length === 0) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  const received = await send(state, source, fetch, cursor, { ...variables, representations: distinct }, repDistinct);
  if (!received) return;
  const list = received._entities;
  if (!Array.isArray(list)) throw new Error('Expected "data._entities" in response to be an array');
  if (list.length !== distinct.length) throw new Error(`Expected "data._entities" to contain ${repEntity.length} elements`);
  const prepared = new Array<boolean>(list.length).fill(false);
  for (let r = 0; r < repEntity.length; r++) {
    const entity = entities[repEntity[r]];
    const d = repDistinct[r];
    const answer = list[d] as JsonMap | null;
    if (!prepared[d]) {
      prepared[d] = true;
      if (answer && !answer.__typename) answer.__typename = entity.__typename;
      applyRewrites(state.run.supergraphSchema, fetch.outputRewrites, answer);
    }
    deepMerge(entity, answer);
  }
}

/** Calls the subgraph; records its errors at client paths; returns its data. */
async function send(state: State, source: GraphQLDataSource<TollgateContext>, fetch: FetchNode, cursor: Cursor, variables: JsonMap, repDistinct: number[] | undefined): Promise<JsonMap | undefined> {
  const call = () =>
    source.process({
      kind: INCOMING_OPERATION,
      request: { query: fetch.operation, variables, operationName: fetch.operationName },
      incomingRequestContext: state.incoming,
      context: state.run.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: cursor.path as Array<string | number>,
    } as Parameters<GraphQLDataSource<TollgateContext>['process']>[0]);
  const around = state.run.aroundFetch;
  const response: GatewayGraphQLResponse = await (around ? around(fetch.serviceName, call) : call());
  if (response.errors) {
    let hydrated: Array<Array<string | number>> | undefined;
    for (const error of response.errors) {
      const subgraphPath = (error as { path?: Path }).path;
      const entityIndex = subgraphPath?.[1];
      if (repDistinct && subgraphPath && typeof entityIndex === 'number') {
        hydrated ??= hydratedPaths(cursor.path, state.data);
        // The subgraph saw each distinct representation once; Apollo's gateway would have had one error per copy.
        for (let r = 0; r < repDistinct.length; r++) {
          if (repDistinct[r] !== entityIndex) continue;
          state.errors.push(serviceError(error, fetch.serviceName, [...(hydrated[r] ?? []), ...subgraphPath.slice(2)]));
        }
      } else {
        state.errors.push(serviceError(error, fetch.serviceName, subgraphPath ? [...cursor.path, ...subgraphPath] : undefined));
      }
    }
  }
  return (response.data ?? undefined) as JsonMap | undefined;
}

function serviceError(error: GraphQLFormattedError, serviceName: string, path: Array<string | number> | undefined): GraphQLFormattedError {
  const extensions = error.extensions ?? {};
  const code = extensions.code ?? 'DOWNSTREAM_SERVICE_ERROR';
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  return path ? { message, path, extensions: { ...extensions, serviceName, code } } : { message, extensions: { ...extensions, serviceName, code } };
}

/** Every concrete response path matching a plan path with "@" (in document order), as @apollo/gateway numbers entities. */
function hydratedPaths(path: Path, data: unknown): Array<Array<string | number>> {
  const result: Array<Array<string | number>> = [];
  const walk = (prefix: Array<string | number>, at: number, value: unknown) => {
    if (value === null || value === undefined) return;
    if (at === path.length) {
      result.push(prefix.slice());
      return;
    }
    const head = path[at];
    if (head === '@' || Array.isArray(value)) {
      if (!Array.isArray(value)) return;
      value.forEach((element, i) => {
        prefix.push(i);
        walk(prefix, head === '@' ? at + 1 : at, element);
        prefix.pop();
      });
    } else if (Object.prototype.hasOwnProperty.call(value, head)) {
      prefix.push(head);
      walk(prefix, at + 1, (value as JsonMap)[head as string]);
      prefix.pop();
    }
  };
  walk([], 0, data);
  return result;
}
