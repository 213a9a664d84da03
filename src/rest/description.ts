// Reads Tollgate's REST directives (@restSource on the schema, @rest on a field or an entity type) out of a subgraph
// SDL into typed specs, and blanks them out of the text for composition. Pure; checks against the schema's types
// are validate.ts's job. The directive reference is docs/rest.md.
import {
  Kind,
  valueFromASTUntyped,
  type ArgumentNode,
  type ConstDirectiveNode,
  type DocumentNode,
  type StringValueNode,
  type ValueNode,
} from 'graphql';
import { parseDuration } from '../config/units';
import { findLink, linkedName, readLink, SPEC_URLS, type SpecLink } from '../util/specLinks';
import { parsePathTemplate, parseValueTemplate, TemplateError, type PathTemplate, type ValueTemplate } from './pathTemplate';
import { parseSelection, selectionVariables, SelectionSyntaxError, type Selection } from './selection';

/** Prefix of the @link URL that marks a subgraph SDL as a REST description. An identifier only: nothing is fetched. */
export const REST_SPEC_URL_PREFIX = SPEC_URLS.rest;
export const REST_SPEC_URL = `${REST_SPEC_URL_PREFIX}v0.1`;
const FEDERATION_SPEC_PREFIX = SPEC_URLS.federation;
const LINK_SPEC_PREFIX = SPEC_URLS.link;

export const DEFAULTS = { timeoutMs: 10_000, maxRetries: 2, backoffMs: 100, maxBatchSize: 100, cacheTtlMs: 0, connections: 32 } as const;

/** The HTTP methods a connector can use. */
export const REST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RestMethod = (typeof REST_METHODS)[number];
/**
 * Methods retried by default: the idempotent ones (RFC 9110 §9.2.2), which a server may receive twice without harm.
 * POST and PATCH are retried only when the source lists them in `retry.methods` or the connector sends an
 * idempotency key.
 */
export const IDEMPOTENT_METHODS: readonly RestMethod[] = ['GET', 'PUT', 'DELETE'];

/** How a source's error bodies become GraphQL errors: message and code read from the body, and a success rule. */
export interface ErrorRules {
  message?: Selection;
  code?: Selection;
  success?: Selection;
  /**
   * Apollo Connectors' `isSuccess`: decides for every answer, whatever its status (`$status`, `$response.headers`
   * readable), whether it is a success; replaces the 2xx test.
   */
  isSuccess?: Selection;
}

export interface Location {
  line: number;
  column: number;
}

export interface RestProblem extends Location {
  message: string;
}

/**
 * A fixed header sent to the REST service (`${env.X}` expanded at load). Client headers are forwarded by tollgate.yaml
 * header rules instead (`headers.subgraphs.<subgraph>`), because inbound deduplication keys on exactly those.
 */
export interface HeaderSpec {
  name: string;
  value: string;
  /** Set when the value has `{…}` expressions ("Bearer {$config.token}"), parsed once at load. */
  template?: ValueTemplate;
}

export interface RestSourceSpec {
  name: string;
  /** As written; `${env.NAME:-default}` is expanded when the gateway loads the file, not when it is composed. */
  baseURL: string;
  headers: HeaderSpec[];
  timeoutMs: number;
  /** Retries after a connection failure, a timeout, 429 or 5xx, for the methods in `retryMethods`. */
  maxRetries: number;
  /** Methods that are retried. @default IDEMPOTENT_METHODS (GET, PUT, DELETE) */
  retryMethods?: readonly RestMethod[];
  /** First retry waits this long; each further retry waits twice as long as the one before. */
  backoffMs: number;
  connections: number;
  /** How the API reports errors: message/code selections over an error body, and a success rule for 2xx bodies. */
  errors?: ErrorRules;
  location: Location;
}

