// The listener: routes /graphql to the pipeline, answers /health and /ready, hands /metrics and /admin/* to the
// admin router (src/admin/router.ts), and 404s the rest.
// Plain node:http — no framework between the socket and the pipeline.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TollgateConfig } from '../config/schema';
import { rejectionBody } from '../errors';
import type { AdminRouter } from '../admin/router';
import type { GraphQLHandler } from '../pipeline/handleGraphQL';

export interface ReadinessProbe {
  /** Body of /ready, and whether it answers 200 (ready) or 503. */
  (): { ready: boolean; details: Record<string, unknown> };
}

export function createHttpServer(
  config: TollgateConfig,
  graphql: GraphQLHandler,
  readiness: ReadinessProbe,
  admin?: AdminRouter,
): Server {
  const graphqlPath = config.server.graphqlPath;
  // Deadlines are checked every second (Node's default is every 30 s, which would stretch each deadline by up to that).
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const search = queryAt === -1 ? '' : url.slice(queryAt + 1);

    if (path === graphqlPath) return void graphql(req, res, search);
    if (path === '/health') return json(res, 200, '{"status":"pass"}');
    if (admin?.(req, res, path, search)) return;
    if (path === '/ready') {
      const { ready, details } = readiness();
      return json(res, ready ? 200 : 503, JSON.stringify({ status: ready ? 'pass' : 'fail', ...details }));
    }
    req.resume();
    json(res, 404, rejectionBody('NOT_FOUND', `Nothing at ${path}; GraphQL is served at ${graphqlPath}.`));
  });
  // Longer than common load balancers' idle timeouts, so they close first and never reuse a dead socket.
  // Idle keep-alive sockets are not subject to headersTimeout (Node ≥ 18 times only requests in progress).
  server.keepAliveTimeout = 65_000;
  // A slowloris client gets 408 and a closed socket after headersTimeout; requestTimeout backs up the pipeline's own
  // body deadline (which answers a coded 408) for every route.
  server.headersTimeout = config.server.headersTimeout;
  server.requestTimeout = config.server.headersTimeout + config.server.bodyTimeout + 5_000;
  return server;
}

function json(res: import('node:http').ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
}

export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
