// The shape of tollgate.yaml: every key, its unit and its default, validated once at start-up.
// Objects are strict, so a misspelt key is an error that names it; docs/configuration.md mirrors this file.
import { z } from 'zod';
import { isAddressOrRange } from '../identity/clientIp';
import { costConfig } from '../policy/cost/config';
import { rateLimitsConfig } from '../policy/ratelimit/config';
import { storeConfig } from '../policy/store/config';
import { persistedOperationsConfig } from '../persisted/config';
import { bool, duration, headerName, int, size } from './fields';
import { redisUrlSchema } from '../util/redis';

const regex = z.string().transform((source, ctx) => {
  try {
    return new RegExp(source, 'i');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
    return z.NEVER;
  }
});

/** One header rule for requests to subgraphs; rules run in order, `all` before the subgraph's own. */
const headerRule = z.union([
  z.strictObject({
    propagate: z.union([
      z.strictObject({ named: headerName, rename: headerName.optional(), default: z.string().optional() }),
      z.strictObject({ matching: regex }),
    ]),
  }),
  z.strictObject({ insert: z.strictObject({ name: headerName, value: z.string() }) }),
  z.strictObject({ remove: z.union([z.strictObject({ named: headerName }), z.strictObject({ matching: regex })]) }),
]);
export type HeaderRule = z.infer<typeof headerRule>;

/** A REST source's header rule: a subgraph header rule, or a verified claim sent as a header (docs/rest.md). */
const restHeaderRule = z.union([headerRule, z.strictObject({ claim: z.strictObject({ name: z.string().min(1), header: headerName }) })]);
export type RestHeaderRule = z.infer<typeof restHeaderRule>;

/** tollgate.yaml settings of one REST source, by its @restSource name. */
const restSourceConfig = z.strictObject({
  /** What the source's mappings read as `$config` (a key per value, any JSON). */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Header rules for this source's calls, after `headers.all` and `headers.subgraphs.<subgraph>`. */
  headers: z.array(restHeaderRule).default([]),
  /** Request headers the source's mappings may read as `$context.headers.<name>` (and inbound dedupe keys on). */
  contextHeaders: z.array(headerName).default([]),
});
export type RestSourceConfig = z.infer<typeof restSourceConfig>;

const subgraphTraffic = z.strictObject({
  /** Whole-request limit for one subgraph call (connect + answer). */
  timeout: duration.optional(),
  /** Make identical subgraph fetches that are in flight at once only once (queries only). */
  dedupe: bool.optional(),
  /** Keep-alive connections per subgraph origin. */
  connections: int(1).optional(),
  /** Largest response body read from the subgraph (or REST source); reading stops there → SUBGRAPH_BAD_RESPONSE. */
  maxResponseSize: size.pipe(z.number().min(1024, 'at least 1kb').max(512 * 1024 ** 2, 'at most 512mb (the longest string V8 makes)')).optional(),
  /** Errors kept from one subgraph response (the first ones), plus one error counting the dropped rest. */
  maxErrorsPerResponse: int(1, 10_000).optional(),
});