export interface ConnectorSpec {
  /** "Query.supplier", "Product.priceHistory" (a field), or "Product" (an entity type). */
  coordinate: string;
  kind: 'field' | 'entity';
  typeName: string;
  fieldName?: string;
  source: string;
  method: RestMethod;
  template: PathTemplate;
  headers: HeaderSpec[];
  body?: Selection;
  /** `http.queryParams`: a selection over the call's values whose object is appended as query parameters. */
  queryParams?: Selection;
  /** How `body` is sent: JSON (default), or a form when the connector's content-type header says so. */
  bodyFormat?: 'json' | 'form';
  /** Overrides the source's `errors` rules for this connector. */
  errors?: ErrorRules;
  /** A header that carries a fresh random key per call, the same on its retries; makes a POST/PATCH retryable. */
  idempotencyKeyHeader?: string;
  selection: Selection;
  /** Set when the template uses $batch: entities are fetched in calls of at most this many. */
  maxBatchSize?: number;
  /**
   * Type-level connectors: the fields of the @key this connector resolves by (compile.ts sets it from the key fields
   * its path reads; a type with several @keys has one connector per key).
   */
  entityKey?: string[];
  cacheTtlMs: number;
  timeoutMs?: number;
  location: Location;
  /** Where each string argument starts, to place errors inside a template or selection. */
  argumentNodes: Record<string, ValueNode>;
}

export interface ReadResult {
  sources: RestSourceSpec[];
  connectors: ConnectorSpec[];
  /** The SDL with every Tollgate directive and the Tollgate @link replaced by spaces, so line numbers stay. */
  compositionSdl: string;
  problems: RestProblem[];
}

export function mentionsRestSpec(sdl: string): boolean {
  return sdl.includes(REST_SPEC_URL_PREFIX);
}

/** The names this file uses for @restSource / @rest: imported ones (with `as` renames), else the plain names. */
function directiveNames(link: SpecLink): { source: string; rest: string } {
  return { source: linkedName(link, '@restSource', 'rest', { bareWhenUnimported: true }), rest: linkedName(link, '@rest', 'rest', { bareWhenUnimported: true }) };
}

export function locationOf(node: { loc?: { startToken: { line: number; column: number } } } | undefined): Location {
  return node?.loc ? { line: node.loc.startToken.line, column: node.loc.startToken.column } : { line: 1, column: 1 };
}

/** Where `offset` (into a string argument's value) is in the file; exact for one-line strings, by line for blocks. */
export function locationInString(node: ValueNode | undefined, offset: number): Location {
  const start = locationOf(node);
  if (!node || node.kind !== Kind.STRING) return start;
  const string = node as StringValueNode;
  if (!string.block) return { line: start.line, column: start.column + 1 + offset };
  const before = string.value.slice(0, offset);
  const lineInValue = before.split('\n').length - 1;
  const raw = string.loc ? string.loc.source.body.slice(string.loc.start + 3, string.loc.end - 3) : '';
  const rawLines = raw.split('\n');
  const firstContent = rawLines.findIndex((line) => line.trim() !== '');
  const rawLine = rawLines[Math.max(0, firstContent) + lineInValue] ?? '';
  const valueLine = string.value.split('\n')[lineInValue] ?? '';
  const column = offset - (before.lastIndexOf('\n') + 1) + (rawLine.length - valueLine.length);
  return { line: start.line + Math.max(0, firstContent) + lineInValue, column: column + 1 + (firstContent === 0 && lineInValue === 0 ? start.column + 2 : 0) };
}

