// `tollgate start`: run the gateway with a loaded config until SIGINT/SIGTERM, then drain and exit; with
// `--workers N` (N > 1) as N cluster workers on one port (workers.ts).
import type { TollgateConfig } from '../config/schema';
import { startGateway, type RunningGateway } from '../gateway';
import { loggerFor } from '../telemetry/logger';
import { isWorker, onWorkerStop, runPrimary } from './workers';

export async function runStart(config: TollgateConfig, options: { workers?: number } = {}): Promise<number> {
  const logger = loggerFor(config);
  if (isWorker()) {
    const gateway = await startGateway(config, { logger: logger.child({ worker: process.pid }), listenWhenReady: true });
    let stopping = false;
    onWorkerStop(() => {
      if (stopping) return;
      stopping = true;
      void gateway.close({ drainMs: config.server.shutdownTimeout }).finally(() => process.exit(0));
    });
    return -1;
  }
  if ((options.workers ?? 1) > 1) return runPrimary(options.workers!, config, logger);
  const gateway = await startGateway(config, { logger });
  stopOnSignals(logger, [gateway], config.server.shutdownTimeout);
  return -1;
}

/**
 * On the first SIGINT/SIGTERM: stop accepting, let requests in flight finish (up to `drainMs`), flush metering and
 * usage, close pools and stores, exit 0. A second signal exits at once (130).
 */
export function stopOnSignals(logger: { info: (obj: object, msg: string) => void }, running: Array<Pick<RunningGateway, 'close'>>, drainMs = 0): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal, drainMs }, 'stopping: draining requests in flight');
    Promise.allSettled(running.map((r) => r.close({ drainMs }))).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
