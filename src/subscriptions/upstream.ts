// Subscriptions to subgraphs over graphql-transport-ws (the `graphql-ws` client over `ws`). Identical upstream
// subscriptions — same subgraph URL, operation, variables and forwarded headers (identity), keyed through
// util/cacheKey — are opened once and fanned out to every listener; the last listener to leave closes it. An upstream
// that errors or whose socket drops ends every listener with coded errors; one that completes completes them.
import type { GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { cacheKey } from '../util/cacheKey';

export interface UpstreamRequest {
  subgraph: string;
  url: string;
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  /** Sent with the WebSocket upgrade and in `connection_init` (`{ headers }`): header rules and forwarded claims. */
  headers: Record<string, string>;
}

export type UpstreamEvent =
  | { kind: 'next'; data: Record<string, unknown> | null | undefined; errors?: GraphQLFormattedError[] }
  | { kind: 'error'; errors: GraphQLFormattedError[] }
  | { kind: 'complete' };

export type UpstreamListener = (event: UpstreamEvent) => void;

interface Upstream {
  subgraph: string;
  client: Client;
  listeners: Set<UpstreamListener>;
  stop: () => void;
}

export interface UpstreamHooks {
  /** An upstream subscription opened (+1) or closed (-1). */
  onOpen?(subgraph: string, delta: 1 | -1): void;
  /** One event arrived from a subgraph (before fan-out). */
  onEvent?(subgraph: string): void;
}

export class UpstreamHub {
  private readonly open = new Map<string, Upstream>();

  constructor(
    private readonly keepAliveMs: number,
    private readonly hooks: UpstreamHooks = {},
  ) {}

  /** Upstream subscriptions open now. */
  get size(): number {
    return this.open.size;
  }

  /** Joins (or opens) the upstream subscription for `request`; returns the function that leaves it. */
  join(request: UpstreamRequest, listener: UpstreamListener): () => void {
    const headerPairs = Object.keys(request.headers).sort().flatMap((name) => [name, request.headers[name]]);
    const key = cacheKey(request.url, request.operationName, request.query, JSON.stringify(request.variables), ...headerPairs);
    let upstream = this.open.get(key);
    if (!upstream) {
      upstream = this.start(key, request);
      this.open.set(key, upstream);
    }
    upstream.listeners.add(listener);
    const joined = upstream;
    return () => {
      if (!joined.listeners.delete(listener) || joined.listeners.size > 0) return;
      this.finish(key, joined);
    };
  }

  /** Closes every upstream subscription without telling listeners (their streams are ended by the caller). */
  closeAll(): void {
    for (const [key, upstream] of [...this.open]) this.finish(key, upstream);
  }

  private start(key: string, request: UpstreamRequest): Upstream {
    const headers = request.headers;
    // graphql-ws constructs the socket itself: a subclass carries the headers into the upgrade request.
    class HeaderedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    const client = createClient({
      url: request.url,
      webSocketImpl: HeaderedWebSocket,
      connectionParams: { headers },
      lazy: true,
      lazyCloseTimeout: 0,
      // A dropped upstream is reported to the clients (error + complete), not retried behind their backs.
      retryAttempts: 0,
      shouldRetry: () => false,
      keepAlive: this.keepAliveMs,
    });
    const upstream: Upstream = { subgraph: request.subgraph, client, listeners: new Set(), stop: () => undefined };
    const fanOut = (event: UpstreamEvent) => {
      for (const listener of [...upstream.listeners]) listener(event);
    };
    upstream.stop = client.subscribe<Record<string, unknown>>(
      { query: request.query, operationName: request.operationName, variables: request.variables },
      {
        next: (result) => {
          this.hooks.onEvent?.(request.subgraph);
          fanOut({ kind: 'next', data: result.data, errors: result.errors?.map((e) => withService(e, request.subgraph)) });
        },
        error: (error) => {
          const errors = Array.isArray(error) ? (error as GraphQLFormattedError[]).map((e) => withService(e, request.subgraph)) : [lost(request.subgraph, error)];
          this.finish(key, upstream);
          fanOut({ kind: 'error', errors });
        },
        complete: () => {
          this.finish(key, upstream);
          fanOut({ kind: 'complete' });
        },
      },
    );
    this.hooks.onOpen?.(request.subgraph, 1);
    return upstream;
  }

  private finish(key: string, upstream: Upstream): void {
    if (this.open.get(key) !== upstream) return;
    this.open.delete(key);
    this.hooks.onOpen?.(upstream.subgraph, -1);
    upstream.stop();
    // dispose() waits for a socket still connecting and rejects with its close event when that fails (e.g. the
    // subgraph shuts down too): nothing is left to tell anyone, and an unhandled rejection would crash the process.
    Promise.resolve(upstream.client.dispose()).catch(() => undefined);
  }
}

function withService(error: GraphQLFormattedError, subgraph: string): GraphQLFormattedError {
  const extensions = error.extensions ?? {};
  return { ...error, extensions: { ...extensions, serviceName: subgraph, code: extensions.code ?? 'DOWNSTREAM_SERVICE_ERROR' } };
}

/** The socket to the subgraph closed or could not open: every client of it gets SUBGRAPH_UNAVAILABLE. */
function lost(subgraph: string, error: unknown): GraphQLFormattedError {
  const close = error as { code?: unknown; reason?: unknown; message?: unknown };
  const cause = typeof close.code === 'number' ? `connection closed (${close.code}${close.reason ? `: ${String(close.reason).slice(0, 100)}` : ''})` : typeof close.message === 'string' ? close.message.slice(0, 200) : 'connection lost';
  return { message: `The subscription to subgraph "${subgraph}" ended: ${cause}.`, extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph } };
}