/** Reads every Tollgate directive; problems with the directives' own arguments are collected, not thrown. */
export function readRestDirectives(sdl: string, document: DocumentNode): ReadResult {
  const problems: RestProblem[] = [];
  const sources: RestSourceSpec[] = [];
  const connectors: ConnectorSpec[] = [];
  const blank: Array<[number, number]> = [];
  const link = findLink(document, 'rest');
  if (!link) return { sources, connectors, compositionSdl: sdl, problems: [{ message: `no @link(url: "${REST_SPEC_URL}") on the schema`, line: 1, column: 1 }] };
  const names = directiveNames(link);
  const problem = (node: Parameters<typeof locationOf>[0], message: string) => problems.push({ message, ...locationOf(node) });
  if (link.node.loc) blank.push([link.node.loc.start, link.node.loc.end]);

  let linksFederation = false;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
      for (const directive of definition.directives ?? []) {
        const url = directive.name.value === 'link' ? readLink(directive)?.url : undefined;
        if (url?.startsWith(FEDERATION_SPEC_PREFIX)) linksFederation = true;
        if (url !== undefined && !url.startsWith(FEDERATION_SPEC_PREFIX) && !url.startsWith(REST_SPEC_URL_PREFIX) && !url.startsWith(LINK_SPEC_PREFIX)) {
          problem(directive, `@link(url: "${url}") is not supported in a REST description (only federation v2 and ${REST_SPEC_URL})`);
        }
        if (directive.name.value === names.rest) problem(directive, `@${names.rest} belongs on a field or an entity type, not on the schema`);
        if (directive.name.value !== names.source) continue;
        if (directive.loc) blank.push([directive.loc.start, directive.loc.end]);
        const source = readSource(directive, (message) => problem(directive, `@${names.source}: ${message}`));
        if (!source) continue;
        if (sources.some((s) => s.name === source.name)) problem(directive, `@${names.source}(name: "${source.name}") is declared twice`);
        else sources.push(source);
      }
      continue;
    }
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) {
      if ('directives' in definition) {
        for (const directive of definition.directives ?? []) {
          if (directive.name.value === names.rest || directive.name.value === names.source) problem(directive, `@${directive.name.value} is only supported on object types and their fields`);
        }
      }
      continue;
    }
    const typeName = definition.name.value;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value === names.source) problem(directive, `@${names.source} belongs on the schema (extend schema @${names.source}(…))`);
      if (directive.name.value !== names.rest) continue;
      if (directive.loc) blank.push([directive.loc.start, directive.loc.end]);
      const connector = readConnector(directive, typeName, undefined, (node, message) => problem(node, `${typeName} @${names.rest}: ${message}`));
      if (connector) connectors.push(connector);
    }
    for (const field of definition.fields ?? []) {
      for (const directive of field.directives ?? []) {
        if (directive.name.value === names.source) problem(directive, `@${names.source} belongs on the schema`);
        if (directive.name.value !== names.rest) continue;
        if (directive.loc) blank.push([directive.loc.start, directive.loc.end]);
        const coordinate = `${typeName}.${field.name.value}`;
        if (connectors.some((c) => c.coordinate === coordinate)) problem(directive, `${coordinate} has more than one @${names.rest}`);
        const connector = readConnector(directive, typeName, field.name.value, (node, message) => problem(node, `${coordinate} @${names.rest}: ${message}`));
        if (connector) connectors.push(connector);
      }
    }
  }
  if (!linksFederation) problems.push({ message: `a REST description is a Federation 2 subgraph: add @link(url: "https://specs.apollo.dev/federation/v2.x", import: ["@key"])`, ...locationOf(link.node) });
  return { sources, connectors, compositionSdl: blankOut(sdl, blank), problems };
}

