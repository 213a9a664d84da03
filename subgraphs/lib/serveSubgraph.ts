// Lean GraphQL-over-HTTP server for one subgraph schema: node:http + graphql-js `execute`, no framework.
// Built to be cheap under benchmark load (~10k subgraph requests/s on one core); the gateway itself lives in src/.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import {
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { serveSubscriptions, type SubscriptionEndpoint } from './serveSubscriptions';

export interface ServeSubgraphOptions {
  /** Subgraph name; returned on the handle so callers can map urls back to subgraphs. */
  name: string;
  /** Executable subgraph schema, normally from `buildSubgraphSchema`. */
  schema: GraphQLSchema;
  /** TCP port; 0 lets the OS pick a free one. @default 0 */
  port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** How many distinct query strings keep their parsed and validated document. @default 1000 */
  documentCacheSize?: number;
  /** Largest request body accepted, in bytes; larger bodies get 413. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** Also serve graphql-transport-ws (WebSocket) at /graphql, for the schema's subscriptions. @default false */
  subscriptions?: boolean;
}

export interface SubgraphServer {
  name: string;
  /** `http://HOST:PORT/graphql`, with a connectable host even when bound to 0.0.0.0 / ::. */
  url: string;
  port: number;
  /** With `subscriptions: true`: the WebSocket endpoint (ws://HOST:PORT/graphql). */
  subscriptions?: SubscriptionEndpoint;
  /** Stops listening and drops every connection, idle keep-alive ones included. Safe to call twice. */
  close(): Promise<void>;
}

interface GraphQLParams {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/** A query string seen before: either its valid document, or the finished error response for it. */
type CachedDocument = { document: DocumentNode; errorBody: undefined } | { document: undefined; errorBody: string };

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
// Gateways and load balancers commonly idle connections for 60s; outliving them avoids races on reused sockets.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function serveSubgraph(options: ServeSubgraphOptions): Promise<SubgraphServer> {
  const { name, schema, port = 0, host = '127.0.0.1' } = options;
  const cacheSize = options.documentCacheSize ?? 1000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  // Insertion-ordered, so evicting the first key drops the oldest entry: FIFO is enough for a fixed set of
  // gateway-generated queries and costs nothing on a hit (LRU would need a delete + set per request).
  const documents = new Map<string, CachedDocument>();

  function documentFor(query: string): CachedDocument {
    let cached = documents.get(query);
    if (cached === undefined) {
      cached = prepareDocument(schema, query);
      if (documents.size >= cacheSize) documents.delete(documents.keys().next().value as string);
      documents.set(query, cached);
    }
    return cached;
  }

  function run(req: IncomingMessage, res: ServerResponse, params: GraphQLParams, isGet: boolean): void {
    const cached = documentFor(params.query);
    if (cached.document === undefined) {
      // GraphQL-over-HTTP: with application/json, request errors still answer 200 and the gateway reads `errors`.
      send(res, 200, cached.errorBody);
      return;
    }
    if (isGet && getOperationAST(cached.document, params.operationName)?.operation === 'mutation') {
      sendError(res, 405, 'Mutations are not allowed over GET; use POST', { allow: 'POST' });
      return;
    }
    let result: ExecutionResult | Promise<ExecutionResult>;
    try {
      result = execute({
        schema,
        document: cached.document,
        variableValues: params.variables,
        operationName: params.operationName,
        // Resolvers (and resolver-level rules) see the request headers, e.g. identity the gateway forwards.
        contextValue: { headers: req.headers },
      });
    } catch (error) {
      sendInternalError(res, error);
      return;
    }
    // @apollo/subgraph's _entities always yields promises; plain root fields often stay synchronous.
    if (result instanceof Promise) {
      result.then(
        (settled) => sendResult(res, settled),
        (error: unknown) => sendInternalError(res, error),
      );
    } else {
      sendResult(res, result);
    }
  }

