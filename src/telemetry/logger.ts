// Structured JSON logs (pino). Credentials never reach a log line: the paths below are redacted.
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'tollgate' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
