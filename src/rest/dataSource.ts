// The gateway's data source for a REST subgraph: executes the planner's subgraph operation against the in-process
// schema (no HTTP hop), with the client request's context so DataLoaders are per request. Never throws.
import { type GraphQLDataSource, type GraphQLDataSourceProcessOptions, INCOMING_OPERATION, type GatewayGraphQLResponse } from '../apollo';
import { execute, parse, validate, type DocumentNode, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { TollgateContext } from '../pipeline/context';
import { LruCache } from '../util/lru';
import { droppedErrorsError } from '../execute/subgraphResponse';
import type { RestService } from './service';

/** The planner sends a small fixed set of operations per supergraph; parse and validate each once. */
const DOCUMENT_CACHE_SIZE = 500;

export class RestSubgraphDataSource implements GraphQLDataSource<TollgateContext> {
  private readonly documents = new LruCache<string, DocumentNode | GraphQLFormattedError[]>(DOCUMENT_CACHE_SIZE);

  constructor(
    readonly name: string,
    private readonly service: RestService,
    /** `traffic.maxErrorsPerResponse`: a list of bad items must not hand the gateway one error per item. */
    private readonly maxErrors: number,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<TollgateContext>): Promise<GatewayGraphQLResponse> {
    const { query, variables, operationName } = options.request;
    try {
      const document = this.document(query ?? '');
      if (Array.isArray(document)) return { errors: document };
      const incoming = options.kind === INCOMING_OPERATION ? options.incomingRequestContext.context : undefined;
      const result = await execute({
        schema: this.service.schema,
        document,
        variableValues: variables,
        operationName,
        contextValue: this.service.contextFor(incoming),
      });
      return { data: result.data as GatewayGraphQLResponse['data'], ...(result.errors ? { errors: this.bounded(result.errors) } : {}) };
    } catch (error) {
      // A bug here must not take the gateway down; the rest of the query still answers.
      return { errors: [{ message: `REST subgraph "${this.name}" failed: ${(error as Error).message}`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    }
  }

  private bounded(errors: ReadonlyArray<GraphQLError>): GraphQLFormattedError[] {
    if (errors.length <= this.maxErrors) return errors.map((error) => error.toJSON());
    const kept = errors.slice(0, this.maxErrors).map((error) => error.toJSON());
    kept.push(droppedErrorsError(this.name, errors.length, this.maxErrors));
    return kept;
  }

  private document(query: string): DocumentNode | GraphQLFormattedError[] {
    let cached = this.documents.get(query);
    if (cached === undefined) {
      try {
        const document = parse(query);
        const errors = validate(this.service.schema, document);
        cached = errors.length > 0 ? errors.map((error) => error.toJSON()) : document;
      } catch (error) {
        cached = [{ message: (error as Error).message }];
      }
      this.documents.set(query, cached);
    }
    return cached;
  }
}
