// `tollgate dev` (npm start): the example subgraphs plus a gateway composed from rover.yaml, in one process.
// Subgraphs take free ports; rover.yaml reads their URLs from ${env.<NAME>_URL}. Ctrl-C stops everything.
import { startExampleSubgraphs } from '../../subgraphs';
import type { TollgateConfig } from '../config/schema';
import { startGateway, type RunningGateway } from '../gateway';
import { createLogger } from '../telemetry/logger';
import { stopOnSignals } from './start';

const EXAMPLE_QUERY = `query TopProducts {
  topProducts(first: 2) { upc name price inStock shippingEstimate reviews { body author { username } } }
}`;

export async function runDev(config: TollgateConfig, options: { portFromFlag: boolean }): Promise<number> {
  const logger = createLogger(config.logging.level);
  const subgraphs = await startExampleSubgraphs();
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
  console.log(`\nTollgate is serving ${gateway.url}\n\nTry:\n  curl -s ${gateway.url} -H 'content-type: application/json' -d '${body}'\n\nCtrl-C stops the gateway and the example subgraphs.\n`);
  stopOnSignals(logger, [gateway, subgraphs]);
  return -1;
}
