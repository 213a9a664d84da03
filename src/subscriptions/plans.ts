// What one supergraph gives the subscription path: the API schema (validation), plans of subscription operations by
// the configured planner (@apollo/query-planner: `Subscription { primary, rest }`; Hive's Rust planner:
// `Sequence[Subscription { primary }, …rest]`), compiled response shapes, the subgraphs' data sources for the entity
// fetches of `rest`, and each subgraph's WebSocket URL. Replaced as a whole on every reload.
import { Supergraph, QueryPlanner, operationFromDocument, type GraphQLDataSource, type PlanNode } from '../apollo';
import { specifiedRules, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { BuildService } from '../execute/engineOptions';
import { fromHiveSubscriptionPlan } from '../execute/plan/hivePlan';
import { HivePlanner } from '../execute/plan/hivePlanner';
import { fromApolloNode, type ExecNode } from '../execute/plan/planNodes';
import { compileShape, type ResponseShape } from '../execute/plan/shape';
import type { TollgateContext } from '../pipeline/context';
import { cacheKey } from '../util/cacheKey';
import { LruCache } from '../util/lru';

const PLAN_CACHE_SIZE = 500;

/** The fetch that opens the subscription on the owning subgraph (both planners' primaries have these fields). */
export interface PrimaryFetch {
  serviceName: string;
  operation: string;
  operationName?: string;
  variableUsages?: readonly string[];
}

export interface SubscriptionPlan {
  primary: PrimaryFetch;
  /** Entity fetches that complete each event, in the executor's form (absent when one subgraph answers everything). */
  rest?: ExecNode;
  shape: ResponseShape;
}

export type Prepared = { ok: true; plan: SubscriptionPlan } | { ok: false; code: 'GRAPHQL_VALIDATION_FAILED' | 'INTERNAL_SERVER_ERROR'; errors: GraphQLFormattedError[] };

export class SupergraphPlans {
  readonly apiSchema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  readonly sources = new Map<string, GraphQLDataSource<TollgateContext>>();
  /** Subgraph name → routing URL (http(s)://). */
  readonly routingUrls = new Map<string, string>();
  private readonly supergraph: Supergraph;
  private readonly planner?: QueryPlanner;
  private readonly hive?: HivePlanner;
  private readonly plans = new LruCache<string, Prepared>(PLAN_CACHE_SIZE);

  constructor(
    readonly sdl: string,
    buildService: BuildService,
    planner: 'apollo' | 'hive' = 'apollo',
  ) {
    this.supergraph = Supergraph.build(sdl);
    this.apiSchema = this.supergraph.apiSchema().toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    // The planner queries use: with `planner: hive`, subscriptions are planned by Hive's too.
    if (planner === 'hive') this.hive = new HivePlanner(sdl);
    else this.planner = new QueryPlanner(this.supergraph);
    for (const { name, url } of this.supergraph.subgraphsMetadata()) {
      if (!url) continue;
      this.routingUrls.set(name, url);
      this.sources.set(name, buildService({ name, url }));
    }
  }

  /** Validates and plans one subscription operation (the policy-approved text); cached per (query, operation name). */
  async prepare(query: string, operationName: string | undefined, document: DocumentNode): Promise<Prepared> {
    const key = cacheKey(query, operationName);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const prepared = await this.build(operationName, document);
    this.plans.set(key, prepared);
    return prepared;
  }

  private async build(operationName: string | undefined, document: DocumentNode): Promise<Prepared> {
    const errors = validate(this.apiSchema, document, specifiedRules);
    if (errors.length > 0) return { ok: false, code: 'GRAPHQL_VALIDATION_FAILED', errors: errors.map((e) => e.toJSON()) };
    try {
      const operation = operationFromDocument(this.supergraph.apiSchema(), document, { operationName });
      const shape = compileShape(operation);
      if (this.hive) {
        const raw = await this.hive.raw(document, operationName);
        const planned = fromHiveSubscriptionPlan(raw);
        if (!planned) return noSubscriptionNode((raw.node as { kind?: string } | undefined)?.kind);
        return { ok: true, plan: { ...planned, shape } };
      }
      const node = this.planner!.buildQueryPlan(operation).node as { kind: string; primary?: PrimaryFetch; rest?: PlanNode } | undefined;
      if (!node || node.kind !== 'Subscription' || !node.primary) return noSubscriptionNode(node?.kind);
      return { ok: true, plan: { primary: node.primary, rest: node.rest ? fromApolloNode(node.rest) : undefined, shape } };
    } catch (error) {
      return { ok: false, code: 'INTERNAL_SERVER_ERROR', errors: [{ message: (error as Error).message }] };
    }
  }
}

function noSubscriptionNode(kind: string | undefined): Prepared {
  return { ok: false, code: 'INTERNAL_SERVER_ERROR', errors: [{ message: `The planner made no Subscription node for this operation (got ${kind ?? 'an empty plan'}).` }] };
}

/** A subgraph's subscription URL: configured, else its routing URL with the ws:// (or wss://) scheme. */
export function webSocketUrlFor(routingUrl: string, configured: string | undefined): string {
  if (configured) return configured;
  const url = new URL(routingUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
