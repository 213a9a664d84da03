// `tollgate dev` (npm start): the example subgraphs plus a gateway composed from rover.yaml, in one process.
// Subgraphs take free ports; rover.yaml reads their URLs from ${env.<NAME>_URL}. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { startExampleSubgraphs, type StartExampleSubgraphsOptions } from '../../subgraphs';
import type { TollgateConfig } from '../config/schema';
import { startGateway, type RunningGateway } from '../gateway';
import { loggerFor } from '../telemetry/logger';
import { stopOnSignals } from './start';

const EXAMPLE_QUERY = `query TopProducts {
  topProducts(first: 2) { upc name price inStock shippingEstimate reviews { body author { username } } }
}`;

/**
 * A development JWT secret and admin key when the config reads them from TOLLGATE_JWT_SECRET / TOLLGATE_ADMIN_KEY
 * and none is set: generated per run, never written anywhere. Called before the config is loaded.
 */
export function ensureDevSecrets(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.TOLLGATE_JWT_SECRET) env.TOLLGATE_JWT_SECRET = randomBytes(32).toString('base64url');
  if (!env.TOLLGATE_ADMIN_KEY) env.TOLLGATE_ADMIN_KEY = randomBytes(16).toString('hex');
}

/**
 * How `npm start` runs the example subgraphs. Inventory computes shippingEstimate from the price and weight the
 * gateway sends (@requires), so the README's first example shows @requires working; the benchmark runs it the
 * public benchmark's way, where every estimate is null.
 */
export const DEV_SUBGRAPHS: StartExampleSubgraphsOptions = { inventory: { useRequiredFields: true } };

/** A token the example graph accepts, signed with the configured HS256 secret (dev only). */
async function devToken(config: TollgateConfig): Promise<string | undefined> {
  const jwt = config.authentication.jwt;
  if (!jwt?.secret || !jwt.algorithms.includes('HS256')) return undefined;
  let token = new SignJWT({ sub: '1', role: 'staff', scope: 'users:read_pii' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('12h');
  if (typeof jwt.issuer === 'string') token = token.setIssuer(jwt.issuer);
  if (typeof jwt.audience === 'string') token = token.setAudience(jwt.audience);
  return token.sign(Buffer.from(jwt.secret, 'utf8'));
}

export async function runDev(config: TollgateConfig, options: { portFromFlag: boolean }): Promise<number> {
  const logger = loggerFor(config);
  const subgraphs = await startExampleSubgraphs(DEV_SUBGRAPHS);
  for (const [name, url] of Object.entries(subgraphs.urls) as Array<[string, string]>) process.env[`${name.toUpperCase()}_URL`] = url;
  logger.info({ subgraphs: subgraphs.urls }, 'example subgraphs started');

  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, { logger });
  } catch (error) {
    // Another program may hold the default port; in dev, take any free one unless the user chose it.
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.portFromFlag) {
      await subgraphs.close();
      throw error;
    }
    logger.warn({ port: config.server.port }, 'port in use; listening on a free port instead (choose one with --port)');
    gateway = await startGateway({ ...config, server: { ...config.server, port: 0 } }, { logger });
  }

  const body = JSON.stringify({ query: EXAMPLE_QUERY });
  const lines = [`Tollgate is serving ${gateway.url}`, '', 'Try:', `  curl -s ${gateway.url} -H 'content-type: application/json' -d '${body}'`];
  const token = await devToken(config);
  if (token) {
    const me = JSON.stringify({ query: '{ me { username email birthday } topProducts(first: 1) { name costPrice } }' });
    lines.push('', 'Signed-in fields, without and with a development token (sub 1, role staff, scope users:read_pii):');
    lines.push(`  curl -s ${gateway.url} -H 'content-type: application/json' -d '${me}'`);
    lines.push(`  curl -s ${gateway.url} -H 'content-type: application/json' -H 'authorization: Bearer ${token}' -d '${me}'`);
  }
  if (config.subscriptions.enabled) {
    const subscribe = JSON.stringify({ query: 'subscription { reviewAdded { body product { name price inStock } author { name } } }' });
    const add = JSON.stringify({ query: 'mutation { addReview(upc: "1", body: "Sturdy.") { id } }' });
    lines.push('', 'A subscription (Server-Sent Events; also graphql-transport-ws at the same URL), then a review to see on it:');
    lines.push(`  curl -N ${gateway.url} -H 'accept: text/event-stream' -H 'content-type: application/json' -d '${subscribe}'`);
    lines.push(`  curl -s ${gateway.url} -H 'content-type: application/json' -d '${add}'`);
  }
  const base = gateway.url.slice(0, gateway.url.length - config.server.graphqlPath.length);
  lines.push('', `Metrics: ${base}${config.metrics.path}`);
  const adminKey = process.env.TOLLGATE_ADMIN_KEY;
  if (adminKey && config.publish.admin.keys.some((k) => k.key === adminKey)) {
    // Printed only when this run generated or was given it through the environment: it is the operator's own.
    lines.push(`Dashboard: ${base}/admin/dashboard  (user: any, password: the admin key ${adminKey})`);
    lines.push(`Metering: curl -s -H 'authorization: Bearer ${adminKey}' '${base}/admin/metering?format=csv'`);
  }
  console.log(`\n${lines.join('\n')}\n\nCtrl-C stops the gateway and the example subgraphs.\n`);
  stopOnSignals(logger, [gateway, subgraphs]);
  return -1;
}
