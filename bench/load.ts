// One fixed-connection, fixed-duration autocannon run against a GraphQL endpoint, every response checked by a
// BodyVerifier and every latency kept (exact percentiles across rounds). Bounded even if the target hangs.
import autocannon from 'autocannon';
import type { BodyVerifier, VerifyStats } from './verify';

/**
 * Seconds a single request may take before autocannon counts a timeout and reconnects. Generous: with 50
 * connections on a gateway doing ~30 req/s, a correct answer can take several seconds; hangs show up as stalls.
 */
const REQUEST_TIMEOUT_S = 30;
/** Past the planned duration, how long to wait before forcing a stop, then before giving up on autocannon. */
const STOP_GRACE_MS = 15_000;
const ABANDON_MS = 30_000;

export interface LoadOptions {
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  body: string;
  /** Extra request headers (credentials for targets with authentication). */
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  verifier: BodyVerifier;
  /** Lets the caller stop the run early (SIGINT). */
  onStart?: (stop: () => void) => void;
}

export interface LoadResult {
  /** Responses received (correct or not). */
  responses: number;
  /** Seconds autocannon actually ran. */
  seconds: number;
  /** Per-response latency in ms, in arrival order. */
  latenciesMs: number[];
  /** Connection errors and timeouts (no response at all). */
  connectionErrors: number;
  timeouts: number;
  /** How long before the end the last response arrived: seconds of silence, e.g. from a hung gateway. */
  silentAtEndSeconds: number;
  verify: VerifyStats;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { url, body, connections, durationSeconds, verifier } = options;
  const { origin, pathname } = new URL(url);
  const latenciesMs: number[] = [];
  let lastResponseAt = Date.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    // Declared before autocannon is called: it reports invalid options through the callback synchronously.
    const timers: NodeJS.Timeout[] = [];
    const instance = autocannon(
      {
        url: origin,
        connections,
        duration: durationSeconds,
        timeout: REQUEST_TIMEOUT_S,
        requests: [
          {
            method: 'POST',
            path: pathname,
            headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
            body,
            onResponse: (status, responseBody) => verifier.check(status, responseBody),
          },
        ],
      },
      (error, result) => {
        for (const timer of timers) clearTimeout(timer);
        if (settled) return;
        settled = true;
        if (error !== null) return reject(error);
        resolve({
          responses: latenciesMs.length,
          seconds: result.duration,
          latenciesMs,
          connectionErrors: result.errors - result.timeouts,
          timeouts: result.timeouts,
          silentAtEndSeconds: (Date.now() - lastResponseAt) / 1000,
          verify: verifier.stats(),
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, latencyMs) => {
      latenciesMs.push(latencyMs);
      lastResponseAt = Date.now();
    });
    const stop = () => instance.stop();
    options.onStart?.(stop);
    // autocannon stops itself after `duration`; these only matter if its timers or the target misbehave.
    if (settled) return;
    timers.push(
      setTimeout(stop, durationSeconds * 1000 + STOP_GRACE_MS),
      setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`autocannon did not finish within ${durationSeconds}s + ${(STOP_GRACE_MS + ABANDON_MS) / 1000}s`));
      }, durationSeconds * 1000 + STOP_GRACE_MS + ABANDON_MS),
    );
  });
}
