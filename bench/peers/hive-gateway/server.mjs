// The benchmark's Hive Gateway peer: @graphql-hive/gateway's runtime with Hive Router's Rust query planner
// (@graphql-hive/router-runtime) on node:http, as its CLI serves it (`hive-gateway supergraph --hive-router-runtime`),
// in one process. Started by bench/targets.ts; prints {"url": ...} once it listens.
//
// argv: <supergraph file> <port, 0 = any free one> <subgraph dedupe: on|off> <inbound dedupe: on|off>
/* global process, console */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

const [supergraphFile, portArg = '0', subgraphDedupe = 'on', inboundDedupe = 'off'] = process.argv.slice(2);
if (supergraphFile === undefined || !['on', 'off'].includes(subgraphDedupe) || !['on', 'off'].includes(inboundDedupe)) {
  console.error('usage: server.mjs <supergraph file> [port] [subgraph dedupe on|off] [inbound dedupe on|off]');
  process.exit(2);
}

const runtime = createGatewayRuntime({
  // The SDL itself, read once: nothing to poll, no file watcher.
  supergraph: readFileSync(supergraphFile, 'utf8'),
  unifiedGraphHandler,
  // Subgraph-fetch dedupe is on by default in Hive Gateway; `off` turns it off the way its docs show.
  transportEntries: subgraphDedupe === 'off' ? { '*.http': { options: { deduplicateInflightRequests: false } } } : undefined,
  // Inbound dedupe is off by default. Every bench request carries the same headers, so the default key (method,
  // URL, headers, operation, variables) matches identical requests as Tollgate's does.
  inboundInflightRequestDeduplication: inboundDedupe === 'on',
  logging: 'error',
  landingPage: false,
  graphiql: false,
});

// The CLI's own server on Node is node:http with the runtime as the request handler (no WebSockets needed here).
const server = createServer({ maxHeaderSize: 16384 }, runtime);

function stop() {
  server.closeAllConnections();
  server.close(() => {
    void runtime.dispose().finally(() => process.exit(0));
  });
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

server.listen(Number(portArg), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : Number(portArg);
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}${runtime.graphqlEndpoint}` }));
});
