// Config section `server`: where the gateway listens, request-body and header limits, CSRF and CORS.
// docs/configuration.md#server mirrors it; src/config/schema.ts assembles it with the other sections.
import { z } from 'zod';
import { bool, duration, headerName, int, size } from '../config/fields';
import { isAddressOrRange } from '../identity/clientIp';

export const serverConfig = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: int(0, 65535).default(4000),
    graphqlPath: z.string().startsWith('/').default('/graphql'),
    /** Largest accepted request body. */
    bodyLimit: size.default(1024 * 1024),
    /** Longest wait for a request body once its headers arrived; a slower body is answered 408 (REQUEST_TIMEOUT). */
    bodyTimeout: duration.default(10_000),
    /** Longest wait for a request's headers (slowloris); then Node answers 408 and closes the connection. */
    headersTimeout: duration.default(10_000),
    /** On SIGTERM/SIGINT: how long requests in flight may take to finish before their connections are closed. */
    shutdownTimeout: duration.default(10_000),
    /** Header carrying the request id; taken from the client when well-formed, else generated, and sent to subgraphs. */
    requestIdHeader: headerName.default('x-request-id'),
    introspection: bool.default(true),
    /**
     * Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed when they are the TCP peer; the client
     * IP (identity of anonymous callers for limits) is then the nearest untrusted hop. Empty: the peer is the client.
     */
    trustedProxies: z.array(z.string().refine(isAddressOrRange, 'expected an IP address or CIDR range, e.g. 10.0.0.0/8')).default([]),
    csrfPrevention: z
      .strictObject({
        enabled: bool.default(true),
        /** Any of these headers marks a request a browser would have preflighted. */
        requiredHeaders: z.array(headerName).default(['x-apollo-operation-name', 'apollo-require-preflight']),
      })
      .prefault({}),
    cors: z
      .strictObject({
        enabled: bool.default(true),
        /** Allowed origins; "*" allows any (and then credentials are never allowed). */
        origins: z.array(z.string()).default(['*']),
        allowCredentials: bool.default(false),
        allowHeaders: z.array(headerName).default(['content-type', 'authorization', 'x-api-key', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id']),
        maxAge: duration.default(600_000),
      })
      .prefault({}),
  })
  .prefault({});
