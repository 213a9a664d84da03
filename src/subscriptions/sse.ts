// GraphQL over Server-Sent Events (the `graphql-sse` protocol, distinct-connections mode: one HTTP request per
// subscription, `accept: text/event-stream`), run by the graphql-sse library's handler. This adapter reads the body
// within server.bodyLimit (the library's own Node adapter reads without a limit), authenticates the request with the
// HTTP rules (refused: 401 before any stream starts), and paces the library: the next event is pulled from the
// client's bounded stream only once the previous one is written, so a slow reader fills ./stream.ts's bounded queue
// (and is ended with SUBSCRIPTION_CLIENT_TOO_SLOW), never an unbounded one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHandler, type Request as SseRequest } from 'graphql-sse';
import type { TollgateConfig } from '../config/schema';
import { rejectionBody } from '../errors';
import type { Authenticator } from '../identity/authenticate';
import { compileTrustedProxies } from '../identity/clientIp';
import { corsHeaders } from '../server/cors';
import { isPreflightedRequest } from '../server/csrf';
import { readBody } from '../server/readBody';
import { requestIdFrom } from '../server/requestId';
import { drained } from '../server/drained';
import type { SubscriptionMetrics } from './metrics';
import { subscriberOf, type Subscriber, type SubscriptionService } from './service';
import type { EventStream, StreamResult } from './stream';

interface Pacing {
  /** Results handed to the library (onNext) and results written to the socket. */
  produced: number;
  written: number;
  wake?: () => void;
}

interface RequestContext {
  subscriber: Subscriber;
  pacing: Pacing;
}

export interface SseEndpoint {
  /** Requests this endpoint serves: `accept: text/event-stream` exactly, as graphql-sse's distinct mode. */
  accepts(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createSseEndpoint(config: TollgateConfig, authenticate: Authenticator, service: SubscriptionService, metrics: SubscriptionMetrics): SseEndpoint {
  const { server } = config;
  const trusted = compileTrustedProxies(server.trustedProxies);
  const handler = createHandler<IncomingMessage, RequestContext>({
    // null: no stream tokens, so never single-connection mode (every request is its own stream).
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const outcome = await service.subscribe(
        { query: params.query, operationName: params.operationName ?? undefined, variables: params.variables ?? undefined, extensions: params.extensions ?? undefined },
        req.context.subscriber,
      );
      // A refusal is one `next` event with the coded errors, then `complete` (as graphql-sse answers validation errors).
      // graphql-sse takes a result for one only with a `data` key.
      if (outcome.kind === 'rejected') return { data: null, errors: outcome.errors } as never;
      return paced(outcome.stream, req.context.pacing) as never;
    },
    onNext: (_ctx, req) => {
      req.context.pacing.produced += 1;
    },
  });

  return {
    accepts: (req) => req.headers.accept === 'text/event-stream',
    async handle(req, res) {
      const cors = corsHeaders(server.cors, req.headers.origin);
      const requestId = requestIdFrom(req.headers[server.requestIdHeader]);
      const fail = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', [server.requestIdHeader]: requestId, ...cors });
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'POST') {
        req.resume();
        return fail(405, rejectionBody('METHOD_NOT_ALLOWED', 'Subscribe over SSE with GET or POST.'));
      }
      // The CSRF prevention of the HTTP entry: a subscription a page on another site could start without a preflight
      // (a GET, or a form-like POST) would run with the user's cookies and count against their limits.
      if (server.csrfPrevention.enabled && !isPreflightedRequest(req.headers, server.csrfPrevention.requiredHeaders)) {
        req.resume();
        return fail(400, rejectionBody('CSRF_PREVENTED', `This request could have been sent by a browser without a CORS preflight. Send content-type: application/json, or one of these headers: ${server.csrfPrevention.requiredHeaders.join(', ')}.`));
      }
      let body: string | null = null;
      if (req.method === 'POST') {
        const read = await readBody(req, server.bodyLimit, server.bodyTimeout);
        if (!read.ok) {
          if (read.reason === 'aborted') return void res.destroy();
          res.shouldKeepAlive = false;
          return read.reason === 'timeout' ? fail(408, rejectionBody('REQUEST_TIMEOUT', 'The request body did not arrive in time (server.bodyTimeout).')) : fail(413, rejectionBody('PAYLOAD_TOO_LARGE', `The request body exceeds ${server.bodyLimit} bytes (server.bodyLimit).`));
        }
        body = read.body;
      }
      const authenticated = await authenticate(req.headers);
      if (!authenticated.ok) return fail(401, rejectionBody('UNAUTHENTICATED', authenticated.message));
      const pacing: Pacing = { produced: 0, written: 0 };
      const subscriber = subscriberOf('sse', req, authenticated.principal, trusted, requestId);
      const slot = service.openConnection(subscriber);
      if (!slot.ok) return fail(429, JSON.stringify({ errors: slot.errors }));
      try {
        await serve(req, res, subscriber, pacing, requestId, cors, body, fail);
      } finally {
        slot.release();
      }
    },
  };

  /** The stream itself, once the request is authenticated and holds a connection slot. */
  async function serve(req: IncomingMessage, res: ServerResponse, subscriber: Subscriber, pacing: Pacing, requestId: string, cors: Record<string, string> | undefined, body: string | null, fail: (status: number, body: string) => void): Promise<void> {
    const request: SseRequest<IncomingMessage, RequestContext> = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: { get: (key) => (Array.isArray(req.headers[key]) ? (req.headers[key] as string[]).join('\n') : (req.headers[key] as string | undefined)) },
      body,
      raw: req,
      context: { subscriber, pacing },
    };
    let response;
    try {
      response = await handler(request);
    } catch {
      // graphql-sse throws on a body that is not JSON, among others: the client's mistake, answered as one.
      return fail(400, rejectionBody('BAD_REQUEST', 'The request is not a GraphQL-over-SSE request (a JSON body with "query", or GET parameters).'));
    }
    const [stream, init] = response;
    res.writeHead(init.status, init.statusText, { ...init.headers, [server.requestIdHeader]: requestId, ...cors });
    if (!stream || typeof stream === 'string') return void res.end(stream ?? undefined);
    metrics.connection('sse', 1);
    res.once('close', () => void stream.return(undefined));
    try {
      for await (const chunk of stream) {
        if (res.destroyed) break;
        if (!res.write(chunk)) await drained(res);
        if (chunk.startsWith('event: next')) {
          pacing.written += 1;
          pacing.wake?.();
        }
      }
      if (!res.destroyed) res.end();
    } finally {
      metrics.connection('sse', -1);
    }
  }
}

/** The client's stream, pulled by graphql-sse only when everything it pulled before has been written. */
function paced(stream: EventStream, pacing: Pacing): AsyncGenerator<StreamResult, undefined, undefined> {
  // Cast: whether AsyncGenerator declares Symbol.asyncDispose depends on the TypeScript lib in use.
  const wrapper = {
    async next() {
      while (pacing.written < pacing.produced && stream.isOpen) await new Promise<void>((resolve) => (pacing.wake = resolve));
      pacing.wake = undefined;
      return stream.next();
    },
    return: () => stream.return(),
    throw: (error: unknown) => stream.throw(error),
    [Symbol.asyncIterator]() {
      return wrapper;
    },
    [Symbol.asyncDispose]: () => stream.return().then(() => undefined),
  } as unknown as AsyncGenerator<StreamResult, undefined, undefined>;
  // A stream ended while the writer is blocked (too slow, reload, shutdown) must not stay parked here.
  stream.whenEnded(() => pacing.wake?.());
  return wrapper;
}
