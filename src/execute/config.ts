// Config sections of subgraph calls: `traffic` (timeouts, dedupe, connections, response limits), `headers` (header
// rules), and who plans and executes (`executor`, `planner`, `plannerFallback`). docs/configuration.md mirrors them.
import { z } from 'zod';
import { bool, duration, headerName, int, size } from '../config/fields';

const regex = z.string().transform((source, ctx) => {
  try {
    return new RegExp(source, 'i');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
    return z.NEVER;
  }
});

/** One header rule for requests to subgraphs; rules run in order, `all` before the subgraph's own. */
export const headerRule = z.union([
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

/** Calls to subgraphs: `all` applies to every subgraph, `subgraphs.<name>` overrides it for one. */
export const trafficConfig = z
  .strictObject({
    all: subgraphTraffic.prefault({}),
    subgraphs: z.record(z.string(), subgraphTraffic).default({}),
  })
  .prefault({});

/** Header rules for requests to subgraphs: `all` first, then `subgraphs.<name>`. */
export const headersConfig = z
  .strictObject({
    all: z.array(headerRule).default([]),
    subgraphs: z.record(z.string(), z.array(headerRule)).default({}),
  })
  .prefault({});

/**
 * Who runs query plans: `apollo` (@apollo/server + @apollo/gateway's executor) or `tollgate` (Tollgate's own plan
 * executor, src/execute/plan/; same planner, same answers). A switch an operator can flip back without a deploy.
 */
export const executorConfig = z.enum(['apollo', 'tollgate']).default('tollgate');

/**
 * Who plans for `executor: tollgate`: `apollo` (@apollo/query-planner) or `hive` (Hive Router's Rust planner, the
 * optional N-API addon @graphql-hive/router-query-planner; linux glibc and macOS, x64/arm64). Unset: `hive` where
 * the addon loads (with `plannerFallback`), else `apollo` with a one-line warning (musl, Windows).
 */
export const plannerConfig = z.enum(['apollo', 'hive']).optional();

/**
 * With `planner: hive`: an operation Hive's planner cannot plan (it refuses, or it plans a subgraph operation the
 * subgraph's schema refuses) is planned by @apollo/query-planner instead (built on first need, logged once per
 * plan at warn). `false` answers such operations QUERY_PLANNING_FAILED.
 */
export const plannerFallbackConfig = bool.default(true);

/** Defaults applied where `traffic.all` and `traffic.subgraphs.<name>` leave a value out. */
export const TRAFFIC_DEFAULTS = { timeout: 30_000, dedupe: true, connections: 128, maxResponseSize: 16 * 1024 * 1024, maxErrorsPerResponse: 100 } as const;

export type SubgraphTraffic = { timeout: number; dedupe: boolean; connections: number; maxResponseSize: number; maxErrorsPerResponse: number };

/** Merges `traffic.all` and the subgraph's own section over the defaults. */
export function trafficFor(config: { traffic: z.output<typeof trafficConfig> }, subgraph: string): SubgraphTraffic {
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
