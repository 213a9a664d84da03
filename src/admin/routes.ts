// The operations endpoints, as routes for the listener: /metrics (Prometheus), /admin/metering (usage export for
// billing, JSON or CSV), /admin/dashboard (the page) and /admin/dashboard.json (its feed). The rest of /admin/* is
// the publishing endpoint's (publishRoutes.ts); router.ts puts both behind one key store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TollgateConfig } from '../config/schema';
import { httpStatusOf, rejectionBody } from '../errors';
import type { CodesOf } from '../pipeline/stages';
import type { PrometheusMetrics } from '../telemetry/metrics';
import { rollUp } from '../telemetry/metering/counts';
import { toCsv, toRows } from '../telemetry/metering/export';
import type { BillingMeter } from '../telemetry/metering/meter';
import { parseMeteringQuery } from '../telemetry/metering/query';
import type { AdminAuth } from './auth';
import type { DashboardFeed } from './dashboardFeed';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './dashboardPage';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, search: string) => void | Promise<void>;

export const ADMIN_PATHS = { METERING: '/admin/metering', DASHBOARD: '/admin/dashboard', FEED: '/admin/dashboard.json' } as const;

export interface AdminRouteDeps {
  config: TollgateConfig;
  auth: AdminAuth;
  metrics?: PrometheusMetrics;
  meter?: BillingMeter;
  feed: (now: number) => Promise<DashboardFeed>;
  onError: (error: unknown, path: string) => void;
}

export function adminRoutes({ config, auth, metrics, meter, feed, onError }: AdminRouteDeps): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();

  /** Checks the admin key, answers GET only, and turns a thrown error into a 503 that names no internals. */
  const guarded = (path: string, handler: (res: ServerResponse, search: URLSearchParams) => Promise<void> | void, requireKey = true): RouteHandler => {
    return async (req, res, search) => {
      req.resume();
      if (requireKey) {
        const verdict = auth(req.headers);
        if (verdict === 'disabled') return fail(res, 'NOT_FOUND', `Nothing at ${path}: the admin endpoints are off until publish.admin.keys has a key.`);
        if (verdict === 'denied') {
          // Basic, so that a browser asks for the key (as the password) and sends it with the page's own requests.
          res.setHeader('www-authenticate', 'Basic realm="tollgate-admin", charset="UTF-8"');
          return fail(res, 'ADMIN_UNAUTHENTICATED', 'Send a valid admin key: authorization: Bearer <key>, or Basic auth with the key as password.');
        }
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return fail(res, 'METHOD_NOT_ALLOWED', `${req.method} is not supported here; use GET.`);
      }
      res.setHeader('cache-control', 'no-store');
      try {
        await handler(res, new URLSearchParams(search));
      } catch (error) {
        onError(error, path);
        if (!res.headersSent) fail(res, 'ADMIN_UNAVAILABLE', `${path} is unavailable right now; see the gateway log.`);
        else res.destroy();
      }
    };
  };

  if (metrics && config.metrics.enabled) {
    routes.set(
      config.metrics.path,
      guarded(config.metrics.path, async (res) => send(res, 200, metrics.registry.contentType, await metrics.registry.metrics()), config.metrics.requireAdminKey),
    );
  }

  routes.set(
    ADMIN_PATHS.METERING,
    guarded(ADMIN_PATHS.METERING, async (res, search) => {
      if (!meter) return fail(res, 'NOT_FOUND', 'Usage metering is off (metering.enabled: false).');
      const parsed = parseMeteringQuery(
        { from: search.get('from') ?? undefined, to: search.get('to') ?? undefined, granularity: search.get('granularity') ?? undefined, format: search.get('format') ?? undefined },
        Date.now(),
      );
      if (!parsed.ok) return fail(res, 'BAD_REQUEST', parsed.message);
      const { from, to, granularity, format } = parsed.query;
      const rows = toRows(rollUp(await meter.read(from, to), granularity));
      if (format === 'csv') return send(res, 200, 'text/csv; charset=utf-8', toCsv(rows));
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity, rows }));
    }),
  );

  routes.set(
    ADMIN_PATHS.DASHBOARD,
    guarded(ADMIN_PATHS.DASHBOARD, (res) => {
      res.setHeader('content-security-policy', DASHBOARD_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      send(res, 200, 'text/html; charset=utf-8', DASHBOARD_HTML);
    }),
  );

  routes.set(
    ADMIN_PATHS.FEED,
    guarded(ADMIN_PATHS.FEED, async (res) => send(res, 200, 'application/json; charset=utf-8', JSON.stringify(await feed(Date.now())))),
  );

  return routes;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.end(body);
}

function fail(res: ServerResponse, code: CodesOf<'admin'>, message: string): void {
  send(res, httpStatusOf(code), 'application/json; charset=utf-8', rejectionBody(code, message));
}
