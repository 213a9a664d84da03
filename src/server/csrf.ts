// CSRF prevention (as Apollo Server does it): execute only requests a browser would have had to preflight.
// A request is safe when its content-type is not one of the "simple" ones a form can send, or when it
// carries one of the configured custom headers.
import type { IncomingHttpHeaders } from 'node:http';

const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

export function isPreflightedRequest(headers: IncomingHttpHeaders, requiredHeaders: readonly string[]): boolean {
  const contentType = headers['content-type'];
  if (contentType) {
    const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
    if (mediaType && !SIMPLE_CONTENT_TYPES.has(mediaType)) return true;
  }
  return requiredHeaders.some((name) => headers[name] !== undefined);
}
