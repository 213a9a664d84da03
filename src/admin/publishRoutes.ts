// The admin HTTP endpoint teams' pipelines publish through: /admin/check, /admin/publish, /admin/rollback (POST),
// /admin/history, /admin/usage (GET). Authenticated by admin keys (auth.ts, Bearer only); the work is
// src/publish/check.ts and publish.ts. Reached through the admin router (router.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import { codedError, httpStatusOf, rejectionBody } from '../errors';
import type { CodesOf } from '../pipeline/stages';
import { readBody } from '../server/readBody';
import type { UsageSource } from '../telemetry/usage/types';
import { createAdminKeyStore, denyReason, type AdminAction, type AdminClient, type AdminKeyLookup } from './auth';
import { checkSubgraph } from '../publish/check';
import { historyView } from '../publish/history';
import { gatherUsage, publishSubgraph, rollbackSupergraph } from '../publish/publish';
import { loadRegistryState, RegistryError } from '../publish/state';
import type { RegistryStore } from '../publish/store/types';

export interface AdminDeps {
  config: TollgateConfig;
  logger: Logger;
  /** The registry this gateway serves from; undefined with supergraph.rover (publishing is then refused). */
  store?: RegistryStore;
  /** Recently used operations: Redis (the fleet) or this instance's recorder. */
  usage?: UsageSource;
  /** The gateway's admin key store (router.ts builds one for every admin route). */
  authenticate?: AdminKeyLookup;
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, path: string, search: string) => Promise<void>;

type Reply = { status: number; body: unknown };

/** The request body of check and publish: a subgraph's SDL as text. */
interface CandidateBody {
  subgraph: string;
  schema: string;
  routingUrl?: string;
  allowBreaking?: boolean;
}

