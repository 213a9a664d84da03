// How the plan + execute stages are built (shared by the Apollo-backed engine and Tollgate's own executor).
import type { GraphQLDataSource } from '../apollo';
import type { TollgateContext } from '../pipeline/context';
import type { SchemaState } from '../policy/stage';
import type { FetchInstrumentation } from '../telemetry/instrumentFetch';
import type { RestServices } from '../rest/registry';

export interface EngineOptions {
  /** Called with each loaded supergraph (initial and every hot reload), before it serves requests. */
  onSchema?: (state: SchemaState) => void;
  /** Where each subgraph call is reported (and traced, when tracing is on). */
  fetches?: FetchInstrumentation;
  /** The gateway's REST services, which serve `rest:` routing URLs in-process. */
  rest?: RestServices;
}

/** The data source for one subgraph of the supergraph (REST in-process or HTTP), as both executors call it. */
export type BuildService = (service: { name: string; url?: string }) => GraphQLDataSource<TollgateContext>;