const jwtConfig = z.strictObject({
  /** Header carrying the token, and the scheme prefix before it. */
  header: headerName.default('authorization'),
  prefix: z.string().default('Bearer '),
  /** Or a cookie carrying the bare token (checked when the header is absent). */
  cookie: z.string().optional(),
  /** Accepted signature algorithms; `none` is never accepted. */
  algorithms: z.array(z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'])).default(['RS256', 'ES256']),
  /** Keys: a JWKS URL (cached, refetched on an unknown `kid`), a shared secret (HS*), or a public key (PEM or JWK JSON). */
  jwksUrl: z.string().url().optional(),
  jwksCacheTtl: duration.default(600_000),
  secret: z.string().min(1).optional(),
  publicKey: z.string().min(1).optional(),
  issuer: z.union([z.string(), z.array(z.string())]).optional(),
  audience: z.union([z.string(), z.array(z.string())]).optional(),
  clockTolerance: duration.default(30_000),
  /** Refuse tokens without an `exp` claim: a token that never expires can't be taken back. */
  requireExp: bool.default(true),
  /** Refuse tokens issued (`iat`) longer ago than this, whatever their `exp`; tokens without `iat` are then refused. */
  maxTokenAge: duration.optional(),
  /** Claim holding scopes: a space-separated string or an array. */
  scopeClaim: z.string().default('scope'),
  /** Claim naming the client application (for limits and metering); the subject when absent. */
  clientClaim: z.string().default('azp'),
  /** Claim naming the client's plan. */
  planClaim: z.string().default('plan'),
});

const apiKeyConfig = z
  .strictObject({
    client: z.string().min(1),
    /** The key itself (from `${env.X}`); hashed at load and never kept in memory in clear. */
    key: z.string().min(16, 'API keys must be at least 16 characters').optional(),
    /** Or its SHA-256, hex-encoded. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'expected 64 hex characters').optional(),
    scopes: z.array(z.string()).default([]),
    plan: z.string().optional(),
  })
  .refine((k) => (k.key === undefined) !== (k.sha256 === undefined), { message: 'give exactly one of `key` or `sha256`' });

const redisUrl = redisUrlSchema;

/** An admin API key for /admin (publishing): hashed like API keys; optionally limited to some subgraphs. */
const adminKeyConfig = z
  .strictObject({
    client: z.string().min(1),
    key: z.string().min(16, 'admin keys must be at least 16 characters').optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'expected 64 hex characters').optional(),
    /** Subgraphs this key may check and publish; absent = all, plus rollback. */
    subgraphs: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((k) => (k.key === undefined) !== (k.sha256 === undefined), { message: 'give exactly one of `key` or `sha256`' });
/** Longest window an alert rule may look back over (the rolling windows keep this much, per second). */
export const MAX_ALERT_WINDOW_MS = 15 * 60_000;

const windowDuration = duration.pipe(z.number().min(1000, 'at least 1s').max(MAX_ALERT_WINDOW_MS, 'at most 15m'));
const ruleBase = {
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-"'),
  /** The condition must hold this long before the alert fires. */
  for: duration.default(0),
};

/** One alert rule; `kind` picks what it watches. Docs: docs/operations.md#alerts. */
const alertRule = z.discriminatedUnion('kind', [
  z.strictObject({
    ...ruleBase,
    kind: z.literal('errorRate'),
    /** Fraction (0–1) of requests answered with errors (partial or failed; client rejections don't count). */
    threshold: z.number().gt(0).max(1),
    window: windowDuration.default(300_000),
    /** Fewer requests in the window never fire. */
    minRequests: int(1).default(20),
  }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('p99Latency'),
    threshold: duration,
    window: windowDuration.default(300_000),
    minRequests: int(1).default(20),
  }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('subgraphDown'),
    /** One subgraph or REST service; every one (each its own alert) when absent. */
    subgraph: z.string().optional(),
    /** Fraction of its calls that failed (unavailable, timeout, bad response). */
    threshold: z.number().gt(0).max(1).default(1),
    window: windowDuration.default(60_000),
    minCalls: int(1).default(3),
  }),
  z.strictObject({
    ...ruleBase,
    kind: z.literal('clientBudget'),
    /** What the budget counts: actual cost units, estimated cost units, or operations. */
    metric: z.enum(['actualCost', 'estimatedCost', 'operations']).default('actualCost'),
    /** The budget's period (UTC): its usage starts from zero at each hour or day. */
    period: z.enum(['hour', 'day']).default('day'),
    /** Budgets per client (first) and per plan; `default` for anyone else (none: not watched). */
    budgets: z
      .strictObject({
        clients: z.record(z.string(), z.number().positive()).default({}),
        plans: z.record(z.string(), z.number().positive()).default({}),
        default: z.number().positive().optional(),
      })
      .prefault({}),
    /** Fractions of the budget that fire, each its own episode. */
    thresholds: z.array(z.number().gt(0).max(10)).min(1).default([0.8, 1]),
  }),
]);
export type AlertRule = z.infer<typeof alertRule>;

export const configSchema = z.strictObject({
  server: z
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
    .prefault({}),

  supergraph: z
    .strictObject({
      /** A composed supergraph SDL file, reloaded on change (a broken one is logged and the last good keeps serving). */
      file: z.string().optional(),
      /** Or a rover supergraph.yaml composed at start-up. */
      rover: z.string().optional(),
      /** With `file`: watch it for changes. */
      watch: bool.default(true),
      /** With `rover`: re-compose every interval (re-fetching subgraph_url sources); 0 turns polling off. */
      pollInterval: duration.default(0),
      /** Or the Redis registry a fleet shares: `tollgate publish` writes it, every instance follows it. */
      redis: z
        .strictObject({
          url: redisUrl,
          /** Key prefix of the registry (docs/publishing.md). */
          key: z.string().min(1).default('tollgate:supergraph'),
          /** Re-read `current` this often, in case a pub/sub message was missed; 0 = only pub/sub. */
          pollInterval: duration.default(5_000),
        })
        .optional(),
    })
    .prefault({})
    .refine((s) => [s.file, s.rover, s.redis].filter((v) => v !== undefined).length <= 1, {
      message: 'set one of supergraph.file, supergraph.rover or supergraph.redis',
    }),

  /** Operation limits, checked once per distinct query text before anything else runs. 0 turns one off. */
  limits: z
    .strictObject({
      maxDepth: int(0).default(15),
      maxAliases: int(0).default(30),
      maxRootFields: int(0).default(20),
      maxTokens: int(0).default(15_000),
      /** Field selections after expanding fragments (stops fragment fan-out bombs that stay shallow and short). */
      maxFields: int(0).default(10_000),
      /** Longest accepted `operationName`: it reaches logs, metrics and errors, so it is bounded (GraphQL names are short). */
      maxOperationNameLength: int(0).default(256),
      /** Deepest nesting of `variables` and `extensions` JSON (arrays and objects); deeper input is refused before anything walks it. */
      maxVariablesDepth: int(1).default(64),
    })
    .prefault({}),

  /** Calls to subgraphs: `all` applies to every subgraph, `subgraphs.<name>` overrides it for one. */
  traffic: z
    .strictObject({
      all: subgraphTraffic.prefault({}),
      subgraphs: z.record(z.string(), subgraphTraffic).default({}),
    })
    .prefault({}),

  /** Header rules for requests to subgraphs: `all` first, then `subgraphs.<name>`. */
  headers: z
    .strictObject({
      all: z.array(headerRule).default([]),
      subgraphs: z.record(z.string(), z.array(headerRule)).default({}),
    })
    .prefault({}),

  /**
   * Who runs query plans: `apollo` (@apollo/server + @apollo/gateway's executor) or `tollgate` (Tollgate's own plan
   * executor, src/execute/plan/; same planner, same answers). A switch an operator can flip back without a deploy.
   */
  executor: z.enum(['apollo', 'tollgate']).default('tollgate'),

  /**
   * Who plans for `executor: tollgate`: `apollo` (@apollo/query-planner) or `hive` (Hive Router's Rust planner, the
   * optional N-API addon @graphql-hive/router-query-planner; linux glibc and macOS, x64/arm64). Unset: `hive` where
   * the addon loads (with `plannerFallback`), else `apollo` with a one-line warning (musl, Windows).
   */
  planner: z.enum(['apollo', 'hive']).optional(),

  /**
   * With `planner: hive`: an operation Hive's planner cannot plan (it refuses, or it plans a subgraph operation the
   * subgraph's schema refuses) is planned by @apollo/query-planner instead (built on first need, logged once per
   * plan at warn). `false` answers such operations QUERY_PLANNING_FAILED.
   */
  plannerFallback: bool.default(true),

  /** Identical queries in flight at once (same document, operation, variables, identity and forwarded headers) run once. */
  dedupe: z.strictObject({ inbound: bool.default(true) }).prefault({}),

  /** REST descriptions (docs/rest.md). Their sources, headers and timeouts are in the description files themselves. */
  rest: z
    .strictObject({
      /** With supergraph.file: the folder relative `rest:` routing URLs resolve against (rover.yaml's folder at compose time). Default: cwd. */
      baseDir: z.string().optional(),
      /** Per source, by its @restSource name: `$config` values, header rules, headers `$context` may read. */
      sources: z.record(z.string(), restSourceConfig).default({}),
    })
    .prefault({}),

  /** Who is calling. No credentials → anonymous; bad credentials → 401 UNAUTHENTICATED before anything runs. */
  authentication: z
    .strictObject({
      jwt: jwtConfig.optional(),
      apiKeys: z
        .strictObject({
          header: headerName.default('x-api-key'),
          keys: z.array(apiKeyConfig).default([]),
        })
        .optional(),
      /** Claims sent to every subgraph as headers, e.g. `{ sub: x-user-id }`. */
      forwardClaims: z.record(z.string(), headerName).default({}),
    })
    .prefault({}),

  /** Field-level authorization from @authenticated / @requiresScopes / @policy in the supergraph. */
  authorization: z
    .strictObject({
      /** `filter`: remove unauthorized fields, answer the rest (null + error per path). `reject`: fail the whole request. */
      mode: z.enum(['filter', 'reject']).default('filter'),
      /** A module exporting graphql-shield rules by @policy name (path relative to the config file). */
      policies: z.string().optional(),
    })
    .prefault({}),

  /** Which plan a caller is on; plans select rate limits and cost budgets. A token's plan claim or an API key's `plan` wins. */
  clients: z
    .strictObject({
      /** Plan of callers without credentials (identified by IP). */
      anonymousPlan: z.string().min(1).default('anonymous'),
      /** Plan of authenticated callers whose token or key names none. */
      defaultPlan: z.string().min(1).default('free'),
      /** Callers identified by IP are counted per network: IPv4 per this prefix (32: per address), IPv6 per this one (64: per subscriber). */
      ipv4Prefix: int(0, 32).default(32),
      ipv6Prefix: int(0, 128).default(64),
    })
    .prefault({}),

  /** Field-level rate limits: @rateLimit in the supergraph and `fields` by coordinate, sized per plan. */
  rateLimits: rateLimitsConfig,

  /** Demand control: cost estimate per operation, a maximum and budgets over time, per plan. */
  cost: costConfig,

  /** Where rate-limit counters and cost budgets live (memory, or Redis shared by every instance). */
  store: storeConfig,

  /** Operation usage (name, query hash, client, count, last seen) recorded after each response, for `tollgate check`. */
  usage: z
    .strictObject({
      enabled: bool.default(true),
      /** Distinct (client, operation, query) entries kept, in memory per instance and in Redis for the fleet. */
      maxOperations: int(1).default(5_000),
      /** With `redis`: how often each instance adds its counts there. */
      flushInterval: duration.default(5_000),
      /** Share usage across the fleet (and with `tollgate check`) in Redis; without it, usage stays in memory. */
      redis: z.strictObject({ url: redisUrl, key: z.string().min(1).default('tollgate:usage') }).optional(),
    })
    .prefault({}),

  /** Publishing subgraph schemas: `tollgate check|publish|rollback|history` and the /admin endpoint. */
  publish: z
    .strictObject({
      /** The subgraphs and their schemas before anything is published (path relative to the config file). */
      rover: z.string().default('rover.yaml'),
      /** With supergraph.file: where history entries and SDL blobs go. Default: `history/` beside the supergraph file. */
      historyDir: z.string().optional(),
      /** Versions kept; older ones (and SDLs only they use) are deleted. */
      historyLimit: int(2).default(100),
      /** How far back "recently used" operations go for checks. */
      usageWindow: duration.default(7 * 86_400_000),
      admin: z
        .strictObject({
          /** Keys for /admin/*; none = the admin endpoint is off (404). */
          keys: z.array(adminKeyConfig).default([]),
          /** Largest /admin request body (a schema). */
          bodyLimit: size.default(10 * 1024 * 1024),
        })
        .prefault({}),
    })
    .prefault({}),

  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** One JSON line per request (level info; at debug it also carries the request headers, redacted). */
      accessLog: bool.default(true),
      /** Headers redacted wherever headers are logged, besides authorization, cookie and the credential headers. */
      redactHeaders: z.array(headerName).default([]),
    })
    .prefault({}),

  /** Prometheus metrics (prom-client), served by the gateway. */
  metrics: z
    .strictObject({
      enabled: bool.default(true),
      path: z.string().startsWith('/').default('/metrics'),
      /** Operation names get their own label value up to this many; later ones share `__other__`. */
      maxOperationNames: int(1, 10_000).default(100),
      /** Client names likewise. */
      maxClients: int(1, 10_000).default(100),
      /** Node process metrics (CPU, memory, event loop lag, GC): prom-client's default metrics. */
      processMetrics: bool.default(true),
      /** Ask for an admin key (`publish.admin.keys`) on the metrics path too. */
      requireAdminKey: bool.default(false),
    })
    .prefault({}),

  /** OpenTelemetry traces. Off by default: then no SDK is loaded. */
  tracing: z
    .strictObject({
      enabled: bool.default(false),
      serviceName: z.string().min(1).default('tollgate'),
      /** OTLP/HTTP (JSON) traces endpoint, e.g. http://collector:4318/v1/traces. Without it spans are made but not exported. */
      endpoint: z.string().url().optional(),
      /** Headers sent with each export (e.g. an API key from ${env.X}). */
      headers: z.record(z.string(), z.string()).default({}),
      /** Fraction of new traces recorded (0–1); an incoming traceparent's sampled flag is followed. */
      sampleRatio: z.number().min(0).max(1).default(1),
      /** Deadline for one export call. */
      timeout: duration.default(10_000),
    })
    .prefault({}),

  /** Usage metering for billing: operations, cost and calls per client and plan, per UTC hour (docs/operations.md). */
  metering: z
    .strictObject({
      enabled: bool.default(true),
      /** Keep the counts in Redis: durable, and shared by every gateway on it. Without it they stay in memory. */
      redis: z.strictObject({ url: redisUrl, key: z.string().min(1).default('{tollgate}:metering') }).optional(),
      /** How often counts are written to Redis; also the most a crash (not a graceful stop) can lose. */
      flushInterval: duration.default(10_000),
      /** How long an hour's counts are kept in Redis. */
      retention: duration.default(400 * 86_400_000),
    })
    .prefault({}),

  /** Alert rules, evaluated periodically; each episode is sent once to the webhook and the log, and again when it resolves. */
  alerts: z
    .strictObject({
      evaluationInterval: duration.default(15_000),
      webhook: z
        .strictObject({
          url: z.string().url(),
          headers: z.record(z.string(), z.string()).default({}),
          /** Deadline for one POST. */
          timeout: duration.default(5_000),
          /** Further attempts after a failed POST (network error, 5xx or 429), with exponential backoff. */
          retries: int(0, 10).default(3),
          /** Wait before the first retry; doubled for each next one. */
          backoff: duration.default(1_000),
        })
        .optional(),
      rules: z.array(alertRule).default([]),
    })
    .prefault({})
    .refine((a) => new Set(a.rules.map((r) => r.name)).size === a.rules.length, { message: 'alert rule names must be unique' }),

  /** Persisted operations: APQ, manifests (Apollo, Relay, GraphQL Codegen), safelisting (docs/persisted-operations.md). */
  persistedOperations: persistedOperationsConfig,
  /** Subscriptions over WebSocket (graphql-transport-ws) and Server-Sent Events (graphql-sse) at server.graphqlPath (docs/subscriptions.md). */
  subscriptions: z
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
    .prefault({}),
}).refine((c) => !(c.planner === 'hive' && c.executor === 'apollo'), {
  message: '`planner: hive` needs `executor: tollgate` (the Apollo executor only runs @apollo/query-planner plans)',
  path: ['planner'],
});

