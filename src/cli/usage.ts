// `tollgate usage`: exports metered usage for billing, as CSV or JSON. Reads the metering store directly when the
// config names a Redis (metering.redis), else asks a running gateway's /admin/metering with an admin key
// (--gateway, TOLLGATE_ADMIN_KEY, as `tollgate check|publish` do).
import { parseArgs } from 'node:util';
import type { TollgateConfig } from '../config/schema';
import { rollUp } from '../telemetry/metering/counts';
import { toCsv, toRows } from '../telemetry/metering/export';
import { parseMeteringQuery, type MeteringQuery } from '../telemetry/metering/query';

export interface UsageFlags {
  from?: string;
  to?: string;
  granularity?: string;
  format?: string;
  config?: string;
  /** A running gateway: http://host:port. */
  gateway?: string;
}

export function parseUsageFlags(args: string[]): UsageFlags {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      granularity: { type: 'string' },
      format: { type: 'string' },
      config: { type: 'string' },
      gateway: { type: 'string' },
    },
    strict: true,
  });
  return values;
}

/**
 * Prints the export to `out`; returns the exit code. `config` is undefined when --gateway is given (the gateway
 * is asked and no config is needed).
 */
export async function runUsage(flags: UsageFlags, config: TollgateConfig | undefined, out: (text: string) => void, env = process.env): Promise<number> {
  const parsed = parseMeteringQuery({ from: flags.from, to: flags.to, granularity: flags.granularity, format: flags.format ?? 'csv' }, Date.now());
  if (!parsed.ok) {
    console.error(`tollgate usage: ${parsed.message}`);
    return 2;
  }
  const query = parsed.query;
  if (!flags.gateway && config?.metering.redis) return fromRedis(config, query, out);
  const base = flags.gateway ?? (config ? gatewayUrl(config) : undefined);
  if (!base) {
    console.error('tollgate usage: give --gateway http://host:port of a running gateway, or a config (--config) with metering.redis');
    return 2;
  }
  return fromGateway(base, env.TOLLGATE_ADMIN_KEY, query, out);
}

async function fromRedis(config: TollgateConfig, query: MeteringQuery, out: (text: string) => void): Promise<number> {
  const { RedisMeteringStore } = await import('../telemetry/metering/redisStore');
  const { redis, retention } = config.metering;
  const store = new RedisMeteringStore({ url: redis!.url, keyPrefix: redis!.key, retentionMs: retention });
  try {
    const rows = toRows(rollUp(await store.read(query.from, query.to), query.granularity));
    out(query.format === 'csv' ? toCsv(rows) : `${JSON.stringify({ from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString(), granularity: query.granularity, rows }, null, 2)}\n`);
    return 0;
  } catch (error) {
    console.error(`tollgate usage: cannot read usage from Redis: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}

async function fromGateway(base: string, adminKey: string | undefined, query: MeteringQuery, out: (text: string) => void): Promise<number> {
  if (!adminKey) {
    console.error('tollgate usage: the gateway needs an admin key in TOLLGATE_ADMIN_KEY');
    return 2;
  }
  const search = new URLSearchParams({ from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString(), granularity: query.granularity, format: query.format });
  const url = `${base.replace(/\/+$/, '')}/admin/metering?${search}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${adminKey}` } });
  } catch (error) {
    console.error(`tollgate usage: cannot reach ${base}: ${(error as Error).cause ?? (error as Error).message}`);
    return 1;
  }
  const body = await response.text();
  if (!response.ok) {
    let message = body;
    try {
      message = (JSON.parse(body) as { errors: Array<{ message: string }> }).errors[0].message;
    } catch {
      // not our JSON error: print the body as it came
    }
    console.error(`tollgate usage: ${base} answered ${response.status}: ${message}`);
    return 1;
  }
  out(query.format === 'json' ? `${JSON.stringify(JSON.parse(body), null, 2)}\n` : body);
  return 0;
}

/** Where this config's gateway listens, reachable from this machine. */
function gatewayUrl(config: TollgateConfig): string {
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}
