// graphql-transport-ws for clients: `ws` on the listener's `upgrade` at server.graphqlPath, the protocol run by the
// `graphql-ws` library's `makeServer`. Authentication happens once, at `connection_init`: credentials from its payload
// (`Authorization`, the API-key header, or the same under `headers`) over those of the upgrade request, checked by the
// same authenticator as HTTP; refused credentials close the socket with 4401. Each `subscribe` goes through
// ./service.ts (limits, policy, caps); a refusal is a protocol `error` message with the coded errors.
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TollgateConfig } from '../config/schema';
import type { Authenticator } from '../identity/authenticate';
import { clientIpOf, compileTrustedProxies } from '../identity/clientIp';
import type { Principal } from '../identity/principal';
import { webSocketOriginAllowed } from '../server/cors';
import { requestIdFrom } from '../server/requestId';
import { rejectionBody } from '../errors';
import type { SubscriptionMetrics } from './metrics';
import type { SubscriptionService } from './service';
import type { StreamResult } from './stream';

interface Extra {
  request: IncomingMessage;
  socket: WebSocket;
  principal?: Principal;
  headers?: IncomingHttpHeaders;
  /** Subscriptions running on this socket (until graphql-ws has queued their `complete`). */
  active: number;
  /** Gives the client's connection slot back (set once authenticated). */
  release?: () => void;
}

export interface WebSocketEndpoint {
  readonly connections: number;
  /** Closes every socket (1001 going away) after their subscriptions completed, and stops accepting upgrades. */
  close(): Promise<void>;
}

