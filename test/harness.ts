// Shared test harness: start real subgraphs and gateways on 127.0.0.1 random ports, talk HTTP, stop it all.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { composeSupergraph, type SubgraphInput } from '../src/compose/compose';
import { buildConfig } from '../src/config/load';
import type { TollgateConfigInput } from '../src/config/schema';
import { startGateway, type RunningGateway, type StartOptions } from '../src/gateway';
import { loggerFor } from '../src/telemetry/logger';

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions walk arbitrary response JSON
  json: any;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpReply> {
  return http(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function compose(subgraphs: SubgraphInput[]): string {
  const result = composeSupergraph(subgraphs);
  if (!result.ok) throw new Error(`test composition failed: ${JSON.stringify(result.errors, null, 2)}`);
  return result.supergraphSdl;
}

export function tempDir(prefix = 'tollgate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestGatewayOptions {
  /** Write the gateway's JSON log lines here (the config's level and redactions apply); default: silent. */
  logTo?: { write(line: string): void };
  spanExporter?: StartOptions['spanExporter'];
  /** The policy stage's clock: see `windowClock`. */
  now?: StartOptions['now'];
}

/** A gateway serving `supergraphSdl` from a temp file (so hot reload can be exercised), on a random port. */
export async function startTestGateway(
  supergraphSdl: string,
  config: TollgateConfigInput = {},
  options: TestGatewayOptions = {},
): Promise<RunningGateway & { supergraphFile: string }> {
  const dir = tempDir();
  const supergraphFile = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphFile, supergraphSdl);
  const full = buildConfig(
    { ...config, server: { port: 0, ...config.server }, supergraph: { file: supergraphFile, ...config.supergraph } },
    { baseDir: dir },
  );
  const logger = options.logTo ? loggerFor(full, options.logTo) : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const gateway = await startGateway(full, { logger, spanExporter: options.spanExporter, now: options.now });
  return { ...gateway, supergraphFile };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns true (for asynchronous effects like hot reload); fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs}ms`);
}

/**
 * Waits, when fewer than `needMs` remain in the current fixed window of `windowMs` (windows start at multiples of
 * `windowMs` since the epoch), until the next one starts: a test that counts within one window can't straddle two.
 */
/**
 * A clock for the policy stage that a test moves instead of waiting for a window edge: it starts at the beginning
 * of the current real window of `windowMs` (so counters Redis expires at a window's end never expire in the past)
 * and runs at real speed; `advance(ms)` jumps ahead, `toNextWindow(ms)` to the start of the next window of `ms`.
 */
export function windowClock(windowMs: number): { now: () => number; advance: (ms: number) => void; toNextWindow: (ms: number) => void } {
  const startedAt = Date.now();
  let base = startedAt - (startedAt % windowMs);
  const now = () => base + (Date.now() - startedAt);
  return {
    now,
    advance: (ms) => {
      base += ms;
    },
    toNextWindow: (ms) => {
      const at = now();
      base += ms - (at % ms);
    },
  };
}
