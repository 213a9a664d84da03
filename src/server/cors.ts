// CORS: which origins may call the endpoint from a browser, and the preflight answer. Pure functions of config.
import type { TollgateConfig } from '../config/schema';

type CorsConfig = TollgateConfig['server']['cors'];

/** Headers to add to a response for a request from `origin` (undefined when not a CORS request or not allowed). */
export function corsHeaders(config: CorsConfig, origin: string | undefined): Record<string, string> | undefined {
  if (!config.enabled || !origin) return undefined;
  if (config.origins.includes('*')) return { 'access-control-allow-origin': '*' };
  if (!config.origins.includes(origin)) return undefined;
  const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (config.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

/** Extra headers answering an OPTIONS preflight from an allowed origin. */
export function preflightHeaders(config: CorsConfig): Record<string, string> {
  return {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': config.allowHeaders.join(', '),
    'access-control-max-age': String(Math.floor(config.maxAge / 1000)),
  };
}

/**
 * Whether a WebSocket upgrade from `origin` may proceed. No Origin: not a browser (browsers always send one), allowed.
 * The gateway's own origin (same host) is allowed; any other must be an allowed CORS origin.
 */
function hostAs(protocol: string, host: string): string | undefined {
  // Only a host[:port] (names, IPv4, bracketed IPv6): `gw/x` or `@gw` must not parse as gw.
  if (!/^[a-z0-9.\-_]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i.test(host)) return undefined;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}

export function webSocketOriginAllowed(config: CorsConfig, origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host !== undefined) {
    let page: URL;
    try {
      page = new URL(origin);
    } catch {
      return false; // `null` (sandboxed frames, file://) or garbage: never the gateway's own page
    }
    // Host read with the page's scheme, so a default port written out (`Host: gw:443`) matches `https://gw`.
    if (page.host === hostAs(page.protocol, host)) return true;
  }
  return config.enabled && (config.origins.includes('*') || config.origins.includes(origin));
}