function blankOut(sdl: string, ranges: Array<[number, number]>): string {
  const chars = sdl.split('');
  for (const [start, end] of ranges) for (let i = start; i < end; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
  return chars.join('');
}

type ArgReader = Record<string, ArgumentNode>;

/** RFC 9110 token characters. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function methodList(value: unknown, name: string, report: (message: string) => void): RestMethod[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  const bad = list.filter((method) => !REST_METHODS.includes(method as RestMethod));
  if (bad.length > 0) return void report(`"${name}" lists ${bad.map((m) => JSON.stringify(m)).join(', ')}; methods are ${REST_METHODS.join(', ')}`);
  return [...new Set(list as RestMethod[])];
}

function argumentsOf(directive: ConstDirectiveNode, allowed: readonly string[], report: (message: string) => void): ArgReader {
  const args: ArgReader = {};
  for (const arg of directive.arguments ?? []) {
    if (!allowed.includes(arg.name.value)) report(`unknown argument "${arg.name.value}" (allowed: ${allowed.join(', ')})`);
    else args[arg.name.value] = arg;
  }
  return args;
}

function readSource(directive: ConstDirectiveNode, report: (message: string) => void): RestSourceSpec | undefined {
  const args = argumentsOf(directive, ['name', 'baseURL', 'headers', 'timeout', 'retry', 'connections', 'errors'], report);
  const errors = args.errors ? errorRulesArg(args.errors, (node, message) => report(message)) : undefined;
  const name = stringArg(args.name, 'name', report, true);
  const baseURL = stringArg(args.baseURL, 'baseURL', report, true);
  if (name === undefined || baseURL === undefined) return undefined;
  const retry = args.retry ? objectArg(args.retry, 'retry', ['maxRetries', 'backoff', 'methods'], report) : {};
  const maxRetries = retry.maxRetries === undefined ? DEFAULTS.maxRetries : intValue(retry.maxRetries, 'retry.maxRetries', 0, 10, report);
  const retryMethods = retry.methods === undefined ? undefined : methodList(retry.methods, 'retry.methods', report);
  return {
    name,
    baseURL,
    headers: args.headers ? headersArg(args.headers.value, report) : [],
    timeoutMs: args.timeout ? durationArg(args.timeout, 'timeout', report) ?? DEFAULTS.timeoutMs : DEFAULTS.timeoutMs,
    maxRetries: maxRetries ?? DEFAULTS.maxRetries,
    backoffMs: retry.backoff === undefined ? DEFAULTS.backoffMs : durationValue(retry.backoff, 'retry.backoff', report) ?? DEFAULTS.backoffMs,
    ...(retryMethods ? { retryMethods } : {}),
    ...(errors ? { errors } : {}),
    connections: args.connections ? intValue(valueFromASTUntyped(args.connections.value), 'connections', 1, 1024, report) ?? DEFAULTS.connections : DEFAULTS.connections,
    location: locationOf(directive),
  };
}

function readConnector(
  directive: ConstDirectiveNode,
  typeName: string,
  fieldName: string | undefined,
  report: (node: Parameters<typeof locationOf>[0], message: string) => void,
): ConnectorSpec | undefined {
  const at = (message: string) => report(directive, message);
  const args = argumentsOf(directive, ['source', 'http', 'selection', 'batch', 'cacheTtl', 'timeout', 'idempotencyKey', 'errors'], at);
  const errors = args.errors ? errorRulesArg(args.errors, report) : undefined;
  const source = stringArg(args.source, 'source', at, true);
  const selectionText = stringArg(args.selection, 'selection', at, true);
  if (!args.http) at('needs http: { GET: "/path" } (or POST, PUT, PATCH, DELETE with an optional body: "…")');
  if (source === undefined || selectionText === undefined || !args.http) return undefined;

  const http = objectArg(args.http, 'http', [...REST_METHODS, 'headers', 'body', 'queryParams'], at);
  const methods = REST_METHODS.filter((method) => http[method] !== undefined);
  if (methods.length !== 1) return void at(`http needs exactly one of ${REST_METHODS.join(', ')}`);
  const method = methods[0];
  const httpFields = args.http.value.kind === Kind.OBJECT ? args.http.value.fields : [];
  const pathNode = httpFields.find((f) => f.name.value === method)?.value;
  const bodyNode = httpFields.find((f) => f.name.value === 'body')?.value;
  const queryParamsNode = httpFields.find((f) => f.name.value === 'queryParams')?.value;
  if (typeof http[method] !== 'string') return void at(`http.${method} must be a path template string`);
  if (http.body !== undefined && method === 'GET') at('http.body is not allowed with GET (a GET has no body)');
  const idempotencyKey = args.idempotencyKey ? stringArg(args.idempotencyKey, 'idempotencyKey', at, false)?.toLowerCase() : undefined;
  if (idempotencyKey !== undefined && !HEADER_NAME.test(idempotencyKey)) at(`idempotencyKey must be a header name, e.g. "idempotency-key"`);
  if (idempotencyKey !== undefined && method === 'GET') at('idempotencyKey is for writes (POST, PUT, PATCH, DELETE); a GET is retried anyway');

  let template: PathTemplate;
  try {
    template = parsePathTemplate(http[method] as string);
  } catch (error) {
    const offset = error instanceof TemplateError ? error.offset : 0;
    return void problemAt(report, pathNode, offset, `http.${method}: ${(error as Error).message}`);
  }
  const selection = parseSelectionArg(selectionText, args.selection?.value, 'selection', report);
  const body = typeof http.body === 'string' ? parseSelectionArg(http.body, bodyNode, 'http.body', report) : undefined;
  if (http.body !== undefined && typeof http.body !== 'string') at('http.body must be a selection string');
  const queryParams = typeof http.queryParams === 'string' ? parseSelectionArg(http.queryParams, queryParamsNode, 'http.queryParams', report) : undefined;
  if (http.queryParams !== undefined && typeof http.queryParams !== 'string') at('http.queryParams must be a selection string, e.g. "limit: $args.limit tag: $args.tags"');
  if (!selection) return undefined;

  const batch = args.batch ? objectArg(args.batch, 'batch', ['maxSize'], at) : undefined;
  // $batch in the path, the query parameters (`id: $batch.id`, repeated) or the body (`ids: $batch.id`) batches.
  const usesBatch =
    template.variables.some((v) => v.namespace === '$batch') || [queryParams, body].some((s) => s !== undefined && selectionVariables(s).some((v) => v.root === '$batch'));
  if (batch && !usesBatch) at('batch is set but neither the path, http.queryParams nor http.body uses $batch.<key>');
  const argumentNodes: Record<string, ValueNode> = {};
  if (args.selection) argumentNodes.selection = args.selection.value;
  if (pathNode) argumentNodes.path = pathNode;
  if (bodyNode) argumentNodes.body = bodyNode;
  if (queryParamsNode) argumentNodes.queryParams = queryParamsNode;
  const headers = http.headers === undefined ? [] : headersArg(httpFields.find((f) => f.name.value === 'headers')?.value, at);
  const contentType = headers.find((header) => header.name === 'content-type')?.value.toLowerCase();
  const bodyFormat = contentType?.startsWith('application/x-www-form-urlencoded') ? 'form' : 'json';
  if (contentType !== undefined && bodyFormat === 'json' && !/^application\/(?:[\w.+-]*\+)?json\b/.test(contentType)) {
    at(`content-type "${contentType}": a body is sent as JSON (application/json) or as a form (application/x-www-form-urlencoded)`);
  }
  return {
    coordinate: fieldName ? `${typeName}.${fieldName}` : typeName,
    kind: fieldName ? 'field' : 'entity',
    typeName,
    fieldName,
    source,
    method,
    template,
    headers,
    body,
    ...(queryParams ? { queryParams } : {}),
    ...(body ? { bodyFormat } : {}),
    ...(idempotencyKey !== undefined ? { idempotencyKeyHeader: idempotencyKey } : {}),
    ...(errors ? { errors } : {}),
    selection,
    maxBatchSize: usesBatch ? (batch?.maxSize === undefined ? DEFAULTS.maxBatchSize : intValue(batch.maxSize, 'batch.maxSize', 1, 10_000, at)) : undefined,
    cacheTtlMs: args.cacheTtl ? durationArg(args.cacheTtl, 'cacheTtl', at) ?? 0 : DEFAULTS.cacheTtlMs,
    timeoutMs: args.timeout ? durationArg(args.timeout, 'timeout', at) : undefined,
    location: locationOf(directive),
    argumentNodes,
  };
}

/** `errors: { message: "$.error.message", code: "$.error.code", success: "$.ok" }`: each a selection. */
function errorRulesArg(arg: ArgumentNode, report: (node: Parameters<typeof locationOf>[0], message: string) => void): ErrorRules | undefined {
  const at = (message: string) => report(arg, message);
  const value = objectArg(arg, 'errors', ['message', 'code', 'success', 'isSuccess'], at);
  const fields = arg.value.kind === Kind.OBJECT ? arg.value.fields : [];
  const rules: ErrorRules = {};
  for (const key of ['message', 'code', 'success', 'isSuccess'] as const) {
    if (value[key] === undefined) continue;
    if (typeof value[key] !== 'string') {
      at(`errors.${key} must be a selection string, e.g. "$.error.${key}"`);
      continue;
    }
    const parsed = parseSelectionArg(value[key] as string, fields.find((f) => f.name.value === key)?.value, `errors.${key}`, report);
    if (parsed) rules[key] = parsed;
  }
  return rules;
}

function problemAt(report: (node: Parameters<typeof locationOf>[0], message: string) => void, node: ValueNode | undefined, offset: number, message: string): void {
  const location = locationInString(node, offset);
  report({ loc: { startToken: location } }, message);
}

function parseSelectionArg(text: string, node: ValueNode | undefined, what: string, report: (node: Parameters<typeof locationOf>[0], message: string) => void): Selection | undefined {
  try {
    return parseSelection(text);
  } catch (error) {
    const offset = error instanceof SelectionSyntaxError ? error.offset : 0;
    problemAt(report, node, offset, `${what}: ${(error as Error).message}`);
    return undefined;
  }
}

function stringArg(arg: ArgumentNode | undefined, name: string, report: (message: string) => void, required: boolean): string | undefined {
  if (!arg) {
    if (required) report(`needs a "${name}" argument`);
    return undefined;
  }
  if (arg.value.kind !== Kind.STRING || arg.value.value.trim() === '') return void report(`"${name}" must be a non-empty string`);
  return arg.value.value;
}

function objectArg(arg: ArgumentNode, name: string, allowed: readonly string[], report: (message: string) => void): Record<string, unknown> {
  if (arg.value.kind !== Kind.OBJECT) {
    report(`"${name}" must be an object like { ${allowed[0]}: … }`);
    return {};
  }
  const value = valueFromASTUntyped(arg.value) as Record<string, unknown>;
  for (const key of Object.keys(value)) if (!allowed.includes(key)) report(`unknown key "${name}.${key}" (allowed: ${allowed.join(', ')})`);
  return value;
}

function headersArg(node: ValueNode | undefined, report: (message: string) => void): HeaderSpec[] {
  const value = node ? valueFromASTUntyped(node) : [];
  const list = Array.isArray(value) ? value : [value];
  const headers: HeaderSpec[] = [];
  for (const entry of list as Array<Record<string, unknown>>) {
    const name = typeof entry?.name === 'string' ? entry.name.toLowerCase() : undefined;
    if (!name || !HEADER_NAME.test(name)) report(`headers: each entry needs a valid "name"`);
    else if (entry.from !== undefined) {
      report(`headers: "${name}": copy client headers with tollgate.yaml header rules (headers.subgraphs.<subgraph>: - propagate: { named: ${entry.from} }), which inbound deduplication accounts for`);
    } else if (typeof entry.value === 'string') {
      try {
        const template = parseValueTemplate(entry.value);
        headers.push(template.parts.some((part) => part.kind === 'variable') ? { name, value: entry.value, template } : { name, value: entry.value });
      } catch (error) {
        report(`headers: "${name}": ${(error as Error).message}`);
      }
    }
    else report(`headers: "${name}" needs value: "…"`);
  }
  return headers;
}

function durationArg(arg: ArgumentNode, name: string, report: (message: string) => void): number | undefined {
  return durationValue(valueFromASTUntyped(arg.value), name, report);
}

function durationValue(value: unknown, name: string, report: (message: string) => void): number | undefined {
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (ms === undefined) report(`"${name}" must be a duration like "250ms" or "2s", got ${JSON.stringify(value)}`);
  return ms;
}

function intValue(value: unknown, name: string, min: number, max: number, report: (message: string) => void): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return void report(`"${name}" must be a whole number from ${min} to ${max}`);
  return value;
}
