// One loaded REST description at run time: its sources bound to env and connection pools, its executable subgraph
// schema, per-request DataLoaders (identical GETs made once, entity lookups batched and matched by key) and the
// optional per-connector TTL cache. The pure parts it drives live in pathTemplate.ts, selection.ts and conform.ts.
import { randomUUID } from 'node:crypto';
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
import { InflightDeduper } from '../execute/inflight';
import type { Principal } from '../identity/principal';
import { LruCache } from '../util/lru';
import { callKey, entityKey } from './cacheKeys';
import type { RestDescription } from './compile';
import { conformToType } from './conform';
import { encodeBody } from './body';
import { IDEMPOTENT_METHODS, type ConnectorSpec, type RestSourceSpec } from './description';
import { UnsafeValueError, unsendableHeader } from './encode';
import { expandPathTemplate, expandValueTemplate, MissingValueError, type TemplateValues, type ValueTemplate } from './pathTemplate';
import { appendQueryParams } from './queryParams';
import { compileSourceConfig, type CompiledSourceConfig } from './sourceConfig';
import { buildResolvers } from './resolvers';
import { applySelection, MappingError } from './selection';
import { callUpstream, restError, type CallSite, type RestAnswer, type UpstreamRequest } from './upstream';
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
  /** The subgraph's `traffic.timeout` and `traffic.connections`: caps on what the file asks for. */
  trafficTimeoutMs?: number;
  trafficConnections?: number;
  /** `traffic.dedupe`: identical GETs in flight at once, from any requests, are made once — through this, the gateway's. */
  dedupe?: InflightDeduper<RestAnswer>;
  /** tollgate.yaml `rest.sources.<name>`, compiled, by source name. */
  sourceConfig?: (source: string) => CompiledSourceConfig;
  /** Clock for the TTL cache. @default Date.now */
  now?: () => number;
}

interface BoundSource {
  spec: RestSourceSpec;
  settings: CompiledSourceConfig;
  /** The effective deadline: the file's, capped by traffic.timeout. */
  timeoutMs: number;
  origin: string;
  /** The baseURL's path without a trailing slash ("" for none); templates are appended to it. */
  basePath: string;
  headers: Record<string, string>;
  /** Source headers with `{…}` expressions, their `${env}` text expanded at load. */
  headerTemplates: Array<{ name: string; template: ValueTemplate; expand: (text: string) => string }>;
  pool: Pool;
}

/** What the resolvers get as GraphQL context: the caller's headers and this request's loaders. */
export interface RestCallContext {
  headers: IncomingHttpHeaders;
  requestId: string | undefined;
  principal: Principal | undefined;
  state: RequestState;
}

type Entity = Record<string, unknown>;
type UpstreamCall = { key: string; request: UpstreamRequest; source: BoundSource; connector: ConnectorSpec };

class RequestState {
  readonly entityLoaders = new Map<string, DataLoader<Entity, Entity, string>>();
  constructor(readonly calls: DataLoader<UpstreamCall, RestAnswer, string>) {}
}

/** Entries in the TTL cache, across all connectors of one description. */
const CACHE_ENTRIES = 1000;

export class RestService {
  readonly schema: GraphQLSchema;
  private readonly sources = new Map<string, BoundSource>();
  private readonly cache = new LruCache<string, { expires: number; value: RestAnswer }>(CACHE_ENTRIES);
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
  contextFor(request: { headers: IncomingHttpHeaders; requestId: string; principal?: Principal } | undefined): RestCallContext {
    if (!request) return { headers: {}, requestId: undefined, principal: undefined, state: this.newState() };
    let state = this.states.get(request);
    if (!state) {
      state = this.newState();
      this.states.set(request, state);
    }
    return { headers: request.headers, requestId: request.requestId, principal: request.principal, state };
  }

  /** `$config` and `$context` of a connector's source for this caller, beside the call's own values. */
  private withSource(connector: ConnectorSpec, values: TemplateValues, context: RestCallContext): TemplateValues {
    const source = this.sources.get(connector.source) as BoundSource;
    const settings = source.settings;
    return { ...values, $config: settings.config, $context: settings.context(context.headers, context.principal) };
  }