export function attachWebSocket(server: Server, config: TollgateConfig, authenticate: Authenticator, service: SubscriptionService, metrics: SubscriptionMetrics): WebSocketEndpoint {
  const { graphqlPath, bodyLimit, requestIdHeader } = config.server;
  const { keepAlive, connectionInitTimeout } = config.subscriptions;
  const trusted = compileTrustedProxies(config.server.trustedProxies);
  const credentialHeaders = [config.authentication.jwt?.header ?? 'authorization', config.authentication.apiKeys?.header ?? 'x-api-key'];
  // A message is at most one request: the HTTP body limit applies to it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: bodyLimit, handleProtocols: (protocols) => handleProtocols(protocols) });

  const protocol = makeServer<Record<string, unknown> | undefined, Extra>({
    connectionInitWaitTimeout: connectionInitTimeout,
    onConnect: async (ctx) => {
      const { request, socket } = ctx.extra;
      const headers = withConnectionParams(request.headers, ctx.connectionParams, credentialHeaders);
      const authenticated = await authenticate(headers);
      if (!authenticated.ok) {
        socket.close(CloseCode.Unauthorized, `UNAUTHENTICATED: ${authenticated.message}`.slice(0, 120));
        return false;
      }
      // One connection slot per authenticated connection (subscriptions.maxConnectionsPerClient), held until it closes.
      const slot = service.openConnection({ principal: authenticated.principal, clientIp: clientIpOf(request.socket.remoteAddress, request.headers['x-forwarded-for'], trusted) });
      if (!slot.ok) {
        socket.close(CloseCode.TooManyInitialisationRequests, `SUBSCRIPTION_CONNECTION_LIMIT_EXCEEDED: ${slot.errors[0].message}`.slice(0, 120));
        return false;
      }
      // The socket may have closed while the credentials were checked: then the slot goes back at once.
      if (socket.readyState !== socket.OPEN) slot.release();
      else ctx.extra.release = slot.release;
      ctx.extra.principal = authenticated.principal;
      ctx.extra.headers = headers;
      return true;
    },
    onSubscribe: async (ctx, _id, payload) => {
      const { request, principal, headers } = ctx.extra;
      if (!principal || !headers) return [new GraphQLError('Not authenticated.', { extensions: { code: 'UNAUTHENTICATED' } })];
      const outcome = await service.subscribe(
        { query: payload.query, operationName: payload.operationName ?? undefined, variables: payload.variables ?? undefined, extensions: payload.extensions ?? undefined },
        { protocol: 'ws', principal, headers, clientIp: clientIpOf(request.socket.remoteAddress, request.headers['x-forwarded-for'], trusted), requestId: requestIdFrom(request.headers[requestIdHeader]) },
      );
      if (outcome.kind === 'rejected') return outcome.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions }));
      ctx.extra.active += 1;
      // graphql-ws hands these to `subscribe` below: the stream rides in rootValue.
      return { schema: outcome.schema, document: outcome.document, operationName: payload.operationName ?? undefined, variableValues: payload.variables ?? undefined, rootValue: outcome.stream, contextValue: {} };
    },
    // Formatted errors, not GraphQLError instances: onNext below sends them untouched, hence the cast.
    subscribe: (args) => args.rootValue as AsyncGenerator<StreamResult> as unknown as AsyncGenerator<ExecutionResult>,
    // Events are already formatted JSON (errors included): sent as they are.
    onNext: (_ctx, _id, _payload, _args, result) => result as never,
    // Called for every subscription that started, however it ended, just before its `complete` is sent.
    onComplete: (ctx) => {
      ctx.extra.active -= 1;
    },
  });

  const extras = new Set<Extra>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== graphqlPath) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    // Browsers apply no CORS to WebSockets and send the site's cookies along: a page on another origin could ride the
    // user's session (cross-site WebSocket hijacking). A browser's upgrade names its page's Origin; only allowed ones pass.
    if (!webSocketOriginAllowed(config.server.cors, request.headers.origin, request.headers.host)) {
      const body = rejectionBody('ORIGIN_NOT_ALLOWED', 'This Origin may not open WebSockets here (server.cors.origins).');
      socket.end(`HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    metrics.connection('ws', 1);
    socket.on('error', () => socket.terminate());
    // Keep-alive: a client that does not answer a ping within one interval is gone (half-open TCP) and is dropped.
    let alive = true;
    socket.on('pong', () => (alive = true));
    const pinger =
      keepAlive > 0
        ? setInterval(() => {
            if (!alive) return void socket.terminate();
            alive = false;
            socket.ping();
          }, keepAlive)
        : undefined;
    const extra: Extra = { request, socket, active: 0 };
    extras.add(extra);
    const closed = protocol.opened(
      {
        protocol: socket.protocol,
        // Resolves once the frame is handed to the socket: graphql-ws pulls the next event only then (backpressure).
        send: (data) => new Promise<void>((resolve) => (socket.readyState === socket.OPEN ? socket.send(data, () => resolve()) : resolve())),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch(() => socket.close(CloseCode.InternalServerError, 'Internal server error'));
          }),
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      if (pinger) clearInterval(pinger);
      extras.delete(extra);
      extra.release?.();
      metrics.connection('ws', -1);
      void closed(code, String(reason));
    });
  });

  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      // Subscriptions were completed by the service first; let the `complete` frames go out before the close frame.
      const deadline = Date.now() + 1_000;
      while ([...extras].some((e) => e.active > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.all([...wss.clients].map((socket) => flushed(socket)));
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of wss.clients) socket.terminate();
    },
  };
}

/** Credentials from the `connection_init` payload, over the upgrade request's: only the credential headers. */
function withConnectionParams(headers: IncomingHttpHeaders, params: Record<string, unknown> | undefined, names: readonly string[]): IncomingHttpHeaders {
  if (!params) return headers;
  const merged: IncomingHttpHeaders = { ...headers };
  const sources = [params, typeof params.headers === 'object' && params.headers !== null ? (params.headers as Record<string, unknown>) : {}];
  for (const source of sources) {
    for (const key of Object.keys(source)) {
      const name = key.toLowerCase();
      const value = source[key];
      if (names.includes(name) && typeof value === 'string') merged[name] = value;
    }
  }
  return merged;
}

/** Waits (bounded) until what was sent on the socket has been written. */
function flushed(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState !== socket.OPEN) return resolve();
    // An empty ping is queued behind every pending frame: its callback means they were written.
    const timer = setTimeout(resolve, 1_000);
    socket.ping(undefined, undefined, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
