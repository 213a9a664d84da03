// graphql-transport-ws for a subgraph (the `graphql-ws` library's protocol, served with `ws`), on the subgraph's own
// HTTP server at /graphql: subscriptions run with graphql-js `subscribe`, queries and mutations with `execute`.
// Tollgate opens a subscription's primary fetch here (src/subscriptions/upstream.ts).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLSchema } from 'graphql';
import { makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SubscriptionEndpoint {
  /** Open WebSocket connections right now. */
  readonly connections: number;
  /** Drops every WebSocket (as a crashed or restarted subgraph would). */
  dropAll(): void;
  close(): Promise<void>;
}

/** Serves graphql-transport-ws on `server` at `path`; request headers of the upgrade reach resolvers as `headers`. */
export function serveSubscriptions(server: Server, schema: GraphQLSchema, path = '/graphql'): SubscriptionEndpoint {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });
  const gql = makeServer<Record<string, unknown>, { request: IncomingMessage }>({
    schema,
    context: (ctx) => ({ headers: ctx.extra.request.headers }),
  });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((request.url ?? '').split('?', 1)[0] !== path) return void socket.destroy();
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);
  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    const closed = gql.opened(
      {
        protocol: ws.protocol,
        send: (data) => new Promise<void>((resolve) => (ws.readyState === ws.OPEN ? ws.send(data, () => resolve()) : resolve())),
        close: (code, reason) => ws.close(code, reason),
        onMessage: (cb) =>
          ws.on('message', (data) => {
            cb(String(data)).catch(() => ws.close(4500, 'Internal server error'));
          }),
      },
      { request },
    );
    ws.once('close', (code, reason) => void closed(code, String(reason)));
    ws.on('error', () => ws.terminate());
  });
  return {
    get connections() {
      return wss.clients.size;
    },
    dropAll() {
      for (const ws of wss.clients) ws.terminate();
    },
    close() {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
