// Field types shared by every config section: whole numbers, booleans, durations, sizes, header names — each
// also accepted as text, since `${env.X}` expands to a string. Concern sections (src/*/config.ts) import these.
import { z } from 'zod';
import { parseDuration, parseSize } from './units';

/** A whole number; also as text, since `${env.X}` expands to a string. */
export const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.union([z.number(), z.string().regex(/^-?\d+$/, 'expected a whole number').transform(Number)]).pipe(z.number().int().min(min).max(max));

/** true/false; also as text, since `${env.X}` expands to a string. */
export const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** "30s" | 30000 (ms) → milliseconds. */
export const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "250ms", "30s" or "5m", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

/** "1mb" | 1048576 (bytes) → bytes. */
export const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "512kb" or "1mb", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return bytes;
});

export const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid HTTP header name')
  .transform((name) => name.toLowerCase());
