// The per-request context every stage after `receive` reads: built once, passed to Apollo Server as contextValue.
import type { IncomingHttpHeaders } from 'node:http';

/** Who is calling. Anonymous until the authenticate stage knows better. */
export interface Principal {
  kind: 'anonymous';
  /** A stable string naming the caller, part of the inbound deduplication key. */
  key: string;
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', key: 'anonymous' });

export interface TollgateContext {
  requestId: string;
  /** The client's request headers, lower-cased by Node. */
  headers: IncomingHttpHeaders;
  principal: Principal;
}
