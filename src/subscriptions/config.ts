// Config section `subscriptions`: WebSocket, SSE and multipart subscriptions, their per-client limits and the
// subgraphs' WebSocket URLs. docs/configuration.md#subscriptions mirrors it.
import { z } from 'zod';
import { bool, duration, int } from '../config/fields';

/** Subscriptions over WebSocket (graphql-transport-ws) and Server-Sent Events (graphql-sse) at server.graphqlPath (docs/subscriptions.md). */
export const subscriptionsConfig = z
  .strictObject({
    enabled: bool.default(true),
    /** Open subscriptions one client (token subject, API-key client, or IP when anonymous) may hold at once, per instance. */
    maxPerClient: int(1).default(100),
    /** Events waiting to be written to one client; past this the client is too slow and its subscription is ended. */
    maxBufferedEvents: int(1).default(100),
    /** WebSocket keep-alive: a ping this often, and a client that does not answer with a pong within as long is dropped. 0 turns pings off. */
    keepAlive: duration.default(12_000),
    /** How long a WebSocket client has to send `connection_init` after connecting. */
    connectionInitTimeout: duration.default(3_000),
    /** Open subscription connections (WebSockets, SSE streams, multipart HTTP streams) one client may hold at once, per instance. */
    maxConnectionsPerClient: int(1).default(100),
    /** Judge every delivered event again by the policy stage: it counts against the client's field rate limits and cost budget (docs/subscriptions.md). */
    limitEvents: bool.default(false),
    /** Apollo's multipart HTTP subscriptions: an empty `{}` part this often keeps proxies and clients from timing out. */
    multipartHeartbeat: duration.default(5_000),
    /** Per subgraph: the WebSocket URL its subscriptions are opened at. Default: its routing URL with ws:// (wss:// for https://). */
    subgraphs: z.record(z.string(), z.strictObject({ url: z.string().regex(/^wss?:\/\/\S+$/, 'expected a ws:// or wss:// URL') })).default({}),
  })
  .prefault({});
