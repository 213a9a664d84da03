// Apollo's multipart HTTP subscriptions (`accept: multipart/mixed;subscriptionSpec=1.0`, what Apollo Client's HttpLink
// and Apollo Kotlin/iOS send): a POST answered with multipart/mixed parts `{"payload":{data,errors}}` per event, `{}`
// heartbeats every subscriptions.multipartHeartbeat, `{"payload":null,"errors":[…]}` for an error that ends the
// subscription, then the closing boundary. The HTTP pipeline (receive, CSRF, body limits, JSON) hands such requests
// here; from then on the subscription goes through ./service.ts like WebSocket and SSE ones. Paced like SSE: the next
// event is pulled from the bounded stream only once the previous part was written.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TollgateConfig } from '../config/schema';
import { httpStatusOf, ERROR_CODES, type ErrorCode } from '../errors';
import type { Authenticator } from '../identity/authenticate';
import { compileTrustedProxies } from '../identity/clientIp';
import { acceptsMultipart, MultipartWriter, SUBSCRIPTION_CONTENT_TYPE } from '../incremental/multipart';
import { drained } from '../server/drained';
import type { SubscriptionMetrics } from './metrics';
import { subscriberOf, type SubscriptionRequest, type SubscriptionService } from './service';
import type { StreamResult } from './stream';

export interface MultipartEntry {
  /** A POST whose accept asks for multipart subscriptions and whose operation is a subscription (or a persisted id). */
  takes(accept: string | undefined, params: SubscriptionRequest): boolean;
  /** Serves the subscription; `head` are the headers every answer carries (request id, CORS). */
  handle(req: IncomingMessage, res: ServerResponse, params: SubscriptionRequest, head: Record<string, string>, requestId: string): Promise<void>;
}

export function createMultipartEntry(config: TollgateConfig, authenticate: Authenticator, service: SubscriptionService, metrics: SubscriptionMetrics): MultipartEntry {
  const trusted = compileTrustedProxies(config.server.trustedProxies);
  const heartbeat = config.subscriptions.multipartHeartbeat;
  return {
    takes(accept, params) {
      if (!acceptsMultipart(accept, 'subscriptionSpec', '1.0')) return false;
      if (typeof params.query === 'string' && params.query !== '') return service.isSubscription(params.query, params.operationName);
      // Only an id: what it names is known once resolved; the service refuses anything but a subscription.
      return params.extensions?.persistedQuery !== undefined;
    },

    async handle(req, res, params, head, requestId) {
      const refuse = (errors: StreamResult['errors'] & object, extra: Record<string, string> = {}) => {
        const code = errors[0]?.extensions?.code;
        const status = typeof code === 'string' && code in ERROR_CODES ? httpStatusOf(code as ErrorCode) : 400;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...head, ...extra });
        res.end(JSON.stringify({ errors }));
      };
      const authenticated = await authenticate(req.headers);
      if (!authenticated.ok) return refuse([{ message: authenticated.message, extensions: { code: 'UNAUTHENTICATED' } }], { 'www-authenticate': 'Bearer error="invalid_token"' });
      const subscriber = subscriberOf('multipart', req, authenticated.principal, trusted, requestId);
      const slot = service.openConnection(subscriber);
      if (!slot.ok) return refuse(slot.errors);
      try {
        const outcome = await service.subscribe(params, subscriber);
        // Refused before anything streamed: a plain JSON answer with the HTTP status of its code (as over HTTP POST).
        if (outcome.kind === 'rejected') return refuse(outcome.errors);
        const { stream } = outcome;
        if (res.destroyed) return void (await stream.return());
        res.writeHead(200, { 'content-type': SUBSCRIPTION_CONTENT_TYPE, 'cache-control': 'no-store', ...head });
        const writer = new MultipartWriter(res);
        metrics.connection('multipart', 1);
        // The client went away (abort, reset): the subscription ends at once, its upstream share is released.
        const onClose = () => void stream.return();
        res.once('close', onClose);
        // A first heartbeat at once: the client sees the stream is up before the first event.
        writer.part({});
        const beat = setInterval(() => {
          // Nothing queued behind a full socket: a heartbeat only says "still here" when there is room.
          if (!res.writableNeedDrain) writer.part({});
        }, heartbeat);
        try {
          for await (const result of stream) {
            if (!writer.open) break;
            if (!writer.part(partOf(result))) await drained(res);
          }
          writer.end();
        } finally {
          clearInterval(beat);
          res.off('close', onClose);
          metrics.connection('multipart', -1);
        }
      } finally {
        slot.release();
      }
    },
  };
}

/**
 * An event is `{"payload": result}` (its GraphQL errors inside). A result without a `data` key is the error that ends
 * the subscription (upstream lost, token expired, reload, too slow): Apollo's transport error, `payload: null`.
 */
export function partOf(result: StreamResult): Record<string, unknown> {
  if (!('data' in result) && result.errors) return { payload: null, errors: result.errors };
  return { payload: result };
}
