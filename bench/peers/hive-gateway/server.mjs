// The benchmark's Hive Gateway peer: @graphql-hive/gateway's runtime with Hive Router's Rust query planner
// (@graphql-hive/router-runtime) on node:http, as its CLI serves it (`hive-gateway supergraph --hive-router-runtime`),
// in one process. Started by bench/targets.ts (and bench/fanoutTarget.ts); prints {"url": ...} once it listens.
//
// argv: <supergraph file> <port, 0 = any free one> <subgraph dedupe: on|off> <inbound dedupe: on|off>
//       [<subgraph>=<ws:// URL>: serve graphql-transport-ws too (graphql-ws on `ws`, as the CLI does on Node) and
//        open that subgraph's subscriptions at that URL]
/* global process, console */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

const [supergraphFile, portArg = '0', subgraphDedupe = 'on', inboundDedupe = 'off', subscriptionsArg] = process.argv.slice(2);
const subscriptions = subscriptionsArg === undefined ? undefined : /^([\w-]+)=(wss?:\/\/\S+)$/.exec(subscriptionsArg);
if (supergraphFile === undefined || !['on', 'off'].includes(subgraphDedupe) || !['on', 'off'].includes(inboundDedupe) || subscriptions === null) {
  console.error('usage: server.mjs <supergraph file> [port] [subgraph dedupe on|off] [inbound dedupe on|off] [<subgraph>=<ws:// url>]');
  process.exit(2);
}

const transportEntries = {};
if (subgraphDedupe === 'off') transportEntries['*.http'] = { options: { deduplicateInflightRequests: false } };
// Subscriptions to that subgraph over graphql-transport-ws, as Hive Gateway's docs configure them.
if (subscriptions) transportEntries[subscriptions[1]] = { options: { subscriptions: { kind: 'ws', location: subscriptions[2] } } };

const runtime = createGatewayRuntime({
  // The SDL itself, read once: nothing to poll, no file watcher.
  supergraph: readFileSync(supergraphFile, 'utf8'),
  unifiedGraphHandler,
  // Subgraph-fetch dedupe is on by default in Hive Gateway; `off` turns it off the way its docs show.
  transportEntries: Object.keys(transportEntries).length > 0 ? transportEntries : undefined,
  // Inbound dedupe is off by default. Every bench request carries the same headers, so the default key (method,
  // URL, headers, operation, variables) matches identical requests as Tollgate's does.
  inboundInflightRequestDeduplication: inboundDedupe === 'on',
  logging: 'error',
  landingPage: false,
  graphiql: false,
});

// The CLI's own server on Node is node:http with the runtime as the request handler.
const server = createServer({ maxHeaderSize: 16384 }, runtime);

// WebSockets only for the subscription scenario, wired as the CLI wires them on Node (graphql-ws `useServer`).
let webSockets;
if (subscriptions) {
  const { WebSocketServer } = await import('ws');
  const { useServer } = await import('graphql-ws/use/ws');
  const { getGraphQLWSOptions } = await import('@graphql-hive/gateway');
  const { normalizeNodeRequest } = await import('@whatwg-node/server');
  const wsServer = new WebSocketServer({ path: runtime.graphqlEndpoint, server });
  webSockets = { wsServer, disposable: useServer(getGraphQLWSOptions(runtime, (ctx) => ({ req: ctx.extra.request, socket: ctx.extra.socket, request: normalizeNodeRequest(ctx.extra.request, runtime.fetchAPI) })), wsServer) };
}

function stop() {
  if (webSockets) for (const client of webSockets.wsServer.clients) client.terminate();
  server.closeAllConnections();
  server.close(() => {
    // dispose() may return a promise or nothing.
    void Promise.resolve(webSockets?.disposable.dispose())
      .then(() => runtime.dispose())
      .finally(() => process.exit(0));
  });
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

// The runtime loads the supergraph on its first HTTP request; a WebSocket subscribe first would find no schema.
if (subscriptions) await runtime.getSchema();

server.listen(Number(portArg), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : Number(portArg);
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}${runtime.graphqlEndpoint}` }));
});
