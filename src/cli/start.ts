// `tollgate start`: run the gateway with a loaded config until SIGINT/SIGTERM, then drain and exit.
import type { TollgateConfig } from '../config/schema';
import { startGateway, type RunningGateway } from '../gateway';
import { createLogger } from '../telemetry/logger';

export async function runStart(config: TollgateConfig): Promise<number> {
  const logger = createLogger(config.logging.level);
  const gateway = await startGateway(config, { logger });
  stopOnSignals(logger, [gateway]);
  return -1;
}

/** Stops everything on the first SIGINT/SIGTERM; a second one exits at once. */
export function stopOnSignals(logger: { info: (msg: string) => void }, running: Array<Pick<RunningGateway, 'close'>>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info('stopping');
    Promise.allSettled(running.map((r) => r.close())).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
