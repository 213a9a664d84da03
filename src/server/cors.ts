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
export function webSocketOriginAllowed(config: CorsConfig, origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host !== undefined) {
    try {
      if (new URL(origin).host === host.toLowerCase()) return true;
    } catch {
      return false; // `null` (sandboxed frames, file://) or garbage: never the gateway's own page
    }
  }
  return config.enabled && (config.origins.includes('*') || config.origins.includes(origin));
}