export type TollgateConfig = z.output<typeof configSchema>;
export type TollgateConfigInput = z.input<typeof configSchema>;

/** Defaults applied where `traffic.all` and `traffic.subgraphs.<name>` leave a value out. */
export const TRAFFIC_DEFAULTS = { timeout: 30_000, dedupe: true, connections: 128, maxResponseSize: 16 * 1024 * 1024, maxErrorsPerResponse: 100 } as const;

export type SubgraphTraffic = { timeout: number; dedupe: boolean; connections: number; maxResponseSize: number; maxErrorsPerResponse: number };

/** Merges `traffic.all` and the subgraph's own section over the defaults. */
export function trafficFor(config: TollgateConfig, subgraph: string): SubgraphTraffic {
  const own = config.traffic.subgraphs[subgraph] ?? {};
  const all = config.traffic.all;
  return {
    timeout: own.timeout ?? all.timeout ?? TRAFFIC_DEFAULTS.timeout,
    dedupe: own.dedupe ?? all.dedupe ?? TRAFFIC_DEFAULTS.dedupe,
    connections: own.connections ?? all.connections ?? TRAFFIC_DEFAULTS.connections,
    maxResponseSize: own.maxResponseSize ?? all.maxResponseSize ?? TRAFFIC_DEFAULTS.maxResponseSize,
    maxErrorsPerResponse: own.maxErrorsPerResponse ?? all.maxErrorsPerResponse ?? TRAFFIC_DEFAULTS.maxErrorsPerResponse,
  };
}
