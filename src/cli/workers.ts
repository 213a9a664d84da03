// `tollgate start --workers N`: a Node cluster primary that runs N gateway workers on one port (the primary
// accepts connections and hands them out). Workers share nothing in memory, so limits and budgets are only
// shared through store.kind: redis. A crashed worker is replaced; a worker that keeps crashing at start stops all.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';

/** A worker that exits sooner than this after starting counts as a crash at start-up. */
const EARLY_EXIT_MS = 10_000;
/** This many early exits in a row stop the whole cluster (a broken config or supergraph, not bad luck). */
const MAX_EARLY_EXITS = 5;

export function runPrimary(count: number, config: TollgateConfig, logger: Logger): number {
  if (config.store.kind === 'memory') {
    logger.warn({ workers: count }, 'store.kind is memory: each worker counts rate limits and budgets on its own (limits are effectively multiplied); use store.kind: redis');
  }
  const startedAt = new Map<Worker, number>();
  let earlyExits = 0;
  let stopping = false;

  const fork = () => startedAt.set(cluster.fork(), Date.now());
  for (let i = 0; i < count; i++) fork();
  logger.info({ workers: count, port: config.server.port }, 'tollgate cluster starting');

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    earlyExits = lived < EARLY_EXIT_MS ? earlyExits + 1 : 0;
    if (earlyExits >= MAX_EARLY_EXITS) {
      logger.error({ code, signal }, `workers keep exiting at start-up (${earlyExits} in a row); stopping`);
      stopping = true;
      for (const other of startedAt.keys()) other.kill('SIGTERM');
      if (startedAt.size === 0) process.exit(1);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a new one');
    setTimeout(fork, Math.min(200 * earlyExits, 2000));
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    for (const worker of startedAt.keys()) worker.send({ tollgate: 'stop' });
    if (startedAt.size === 0) process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}

/** In a worker: stop on the primary's message or when the primary is gone; Ctrl-C is the primary's to handle. */
export function onWorkerStop(stop: () => void): void {
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', stop);
  process.on('message', (message: unknown) => {
    if ((message as { tollgate?: string } | null)?.tollgate === 'stop') stop();
  });
  process.on('disconnect', stop);
}

export const isWorker = (): boolean => cluster.isWorker;
