// Structured JSON logs (pino). Credentials never reach a log line: the header paths below are redacted, plus the
// configured credential headers (JWT, API key) and `logging.redactHeaders`.
import pino, { type Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';

export type { Logger };

/** Headers always redacted, wherever a headers object is logged. */
export const ALWAYS_REDACTED_HEADERS = ['authorization', 'cookie', 'x-api-key'] as const;

export const REDACT_CENSOR = '[redacted]';

/** pino redaction paths for these header names under `headers` and `req.headers`. */
export function redactPaths(headerNames: Iterable<string>): string[] {
  const paths: string[] = [];
  for (const name of new Set(headerNames)) {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
    paths.push(`headers${key}`, `req.headers${key}`);
  }
  return paths;
}

/** Every header this config treats as a secret: the defaults, the JWT and API key headers, `logging.redactHeaders`. */
export function redactedHeaders(config: Pick<TollgateConfig, 'logging' | 'authentication'>): string[] {
  const names: string[] = [...ALWAYS_REDACTED_HEADERS, ...config.logging.redactHeaders];
  if (config.authentication.jwt) names.push(config.authentication.jwt.header);
  if (config.authentication.apiKeys) names.push(config.authentication.apiKeys.header);
  return [...new Set(names)];
}

export function createLogger(level: string, destination?: pino.DestinationStream, headersToRedact: Iterable<string> = ALWAYS_REDACTED_HEADERS): Logger {
  return pino({ level, base: { service: 'tollgate' }, redact: { paths: redactPaths(headersToRedact), censor: REDACT_CENSOR } }, destination);
}

/** The logger for a config: its level and its redactions. */
export function loggerFor(config: Pick<TollgateConfig, 'logging' | 'authentication'>, destination?: pino.DestinationStream): Logger {
  return createLogger(config.logging.level, destination, redactedHeaders(config));
}