  /** Calls the connector's endpoint (deduplicated per request, cached when it has a TTL) and returns the JSON. */
  fetch(connector: ConnectorSpec, callValues: TemplateValues, context: RestCallContext): Promise<RestAnswer> {
    const source = this.sources.get(connector.source) as BoundSource;
    const site: CallSite = { source: connector.source, connector: connector.coordinate };
    const values = this.withSource(connector, callValues, context);
    let path: string;
    let body: { text: string; contentType: string } | undefined;
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headerPlan(context.headers) };
    try {
      path = expandPathTemplate(connector.template, values);
      if (connector.queryParams) path = appendQueryParams(path, applySelection(connector.queryParams, values.$args ?? values.$this ?? {}, values));
      if (connector.body) body = encodeBody(applySelection(connector.body, values.$args ?? {}, values), connector.bodyFormat ?? 'json');
      source.settings.headers(context.headers, context.principal, headers);
      Object.assign(headers, source.headers);
      for (const header of source.headerTemplates) headers[header.name] = expandValueTemplate(header.template, values, header.expand);
      for (const header of connector.headers) headers[header.name] = header.template ? expandValueTemplate(header.template, values) : header.value;
    } catch (error) {
      if (error instanceof MissingValueError || error instanceof UnsafeValueError || error instanceof MappingError || error instanceof TypeError) return cannotBuild(site, error.message);
      throw error;
    }
    if (context.requestId) headers[this.options.requestIdHeader] = context.requestId;
    if (body !== undefined) headers['content-type'] = body.contentType;
    // One key per call, kept across its retries: the server can tell a repeat from a new write.
    if (connector.idempotencyKeyHeader) headers[connector.idempotencyKeyHeader] = randomUUID();
    // undici would throw on these (and the GET be retried as "unavailable"); refuse once, clearly, without a call.
    const unsendable = unsendableHeader(headers);
    if (unsendable !== undefined) return cannotBuild(site, `header "${unsendable}" has a value with CR, LF or another character a header cannot carry`);
    const request: UpstreamRequest = { method: connector.method, path: source.basePath + path, headers, body: body?.text };
    const call: UpstreamCall = { key: callKey(source.origin, request, this.options.requestIdHeader), request, source, connector };
    if (connector.method !== 'GET') return this.send(call);
    // Only GETs are shared and cached: a write may change something, so each one is made. Within a request the
    // DataLoader shares them; with traffic.dedupe, so does one in flight for another request (same URL and headers).
    return context.state.calls.load(call);
  }

  /** Applies the connector's selection to its JSON and checks the result against the GraphQL type. */
  map(connector: ConnectorSpec, answer: RestAnswer, values: TemplateValues, type: GraphQLOutputType, context?: RestCallContext): unknown {
    const site: CallSite = { source: connector.source, connector: connector.coordinate };
    try {
      const variables = { ...(context ? this.withSource(connector, values, context) : values), $response: { headers: answer.headers }, $status: answer.status };
      const mapped = applySelection(connector.selection, answer.json, variables);
      conformToType(mapped, type, '', this.schema);
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
    const keys = connector.entityKey ?? keyFieldsOf(this.options.description.facts, connector.typeName);
    const keyOf = (entity: Entity) => entityKey(keys, entity);
    const site: CallSite = { source: connector.source, connector: connector.coordinate };
    const notFound = (entity: Entity) =>
      restError('REST_NOT_FOUND', site, `has no ${type.name} with ${keys.map((key) => `${key} ${JSON.stringify(entity[key])}`).join(', ')}`);

    if (connector.maxBatchSize !== undefined) {
      return new DataLoader<Entity, Entity, string>(
        async (batch) => {
          const answer = await this.fetch(connector, { $batch: batch }, context);
          // Matched by key, never by position: a batch endpoint may reorder, drop unknown keys, or repeat.
          const found = new Map<string, unknown>();
          for (const item of toList(this.map(connector, answer, { $batch: batch }, new GraphQLList(type), context))) found.set(keyOf(item as Entity), item);
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
              const mapped = this.map(connector, await this.fetch(connector, { $this: entity }, context), { $this: entity }, type, context) as Entity | null;
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
      new DataLoader<UpstreamCall, RestAnswer, string>(
        (calls) => Promise.all(calls.map((call) => this.send(call).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))))),
        { batch: false, cacheKeyFn: (call) => call.key },
      ),
    );
  }

  private async send(call: UpstreamCall): Promise<RestAnswer> {
    const { connector, source, request } = call;
    const ttl = request.method === 'GET' ? connector.cacheTtlMs : 0;
    if (ttl > 0) {
      const hit = this.cache.get(call.key);
      if (hit && hit.expires > this.now()) return hit.value;
    }
    const retryable = (source.spec.retryMethods ?? IDEMPOTENT_METHODS).includes(request.method) || connector.idempotencyKeyHeader !== undefined;
    const policy = {
      timeoutMs: Math.min(connector.timeoutMs ?? source.spec.timeoutMs, this.options.trafficTimeoutMs ?? Infinity),
      maxRetries: source.spec.maxRetries,
      backoffMs: source.spec.backoffMs,
      retryable,
      maxResponseSize: this.options.maxResponseSize,
    };
    const site = { source: connector.source, connector: connector.coordinate };
    // Each rule the connector gives replaces the source's; the others are the source's.
    const rules = { ...source.spec.errors, ...connector.errors };
    const value =
      this.options.dedupe && request.method === 'GET' ? await this.options.dedupe.run(call.key, () => callUpstream(source.pool, request, policy, site, rules)) : await callUpstream(source.pool, request, policy, site, rules);
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
  const headers = Object.fromEntries(spec.headers.filter((header) => !header.template).map((header) => [header.name, expand(header.value, `header ${header.name}`)]));
  const headerTemplates = spec.headers.flatMap((header) => (header.template ? [{ name: header.name, template: header.template, expand: (text: string) => expand(text, `header ${header.name}`) }] : []));
  for (const header of headerTemplates) for (const part of header.template.parts) if (part.kind === 'text') header.expand(part.text);
  const timeoutMs = Math.min(spec.timeoutMs, options.trafficTimeoutMs ?? Infinity);
  const connections = Math.min(spec.connections, options.trafficConnections ?? Infinity);
  return {
    spec,
    settings: options.sourceConfig?.(spec.name) ?? compileSourceConfig(undefined),
    timeoutMs,
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    headers,
    headerTemplates,
    pool: options.pools.get(url.origin, { connections, connectTimeoutMs: Math.min(timeoutMs, 10_000) }),
  };
}
