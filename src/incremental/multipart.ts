// The multipart/mixed framing Apollo Client and Apollo Router speak for incremental delivery (`deferSpec=20220824`)
// and for HTTP subscriptions (`subscriptionSpec=1.0`): each JSON payload in its own part under the boundary
// "graphql", the stream closed by the final boundary. Negotiated from the request's accept header.
import type { ServerResponse } from 'node:http';

export const BOUNDARY = 'graphql';
export const DEFER_CONTENT_TYPE = `multipart/mixed;boundary="${BOUNDARY}";deferSpec=20220824`;
export const SUBSCRIPTION_CONTENT_TYPE = `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec=1.0`;

const DELIMITER = `\r\n--${BOUNDARY}`;
const PART_HEADERS = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';

/** Whether one of the accept header's media ranges is multipart/mixed with `param=value` (e.g. deferSpec=20220824). */
export function acceptsMultipart(accept: string | undefined, param: string, value: string): boolean {
  if (!accept || accept.length > 4096) return false;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim());
    if (type.toLowerCase() !== 'multipart/mixed') continue;
    for (const p of params) {
      const at = p.indexOf('=');
      if (at === -1 || p.slice(0, at).trim().toLowerCase() !== param.toLowerCase()) continue;
      if (p.slice(at + 1).trim().replace(/^"(.*)"$/, '$1') === value) return true;
    }
  }
  return false;
}

/**
 * Writes parts to a response whose head is already set; nothing is written once the client went away. Each part is
 * followed at once by the next delimiter (as Apollo Router writes them): a reader can only tell that a part is
 * complete when it sees the delimiter after it, so a part must not wait for the next one to be readable.
 */
export class MultipartWriter {
  private ended = false;
  private started = false;
  constructor(private readonly res: ServerResponse) {}

  get open(): boolean {
    return !this.ended && !this.res.destroyed && !this.res.writableEnded;
  }

  /** One JSON part; returns false when the socket's buffer is full (the caller may wait for 'drain'). */
  part(payload: unknown): boolean {
    if (!this.open) return true;
    const opening = this.started ? '' : DELIMITER;
    this.started = true;
    return this.res.write(opening + PART_HEADERS + JSON.stringify(payload) + DELIMITER);
  }

  /** The final delimiter's closing "--", then the response ends. */
  end(): void {
    if (!this.open) return;
    this.ended = true;
    this.res.end(this.started ? '--\r\n' : `${DELIMITER}--\r\n`);
  }
}