  function onPost(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    req.on('data', (chunk: Buffer) => {
      if (rejected) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        rejected = true;
        // Closing the connection stops the client's upload instead of reading the rest of an oversized body.
        sendError(res, 413, `Request body exceeds ${maxBodyBytes} bytes`, { connection: 'close' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (rejected) return;
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      const params = paramsFromBody(text);
      if (typeof params === 'string') sendError(res, 400, params);
      else run(req, res, params, false);
    });
    // A client that vanishes mid-body leaves nothing to answer; swallowing the error keeps the process up.
    req.on('error', () => req.destroy());
  }

  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    try {
      const url = req.url ?? '';
      const queryStart = url.indexOf('?');
      const path = queryStart === -1 ? url : url.slice(0, queryStart);
      if (path !== '/graphql') {
        sendError(res, 404, 'Not found; the GraphQL endpoint is /graphql');
      } else if (req.method === 'POST') {
        if (!isJsonContentType(req.headers['content-type'])) {
          sendError(res, 415, 'POST bodies must be application/json');
          req.resume();
        } else {
          onPost(req, res);
        }
      } else if (req.method === 'GET') {
        const params = queryStart === -1 ? 'Missing "query" parameter' : paramsFromSearch(url.slice(queryStart + 1));
        if (typeof params === 'string') sendError(res, 400, params);
        else run(req, res, params, true);
      } else {
        sendError(res, 405, `Method ${req.method ?? ''} not allowed`, { allow: 'GET, POST' });
        req.resume();
      }
    } catch (error) {
      sendInternalError(res, error);
    }
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Must exceed keepAliveTimeout, or Node may time out a request that arrives on a socket about to idle out.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // Past startup an 'error' event would be fatal without a listener; bad requests surface as 'clientError'.
      server.on('error', (error) => console.error(`[subgraph ${name}] server error`, error));
      const boundPort = (server.address() as AddressInfo).port;
      const subscriptions = options.subscriptions ? serveSubscriptions(server, schema) : undefined;
      let closing: Promise<void> | undefined;
      resolve({
        name,
        port: boundPort,
        subscriptions,
        url: `http://${connectableHost(host)}:${boundPort}/graphql`,
        close() {
          closing ??= new Promise<void>((done, fail) => {
            void subscriptions?.close();
            server.close((error) => (error ? fail(error) : done()));
            // server.close() alone waits for idle keep-alive sockets to time out (65s).
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}

function prepareDocument(schema: GraphQLSchema, query: string): CachedDocument {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const parseError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
    return { document: undefined, errorBody: JSON.stringify({ errors: [parseError] }) };
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { document: undefined, errorBody: JSON.stringify({ errors }) };
  return { document, errorBody: undefined };
}

/** Request parameters from a POST body, or the message of a 400 when the body is not a GraphQL request. */
function paramsFromBody(text: string): GraphQLParams | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'Request body is not valid JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'Request body must be a JSON object with a "query" string';
  }
  const { query, variables, operationName } = body as Record<string, unknown>;
  return checkParams(query, variables, operationName);
}

function paramsFromSearch(search: string): GraphQLParams | string {
  const { query, variables, operationName } = parseQueryString(search);
  let parsedVariables: unknown;
  if (typeof variables === 'string' && variables !== '') {
    try {
      parsedVariables = JSON.parse(variables);
    } catch {
      return '"variables" parameter is not valid JSON';
    }
  }
  return checkParams(query, parsedVariables, operationName === '' ? undefined : operationName);
}

function checkParams(query: unknown, variables: unknown, operationName: unknown): GraphQLParams | string {
  if (typeof query !== 'string' || query === '') return 'Missing "query" string';
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return '"variables" must be an object';
  }
  if (operationName != null && typeof operationName !== 'string') return '"operationName" must be a string';
  return {
    query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: operationName ?? undefined,
  };
}

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().includes('json');
}

function sendResult(res: ServerResponse, result: ExecutionResult): void {
  let body: string;
  try {
    body = JSON.stringify(result);
  } catch (error) {
    sendInternalError(res, error);
    return;
  }
  send(res, 200, body);
}

function sendError(res: ServerResponse, status: number, message: string, headers?: Record<string, string>): void {
  if (headers !== undefined && !res.headersSent) {
    for (const [header, value] of Object.entries(headers)) res.setHeader(header, value);
  }
  send(res, status, JSON.stringify({ errors: [{ message }] }));
}

function sendInternalError(res: ServerResponse, error: unknown): void {
  console.error('[subgraph] internal error', error);
  sendError(res, 500, 'Internal server error');
}

function send(res: ServerResponse, status: number, body: string): void {
  // The client may have gone, or a 413 may already be on the wire while the body kept streaming.
  if (res.headersSent || res.destroyed) return;
  // A fresh object literal takes Node's fast path in writeHead (no merge with previously set headers).
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function connectableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
