// One loaded REST description at run time: its sources bound to env and connection pools, its executable subgraph
// schema, per-request DataLoaders (identical GETs made once, entity lookups batched and matched by key) and the
// optional per-connector TTL cache. The pure parts it drives live in pathTemplate.ts, selection.ts and conform.ts.
import { dirname, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { buildSubgraphSchema, type GraphQLResolverMap } from '../apollo';
import DataLoader from 'dataloader';
import { GraphQLList, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import type { Pool } from 'undici';
import { expandString, roverLookup } from '../compose/envExpansion';
import type { HeaderPlan } from '../execute/headerRules';
import type { ConnectionPools } from '../execute/httpClient';
import { LruCache } from '../util/lru';
import { callKey, entityKey } from './cacheKeys';
import type { RestDescription } from './compile';
import { conformToType } from './conform';
import type { ConnectorSpec, RestSourceSpec } from './description';
import { UnsafeValueError, unsendableHeader } from './encode';
import { expandPathTemplate, MissingValueError, type TemplateValues } from './pathTemplate';
import { buildResolvers } from './resolvers';
import { applySelection, MappingError } from './selection';
import { callUpstream, restError, type CallSite, type UpstreamRequest } from './upstream';
import { keyFieldsOf } from './validate';

export interface RestServiceOptions {
  /** The subgraph's name in the supergraph. */
  subgraph: string;
  /** The description file (absolute), for `${file.…}` and messages. */
  file: string;
  description: RestDescription;
  env: Readonly<Record<string, string | undefined>>;
  pools: ConnectionPools;
  /** tollgate.yaml header rules for this subgraph (`headers.all` + `headers.subgraphs.<name>`). */
  headerPlan: HeaderPlan;
  requestIdHeader: string;
  /** Largest body read from its sources (bytes): the subgraph's `traffic.maxResponseSize`. */
  maxResponseSize: number;
  /** Clock for the TTL cache. @default Date.now */
  now?: () => number;
}

interface BoundSource {
  spec: RestSourceSpec;
  origin: string;
  /** The baseURL's path without a trailing slash ("" for none); templates are appended to it. */
  basePath: string;
  headers: Record<string, string>;
  pool: Pool;
}

/** What the resolvers get as GraphQL context: the caller's headers and this request's loaders. */
export interface RestCallContext {
  headers: IncomingHttpHeaders;
  requestId: string | undefined;
  state: RequestState;
}

type Entity = Record<string, unknown>;
type UpstreamCall = { key: string; request: UpstreamRequest; source: BoundSource; connector: ConnectorSpec };

class RequestState {
  readonly entityLoaders = new Map<string, DataLoader<Entity, Entity, string>>();
  constructor(readonly calls: DataLoader<UpstreamCall, unknown, string>) {}
}

/** Entries in the TTL cache, across all connectors of one description. */
const CACHE_ENTRIES = 1000;

export class RestService {
  readonly schema: GraphQLSchema;
  private readonly sources = new Map<string, BoundSource>();
  private readonly cache = new LruCache<string, { expires: number; value: unknown }>(CACHE_ENTRIES);
  private readonly states = new WeakMap<object, RequestState>();
  private readonly now: () => number;

  constructor(private readonly options: RestServiceOptions) {
    this.now = options.now ?? Date.now;
    for (const spec of options.description.sources) this.sources.set(spec.name, bindSource(spec, options));
    // The data source always executes with a RestCallContext (contextFor), which @apollo/subgraph types as unknown.
    const resolvers = buildResolvers(options.description, this) as GraphQLResolverMap;
    this.schema = buildSubgraphSchema({ typeDefs: options.description.typeDefs, resolvers });
  }

  /** The loaders of one client request: shared by every fetch the gateway makes to this subgraph for it. */
  contextFor(request: { headers: IncomingHttpHeaders; requestId: string } | undefined): RestCallContext {
    if (!request) return { headers: {}, requestId: undefined, state: this.newState() };
    let state = this.states.get(request);
    if (!state) {
      state = this.newState();
      this.states.set(request, state);
    }
    return { headers: request.headers, requestId: request.requestId, state };
  }

  /** Calls the connector's endpoint (deduplicated per request, cached when it has a TTL) and returns the JSON. */
  fetch(connector: ConnectorSpec, values: TemplateValues, context: RestCallContext): Promise<unknown> {
    const source = this.sources.get(connector.source) as BoundSource;
    const site: CallSite = { source: connector.source, connector: connector.coordinate };
    let path: string;
    let body: string | undefined;
    try {
      path = expandPathTemplate(connector.template, values);
      if (connector.body) body = JSON.stringify(applySelection(connector.body, values.$args ?? {}, values));
    } catch (error) {
      if (error instanceof MissingValueError || error instanceof UnsafeValueError || error instanceof MappingError) return cannotBuild(site, error.message);
      throw error;
    }
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headerPlan(context.headers), ...source.headers };
    for (const header of connector.headers) headers[header.name] = header.value;
    if (context.requestId) headers[this.options.requestIdHeader] = context.requestId;
    if (body !== undefined) headers['content-type'] = 'application/json';
    // undici would throw on these (and the GET be retried as "unavailable"); refuse once, clearly, without a call.
    const unsendable = unsendableHeader(headers);
    if (unsendable !== undefined) return cannotBuild(site, `header "${unsendable}" has a value with CR, LF or another character a header cannot carry`);
    const request: UpstreamRequest = { method: connector.method, path: source.basePath + path, headers, body };
    const call: UpstreamCall = { key: callKey(source.origin, request, this.options.requestIdHeader), request, source, connector };
    // Only GETs are shared and cached: a POST may change something, so each one is made.
    return connector.method === 'GET' ? context.state.calls.load(call) : this.send(call);
  }

  /** Applies the connector's selection to its JSON and checks the result against the GraphQL type. */
  map(connector: ConnectorSpec, json: unknown, values: TemplateValues, type: GraphQLOutputType): unknown {
    const site: CallSite = { source: connector.source, connector: connector.coordinate };
    try {
      const mapped = applySelection(connector.selection, json, values);
      conformToType(mapped, type);
      return mapped;
    } catch (error) {
      if (error instanceof MappingError) throw restError('REST_MAPPING_ERROR', site, `answered JSON that does not fit ${type.toString()}: ${error.message}`, { detail: error.message });
      throw error;
    }
  }

  /** Loads one entity through its type-level connector: batched by $batch, or one deduplicated call per key. */
  loadEntity(connector: ConnectorSpec, representation: Entity, context: RestCallContext): Promise<Entity> {
    let loader = context.state.entityLoaders.get(connector.coordinate);
    if (!loader) {
      loader = this.entityLoader(connector, context);
      context.state.entityLoaders.set(connector.coordinate, loader);
    }
    return loader.load(representation);
  }

  private entityLoader(connector: ConnectorSpec, context: RestCallContext): DataLoader<Entity, Entity, string> {
    const type = this.schema.getType(connector.typeName) as GraphQLObjectType;
    const keys = keyFieldsOf(this.options.description.facts, connector.typeName);
    const keyOf = (entity: Entity) => entityKey(keys, entity);
    const site: CallSite = { source: connector.source, connector: connector.coordinate };
    const notFound = (entity: Entity) =>
      restError('REST_NOT_FOUND', site, `has no ${type.name} with ${keys.map((key) => `${key} ${JSON.stringify(entity[key])}`).join(', ')}`);

    if (connector.maxBatchSize !== undefined) {
      return new DataLoader<Entity, Entity, string>(
        async (batch) => {
          const json = await this.fetch(connector, { $batch: batch }, context);
          // Matched by key, never by position: a batch endpoint may reorder, drop unknown keys, or repeat.
          const found = new Map<string, unknown>();
          for (const item of toList(this.map(connector, json, {}, new GraphQLList(type)))) found.set(keyOf(item as Entity), item);
          return batch.map((entity) => (found.get(keyOf(entity)) as Entity | undefined) ?? notFound(entity));
        },
        { maxBatchSize: connector.maxBatchSize, cacheKeyFn: keyOf },
      );
    }
    return new DataLoader<Entity, Entity, string>(
      (batch) =>
        Promise.all(
          batch.map(async (entity) => {
            try {
              const mapped = this.map(connector, await this.fetch(connector, { $this: entity }, context), { $this: entity }, type) as Entity | null;
              if (mapped === null) return notFound(entity);
              return { ...Object.fromEntries(keys.map((key) => [key, entity[key]])), ...mapped };
            } catch (error) {
              return error instanceof Error ? error : new Error(String(error));
            }
          }),
        ),
      { batch: false, cacheKeyFn: keyOf },
    );
  }

  private newState(): RequestState {
    return new RequestState(
      new DataLoader<UpstreamCall, unknown, string>(
        (calls) => Promise.all(calls.map((call) => this.send(call).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))))),
        { batch: false, cacheKeyFn: (call) => call.key },
      ),
    );
  }

  private async send(call: UpstreamCall): Promise<unknown> {
    const { connector, source, request } = call;
    const ttl = request.method === 'GET' ? connector.cacheTtlMs : 0;
    if (ttl > 0) {
      const hit = this.cache.get(call.key);
      if (hit && hit.expires > this.now()) return hit.value;
    }
    const policy = { timeoutMs: connector.timeoutMs ?? source.spec.timeoutMs, maxRetries: source.spec.maxRetries, backoffMs: source.spec.backoffMs, maxResponseSize: this.options.maxResponseSize };
    const value = await callUpstream(source.pool, request, policy, { source: connector.source, connector: connector.coordinate });
    if (ttl > 0) this.cache.set(call.key, { expires: this.now() + ttl, value });
    return value;
  }
}

