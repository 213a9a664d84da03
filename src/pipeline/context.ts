// The per-request context every stage after `receive` reads: built once, passed to Apollo Server as contextValue.
import type { IncomingHttpHeaders } from 'node:http';

import type { Principal } from '../identity/principal';
import type { CostSettlement } from '../policy/cost/policy';
import type { PolicyRemoval } from '../policy/stage';
import type { ErrorSummary } from '../telemetry/errorSummary';

export type { Principal } from '../identity/principal';

export interface TollgateContext {
  requestId: string;
  /** The client's request headers, lower-cased by Node. */
  headers: IncomingHttpHeaders;
  principal: Principal;
  /** The caller's IP: the TCP peer, or the X-Forwarded-For client behind `server.trustedProxies`. */
  clientIp: string;
  /** What the policy stage removed from the operation; the response gets null + an error at each path. */
  policy?: { removals: readonly PolicyRemoval[]; typenameHelper: boolean };
  /** The cost policy's estimate and budget charge; the engine's response plugin sets `actual` on it. */
  cost?: CostSettlement;
  /**
   * What the record stage reads, written by the stages that know it. A holder rather than plain fields: Apollo
   * Server shallow-copies the context for each operation, so a value written during execution must go into an
   * object the copy shares.
   */
  telemetry: TelemetrySlots;
}

export interface TelemetrySlots {
  /** The errors of the answer being sent, summarised by the engine. */
  answerErrors?: ErrorSummary;
}
