// How the gateway finds and loads REST descriptions: a supergraph names each REST subgraph with a `rest:` routing URL
// (`rest:<file relative to rover.yaml>#<content hash>`, written by composition); before a supergraph is swapped in,
// prepare() loads and checks every such file, so a broken one keeps the last good supergraph serving.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type GraphQLDataSource } from '../apollo';
import { Kind, parse } from 'graphql';
import type { HeaderPlan } from '../execute/headerRules';
import { ConnectionPools } from '../execute/httpClient';
import { InflightDeduper } from '../execute/inflight';
import { compileRestDescription, formatProblems } from './compile';
import { RestSubgraphDataSource } from './dataSource';
import { RestService } from './service';
import type { RestAnswer } from './upstream';
import { compileSourceConfig } from './sourceConfig';
import type { RestSourceConfig } from './config';
import { displayPath, isRestRoutingUrl, parseRestRoutingUrl, REST_URL_SCHEME, restContentHash } from './routingUrl';

export { isRestRoutingUrl } from './routingUrl';

/** Every `rest:` subgraph of a supergraph SDL: its name and routing URL (from `@join__graph`). */
export function restSubgraphsOf(supergraphSdl: string): Array<{ name: string; url: string }> {
  if (!supergraphSdl.includes(`"${REST_URL_SCHEME}`)) return [];
  const found: Array<{ name: string; url: string }> = [];
  for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (name: string) => {
        const node = graph?.arguments?.find((a) => a.name.value === name)?.value;
        return node?.kind === Kind.STRING ? node.value : undefined;
      };
      const url = arg('url');
      if (url && isRestRoutingUrl(url)) found.push({ name: arg('name') ?? value.name.value.toLowerCase(), url });
    }
  }
  return found;
}

export interface RestServicesOptions {
  /** Relative `rest:` paths resolve against this folder: rover.yaml's folder, or `rest.baseDir` (default cwd). */
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** tollgate.yaml header rules for a subgraph. */
  headerPlan: (subgraph: string) => HeaderPlan;
  requestIdHeader: string;
  /**
   * tollgate.yaml `traffic` for a REST subgraph: size of its sources' answers, errors kept, and — as caps on what the
   * file asks for — timeout and connections; `dedupe` shares identical GETs in flight across requests.
   */
  responseLimits: (subgraph: string) => { maxResponseSize: number; maxErrorsPerResponse: number; timeout?: number; connections?: number; dedupe?: boolean };
  /** tollgate.yaml `rest.sources`: per source name, `$config`, header rules, headers `$context` may read. */
  sources?: Readonly<Record<string, RestSourceConfig>>;
  /** `authentication.forwardClaims`: claims sent to every subgraph as headers, REST sources included. */
  claimHeaders?: Readonly<Record<string, string>>;
}

/** The loaded REST subgraphs of one gateway. */
export class RestServices {
  private services = new Map<string, RestService>();
  private readonly pools = new ConnectionPools();
  /** GETs in flight, by call key (origin, path, every header but the request id): shared by this gateway's requests. */
  private readonly gets = new InflightDeduper<RestAnswer>();

  constructor(private readonly options: RestServicesOptions) {}

  /** Loads and checks every REST description the supergraph names; throws one error listing every problem. */
  prepare(supergraphSdl: string): void {
    const next = new Map<string, RestService>();
    const problems: string[] = [];
    for (const { name, url } of restSubgraphsOf(supergraphSdl)) {
      try {
        next.set(url, this.services.get(url) ?? this.load(name, url));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (problems.length > 0) throw new Error(`REST description${problems.length > 1 ? 's' : ''} cannot be loaded:\n${problems.join('\n')}`);
    this.services = next;
  }

  /** The data source for a `rest:` subgraph of the last prepared supergraph. */
  dataSource(name: string, url: string): GraphQLDataSource {
    const service = this.services.get(url);
    if (!service) throw new Error(`REST subgraph "${name}" (${url}) was not prepared before the supergraph was loaded`);
    return new RestSubgraphDataSource(name, service, this.options.responseLimits(name).maxErrorsPerResponse);
  }

  async close(): Promise<void> {
    this.services.clear();
    await this.pools.close();
  }

  private load(name: string, url: string): RestService {
    const { path, hash } = parseRestRoutingUrl(url);
    const file = isAbsolute(path) ? path : resolve(this.options.baseDir, path);
    const shown = displayPath(file);
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`subgraph "${name}": cannot read its REST description ${shown} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); relative rest: paths resolve against ${this.options.baseDir}`);
    }
    if (hash !== undefined && hash !== restContentHash(content)) {
      throw new Error(`${shown}: changed since the supergraph was composed (subgraph "${name}"); compose again (tollgate compose) so the supergraph matches it`);
    }
    const compiled = compileRestDescription(content);
    if (!compiled.ok) throw new Error(formatProblems(shown, compiled.problems));
    const traffic = this.options.responseLimits(name);
    const settings = new Map(compiled.description.sources.map((source) => [source.name, compileSourceConfig(this.options.sources?.[source.name], this.options.claimHeaders)]));
    return new RestService({
      trafficTimeoutMs: traffic.timeout,
      trafficConnections: traffic.connections,
      dedupe: traffic.dedupe ? this.gets : undefined,
      sourceConfig: (source) => settings.get(source) ?? compileSourceConfig(undefined, this.options.claimHeaders),
      subgraph: name,
      file,
      description: compiled.description,
      env: this.options.env,
      pools: this.pools,
      headerPlan: this.options.headerPlan(name),
      requestIdHeader: this.options.requestIdHeader,
      maxResponseSize: traffic.maxResponseSize,
    });
  }
}

/** The data source of a `rest:` subgraph, from the gateway's own REST services (the engine's buildService calls it). */
export function restDataSource(services: RestServices | undefined, name: string, url: string): GraphQLDataSource {
  if (!services) throw new Error(`subgraph "${name}" is a REST subgraph (${url}), but this gateway has no REST services`);
  return services.dataSource(name, url);
}