class AdminRequestError extends Error {
  constructor(
    readonly code: CodesOf<'admin'>,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function parseCandidate(body: unknown): CandidateBody {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.subgraph !== 'string' || !/^[A-Za-z0-9_-]+$/.test(b.subgraph)) throw new AdminRequestError('BAD_REQUEST', '`subgraph` must be a subgraph name');
  if (typeof b.schema !== 'string' || b.schema.trim() === '') throw new AdminRequestError('BAD_REQUEST', '`schema` must be the subgraph SDL, as a string');
  if (b.routingUrl !== undefined && (typeof b.routingUrl !== 'string' || !/^https?:\/\//.test(b.routingUrl))) {
    throw new AdminRequestError('BAD_REQUEST', '`routingUrl` must be an http(s) URL');
  }
  if (b.allowBreaking !== undefined && typeof b.allowBreaking !== 'boolean') throw new AdminRequestError('BAD_REQUEST', '`allowBreaking` must be a boolean');
  return { subgraph: b.subgraph, schema: b.schema, routingUrl: b.routingUrl as string | undefined, allowBreaking: b.allowBreaking as boolean | undefined };
}

export function createAdminHandler(deps: AdminDeps): AdminHandler | undefined {
  const { config, logger, store, usage } = deps;
  const { admin, rover, usageWindow } = config.publish;
  if (admin.keys.length === 0) return undefined;
  const authenticate = deps.authenticate ?? createAdminKeyStore(admin.keys);
  const requireStore = (): RegistryStore => {
    if (!store) throw new AdminRequestError('PUBLISH_NOT_CONFIGURED', 'this gateway composes supergraph.rover itself; publishing needs supergraph.file or supergraph.redis');
    return store;
  };

  const routes: Record<string, (client: AdminClient, body: unknown, search: URLSearchParams) => Promise<Reply>> = {
    'GET /admin/history': async () => {
      const store = requireStore();
      const [entries, served] = await Promise.all([store.history(), store.served()]);
      return { status: 200, body: historyView(entries, served?.hash) };
    },
    'GET /admin/usage': async (_client, _body, search) => {
      const since = Number(search.get('since') ?? Date.now() - usageWindow);
      if (!Number.isFinite(since) || since < 0) throw new AdminRequestError('BAD_REQUEST', '`since` must be a time in ms since the epoch');
      return { status: 200, body: { since: new Date(since).toISOString(), operations: usage ? await usage.recentOperations(since) : [] } };
    },
    'POST /admin/check': async (client, body) => {
      const candidate = parseCandidate(body);
      authorize(client, { kind: 'check', subgraph: candidate.subgraph });
      const state = await loadRegistryState(store, rover);
      const { report } = checkSubgraph(state, { name: candidate.subgraph, sdl: candidate.schema, url: candidate.routingUrl }, await gatherUsage(usage, usageWindow));
      return { status: 200, body: { report } };
    },
    'POST /admin/publish': async (client, body) => {
      const candidate = parseCandidate(body);
      authorize(client, { kind: 'publish', subgraph: candidate.subgraph });
      const outcome = await publishSubgraph({
        store: requireStore(),
        roverPath: rover,
        candidate: { name: candidate.subgraph, sdl: candidate.schema, url: candidate.routingUrl },
        allowBreaking: candidate.allowBreaking,
        actor: client.client,
        usage: await gatherUsage(usage, usageWindow),
      });
      if (outcome.status === 'refused') {
        const code: CodesOf<'admin'> = outcome.reason === 'composition' ? 'COMPOSITION_FAILED' : 'BREAKING_CHANGES';
        const message =
          outcome.reason === 'composition'
            ? `"${candidate.subgraph}" does not compose; nothing was published`
            : `"${candidate.subgraph}" has breaking changes; nothing was published (allowBreaking: true ships it anyway)`;
        throw new AdminRequestError(code, message, { report: outcome.report });
      }
      logger.info({ subgraph: candidate.subgraph, by: client.client, status: outcome.status, version: outcome.status === 'published' ? outcome.entry.version : undefined }, 'admin publish');
      return { status: 200, body: outcome };
    },
    'POST /admin/rollback': async (client, body) => {
      authorize(client, { kind: 'rollback' });
      const to = (body as { to?: unknown } | undefined)?.to;
      if (to !== undefined && typeof to !== 'string' && typeof to !== 'number') throw new AdminRequestError('BAD_REQUEST', '`to` must be a version number or a hash');
      const outcome = await rollbackSupergraph({ store: requireStore(), roverPath: rover, to: to === undefined ? undefined : String(to), actor: client.client });
      logger.info({ by: client.client, version: outcome.entry.version, restored: outcome.target.version }, 'admin rollback');
      return { status: 200, body: outcome };
    },
  };

  function authorize(client: AdminClient, action: AdminAction): void {
    const reason = denyReason(client, action);
    if (reason) throw new AdminRequestError('ADMIN_FORBIDDEN', reason);
  }

  return async (req, res, path, search) => {
    try {
      const route = routes[`${req.method} ${path}`];
      if (!route) {
        req.resume();
        const known = Object.keys(routes).some((r) => r.endsWith(` ${path}`));
        return fail(res, known ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', known ? `${req.method} is not allowed on ${path}` : `Nothing at ${path}.`);
      }
      const client = authenticate(req.headers.authorization);
      if (!client) {
        req.resume();
        res.setHeader('www-authenticate', 'Bearer realm="tollgate-admin"');
        return fail(res, 'ADMIN_UNAUTHENTICATED', 'Send a valid admin key: authorization: Bearer <key>.');
      }
      let body: unknown;
      if (req.method === 'POST') {
        const read = await readBody(req, admin.bodyLimit, config.server.bodyTimeout);
        if (!read.ok) {
          if (read.reason === 'aborted') return void res.destroy();
          res.shouldKeepAlive = false;
          if (read.reason === 'timeout') {
            return fail(res, 'REQUEST_TIMEOUT', `The request body did not arrive within ${config.server.bodyTimeout} ms (server.bodyTimeout).`);
          }
          return fail(res, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${admin.bodyLimit} bytes (publish.admin.bodyLimit).`);
        }
        try {
          body = read.body === '' ? {} : JSON.parse(read.body);
        } catch {
          throw new AdminRequestError('BAD_REQUEST', 'The body is not valid JSON.');
        }
      }
      const reply = await route(client, body, new URLSearchParams(search));
      send(res, reply.status, JSON.stringify(reply.body));
    } catch (error) {
      if (error instanceof AdminRequestError || error instanceof RegistryError) {
        const extra = error instanceof AdminRequestError ? error.extra : {};
        return send(res, httpStatusOf(error.code), JSON.stringify({ errors: [codedError(error.code, error.message)], ...extra }));
      }
      logger.error({ err: error, path }, 'admin request failed');
      fail(res, 'INTERNAL_SERVER_ERROR', 'Internal error; see the gateway log.');
    }
  };
}

/** A refusal with no extras: the status from the code (src/errors.ts). */
function fail(res: ServerResponse, code: CodesOf<'admin'>, message: string): void {
  send(res, httpStatusOf(code), rejectionBody(code, message));
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
}
