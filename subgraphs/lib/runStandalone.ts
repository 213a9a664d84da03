// Entry points for running subgraphs as their own process (`node dist/subgraphs/<name>/index.js`): read $PORT and
// $HOST, print where they listen, and shut down cleanly on SIGINT/SIGTERM.
import type { SubgraphServer } from './serveSubgraph';

/** Starts one subgraph on $PORT (or its well-known port) and $HOST (or 127.0.0.1). */
export function runStandalone(
  name: string,
  defaultPort: number,
  start: (port: number, host: string) => Promise<SubgraphServer>,
): void {
  const host = hostFromEnv();
  runUntilSignal(`${name} subgraph`, () => start(portFromEnv(process.env.PORT, defaultPort), host), (server) => [
    `${name} subgraph listening on ${server.url}`,
  ]);
}

/** Starts something closeable, logs the lines `describe` returns, and closes it on the first SIGINT/SIGTERM. */
export function runUntilSignal<T extends { close(): Promise<void> }>(
  what: string,
  start: () => Promise<T>,
  describe: (started: T) => string[],
): void {
  // Through a promise, so a synchronous throw (a bad $PORT) is reported like a failed listen.
  Promise.resolve().then(start).then(
    (started) => {
      for (const line of describe(started)) console.log(line);
      const stop = (): void => {
        started.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      console.error(`${what} failed to start`, error);
      process.exitCode = 1;
    },
  );
}

export function hostFromEnv(): string {
  return process.env.HOST || '127.0.0.1';
}

export function portFromEnv(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}
