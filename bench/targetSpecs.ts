// What each benchmark target is: which gateway, which executor and planner, which dedupe, which policies. Pure data;
// targets.ts turns a spec into a running process, issueTable.ts groups the results by these fields.
import type { TargetName } from './args';

/** none = no work shared between requests; subgraph = identical in-flight subgraph fetches shared; inbound+subgraph = also identical client requests. */
export type DedupeMode = 'none' | 'subgraph' | 'inbound+subgraph';

export interface TargetSpec {
  kind: 'apollo' | 'tollgate' | 'hive-gateway' | 'no-gateway';
  /** Undefined for no-gateway (nothing to dedupe). */
  dedupe: DedupeMode | undefined;
  /** Tollgate only: who runs the query plans. */
  executor?: 'apollo' | 'tollgate';
  /** Tollgate with its own executor only: whose planner (the `planner` config key). */
  planner?: 'apollo' | 'hive';
  /** Tollgate only: every policy on, with the limits in this store. */
  policies?: 'memory' | 'redis';
  /** The "gateway" column of the table. */
  label: string;
  description: string;
}

const NO_DEDUPE = 'dedupe.inbound and traffic.all.dedupe false';
const SUBGRAPH_DEDUPE = 'dedupe.inbound false, traffic.all.dedupe true';
const BOTH_DEDUPE = 'dedupe.inbound and traffic.all.dedupe true';
const POLICIES =
  'API-key authentication, the authorization policies module, a rate limit on both root fields and a cost maximum + budget, all enforced';

export const TARGETS: Record<TargetName, TargetSpec> = {
  apollo: { kind: 'apollo', dedupe: 'none', label: 'plain @apollo/gateway', description: '@apollo/gateway + @apollo/server standalone, default settings' },
  tollgate: { kind: 'tollgate', dedupe: 'none', executor: 'apollo', label: 'Tollgate, executor apollo', description: `tollgate start, executor: apollo, ${NO_DEDUPE}` },
  'tollgate+subgraph-dedupe': {
    kind: 'tollgate',
    dedupe: 'subgraph',
    executor: 'apollo',
    label: 'Tollgate, executor apollo',
    description: `tollgate start, executor: apollo, ${SUBGRAPH_DEDUPE}`,
  },
  'tollgate+dedupe': { kind: 'tollgate', dedupe: 'inbound+subgraph', executor: 'apollo', label: 'Tollgate, executor apollo', description: `tollgate start, executor: apollo, ${BOTH_DEDUPE}` },
  'tollgate+policies': {
    kind: 'tollgate',
    dedupe: 'none',
    executor: 'apollo',
    policies: 'memory',
    label: 'Tollgate, executor apollo, every policy on',
    description: `as tollgate (no dedupe), plus ${POLICIES}; memory store`,
  },
  'tollgate+policies+redis': {
    kind: 'tollgate',
    dedupe: 'none',
    executor: 'apollo',
    policies: 'redis',
    label: 'Tollgate, executor apollo, every policy on, Redis',
    description: `as tollgate+policies, with the limits and the budget on a local redis-server`,
  },
  'tollgate-exec': {
    kind: 'tollgate',
    dedupe: 'none',
    executor: 'tollgate',
    planner: 'apollo',
    label: 'Tollgate, executor tollgate, planner apollo',
    description: `tollgate start, executor: tollgate, planner: apollo, ${NO_DEDUPE}`,
  },
  'tollgate-exec+subgraph-dedupe': {
    kind: 'tollgate',
    dedupe: 'subgraph',
    executor: 'tollgate',
    planner: 'apollo',
    label: 'Tollgate, executor tollgate, planner apollo',
    description: `tollgate start, executor: tollgate, planner: apollo, ${SUBGRAPH_DEDUPE}`,
  },
  'tollgate-exec+dedupe': {
    kind: 'tollgate',
    dedupe: 'inbound+subgraph',
    executor: 'tollgate',
    planner: 'apollo',
    label: 'Tollgate, executor tollgate, planner apollo',
    description: `tollgate start, executor: tollgate, planner: apollo, ${BOTH_DEDUPE}`,
  },
  'tollgate-exec+policies': {
    kind: 'tollgate',
    dedupe: 'none',
    executor: 'tollgate',
    planner: 'apollo',
    policies: 'memory',
    label: 'Tollgate, executor tollgate, planner apollo, every policy on',
    description: `as tollgate-exec (no dedupe), plus ${POLICIES}; memory store`,
  },
  'tollgate-exec-hive': {
    kind: 'tollgate',
    dedupe: 'none',
    executor: 'tollgate',
    planner: 'hive',
    label: 'Tollgate, executor tollgate, planner hive',
    description: `tollgate start, executor: tollgate, planner: hive, ${NO_DEDUPE}`,
  },
  'tollgate-exec-hive+subgraph-dedupe': {
    kind: 'tollgate',
    dedupe: 'subgraph',
    executor: 'tollgate',
    planner: 'hive',
    label: 'Tollgate, executor tollgate, planner hive',
    description: `tollgate start, executor: tollgate, planner: hive, ${SUBGRAPH_DEDUPE}`,
  },
  'tollgate-exec-hive+dedupe': {
    kind: 'tollgate',
    dedupe: 'inbound+subgraph',
    executor: 'tollgate',
    planner: 'hive',
    label: 'Tollgate, executor tollgate, planner hive',
    description: `tollgate start, executor: tollgate, planner: hive, ${BOTH_DEDUPE}`,
  },
  'tollgate-exec-hive+policies': {
    kind: 'tollgate',
    dedupe: 'none',
    executor: 'tollgate',
    planner: 'hive',
    policies: 'memory',
    label: 'Tollgate, executor tollgate, planner hive, every policy on',
    description: `as tollgate-exec-hive (no dedupe), plus ${POLICIES}; memory store`,
  },
  'hive-gateway': {
    kind: 'hive-gateway',
    dedupe: 'none',
    label: 'Hive Gateway + Rust planner',
    description: 'Hive Gateway runtime + @graphql-hive/router-runtime on node:http, subgraph-fetch dedupe turned off (transportEntries *.http deduplicateInflightRequests: false)',
  },
  'hive-gateway+subgraph-dedupe': {
    kind: 'hive-gateway',
    dedupe: 'subgraph',
    label: 'Hive Gateway + Rust planner',
    description: 'Hive Gateway runtime + @graphql-hive/router-runtime on node:http, its defaults (subgraph-fetch dedupe on)',
  },
  'hive-gateway+dedupe': {
    kind: 'hive-gateway',
    dedupe: 'inbound+subgraph',
    label: 'Hive Gateway + Rust planner',
    description: 'as hive-gateway+subgraph-dedupe, plus inboundInflightRequestDeduplication: true',
  },
  'no-gateway': {
    kind: 'no-gateway',
    dedupe: undefined,
    label: 'no gateway: one subgraph, memoized response (HTTP alone)',
    description:
      'the ceiling: a memoizing front (bench/memoServer.ts) on the gateway core answering the reviews subgraph\'s response to the direct query (direct-request.json) from memory',
  },
};

/** The issue table's "dedupe" column. */
export function dedupeLabel(mode: DedupeMode | undefined): string {
  switch (mode) {
    case 'none':
      return 'none';
    case 'subgraph':
      return 'subgraph fetches only';
    case 'inbound+subgraph':
      return 'inbound + subgraph fetches';
    default:
      return '—';
  }
}
