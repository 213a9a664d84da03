// The `rest:` routing URL that names a REST subgraph in a supergraph: `rest:<path relative to rover.yaml>#<hash>`.
// Written by composition (composeRest.ts), read by the gateway (registry.ts). Pure.
import { createHash } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';

export const REST_URL_SCHEME = 'rest:';

export function isRestRoutingUrl(url: string | undefined): boolean {
  return url?.startsWith(REST_URL_SCHEME) ?? false;
}

/** First 16 hex digits of the file's sha256: enough to tell versions of one file apart. */
export function restContentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

export function restRoutingUrl(path: string, content: string): string {
  return `${REST_URL_SCHEME}${path.split('\\').join('/')}#${restContentHash(content)}`;
}

export function parseRestRoutingUrl(url: string): { path: string; hash: string | undefined } {
  const rest = url.slice(REST_URL_SCHEME.length);
  const hashAt = rest.lastIndexOf('#');
  return hashAt === -1 ? { path: rest, hash: undefined } : { path: rest.slice(0, hashAt), hash: rest.slice(hashAt + 1) };
}

/** A file as messages show it: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}