function toList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function cannotBuild(site: CallSite, detail: string): Promise<never> {
  return Promise.reject(restError('REST_MAPPING_ERROR', site, `cannot build the request: ${detail}`, { detail }));
}

/** Expands `${env.…}` in the baseURL and header values and opens (or reuses) the origin's pool. */
function bindSource(spec: RestSourceSpec, options: RestServiceOptions): BoundSource {
  const where = `${options.file}:${spec.location.line}:${spec.location.column}: @restSource(name: "${spec.name}")`;
  const lookup = roverLookup({
    env: options.env,
    baseDir: dirname(options.file),
    resolvePath: resolve,
    readFile: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
  });
  const expand = (text: string, what: string) => {
    try {
      return expandString(text, lookup);
    } catch (error) {
      throw new Error(`${where}: ${what}: ${(error as Error).message}`);
    }
  };
  const baseURL = expand(spec.baseURL, 'baseURL');
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new Error(`${where}: baseURL "${baseURL}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where}: baseURL "${baseURL}" must be http(s)`);
  const headers = Object.fromEntries(spec.headers.map((header) => [header.name, expand(header.value, `header ${header.name}`)]));
  return {
    spec,
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    headers,
    pool: options.pools.get(url.origin, { connections: spec.connections, connectTimeoutMs: Math.min(spec.timeoutMs, 10_000) }),
  };
}
