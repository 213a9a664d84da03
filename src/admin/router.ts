// The one admin router: /metrics and the operations pages (routes.ts) and the publishing endpoint
// (publishRoutes.ts), behind one admin key store (auth.ts). The gateway builds it from what telemetry, the registry
// and the usage recorder expose; telemetry builds no routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { SupergraphStatus } from '../compose/liveSupergraph';
import type { TollgateConfig } from '../config/schema';
import type { RegistryStore } from '../publish/store/types';
import type { Telemetry } from '../telemetry';
import type { UsageSource } from '../telemetry/usage/types';
import { createAdminAuth, createAdminKeyStore } from './auth';
import { createDashboardFeed } from './dashboardFeed';
import { createAdminHandler } from './publishRoutes';
import { adminRoutes } from './routes';

/** Answers the request and returns true when the path is an admin route; false leaves it to the listener. */
export type AdminRouter = (req: IncomingMessage, res: ServerResponse, path: string, search: string) => boolean;

export interface AdminRouterDeps {
  config: TollgateConfig;
  logger: Logger;
  telemetry: Pick<Telemetry, 'metrics' | 'meter' | 'windows' | 'alerts' | 'subscriptions'>;
  supergraph: () => SupergraphStatus;
  /** The registry publishes go to; undefined with supergraph.rover (publishing is then refused). */
  store?: RegistryStore;
  /** Recently used operations, for checks through /admin/check and /admin/publish. */
  operations?: UsageSource;
}

export function createAdminRouter({ config, logger, telemetry, supergraph, store, operations }: AdminRouterDeps): AdminRouter {
  const keys = createAdminKeyStore(config.publish.admin.keys);
  const { metrics, meter, windows, alerts } = telemetry;
  const pages = adminRoutes({
    config,
    auth: createAdminAuth(config.publish.admin, keys),
    metrics,
    meter,
    feed: createDashboardFeed({ windows, alerts, meter, supergraph, subscriptions: config.subscriptions.enabled ? telemetry.subscriptions : undefined }),
    onError: (error, path) => logger.error({ err: error, path }, 'admin endpoint failed'),
  });
  const publishing = createAdminHandler({ config, logger, store, usage: operations, authenticate: keys });
  return (req, res, path, search) => {
    const page = pages.get(path);
    if (page) void page(req, res, search);
    else if (publishing && path.startsWith('/admin/')) void publishing(req, res, path, search);
    else return false;
    return true;
  };
}
