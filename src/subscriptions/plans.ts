// What one supergraph gives the subscription path: the API schema (validation), @apollo/query-planner plans of
// subscription operations (`Subscription { primary, rest }`), compiled response shapes, the subgraphs' data sources
// for the entity fetches of `rest`, and each subgraph's WebSocket URL. Replaced as a whole on every reload.
import { Supergraph, QueryPlanner, operationFromDocument, type FetchNode, type GraphQLDataSource, type PlanNode } from '../apollo';
import { specifiedRules, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { BuildService } from '../execute/engineOptions';
import { compileShape, type ResponseShape } from '../execute/plan/shape';
import type { TollgateContext } from '../pipeline/context';
import { cacheKey } from '../util/cacheKey';
import { LruCache } from '../util/lru';

const PLAN_CACHE_SIZE = 500;

export interface SubscriptionPlan {
  /** The fetch that opens the subscription on the owning subgraph. */
  primary: FetchNode;
  /** Entity fetches that complete each event (may be absent when one subgraph answers everything). */
  rest?: PlanNode;
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
  private readonly planner: QueryPlanner;
  private readonly plans = new LruCache<string, Prepared>(PLAN_CACHE_SIZE);

  constructor(
    readonly sdl: string,
    buildService: BuildService,
  ) {
    this.supergraph = Supergraph.build(sdl);
    this.apiSchema = this.supergraph.apiSchema().toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(this.supergraph);
    for (const { name, url } of this.supergraph.subgraphsMetadata()) {
      if (!url) continue;
      this.routingUrls.set(name, url);
      this.sources.set(name, buildService({ name, url }));
    }
  }

  /** Validates and plans one subscription operation (the policy-approved text); cached per (query, operation name). */
  prepare(query: string, operationName: string | undefined, document: DocumentNode): Prepared {
    const key = cacheKey(query, operationName);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const prepared = this.build(operationName, document);
    this.plans.set(key, prepared);
    return prepared;
  }

  private build(operationName: string | undefined, document: DocumentNode): Prepared {
    const errors = validate(this.apiSchema, document, specifiedRules);
    if (errors.length > 0) return { ok: false, code: 'GRAPHQL_VALIDATION_FAILED', errors: errors.map((e) => e.toJSON()) };
    try {
      const operation = operationFromDocument(this.supergraph.apiSchema(), document, { operationName });
      const plan = this.planner.buildQueryPlan(operation);
      const node = plan.node as { kind: string; primary?: FetchNode; rest?: PlanNode } | undefined;
      if (!node || node.kind !== 'Subscription' || !node.primary) {
        return { ok: false, code: 'INTERNAL_SERVER_ERROR', errors: [{ message: `The planner made no Subscription node for this operation (got ${node?.kind ?? 'an empty plan'}).` }] };
      }
      return { ok: true, plan: { primary: node.primary, rest: node.rest, shape: compileShape(operation) } };
    } catch (error) {
      return { ok: false, code: 'INTERNAL_SERVER_ERROR', errors: [{ message: (error as Error).message }] };
    }
  }
}

/** A subgraph's subscription URL: configured, else its routing URL with the ws:// (or wss://) scheme. */
export function webSocketUrlFor(routingUrl: string, configured: string | undefined): string {
  if (configured) return configured;
  const url = new URL(routingUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
