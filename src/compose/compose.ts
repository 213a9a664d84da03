// Local supergraph composition with @apollo/composition: from in-memory subgraph SDLs, or from a rover
// supergraph.yaml whose sources we read/fetch. Never throws for a bad schema or source; failures come back as data.

import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { composeServices, COMPOSITION_VERSION } from '../apollo';
// The version that actually composes, to compare with a pinned `federation_version`.
import { GraphQLError, parse, Source, type DocumentNode } from 'graphql';
import { describeCompositionErrors, describeHint, type ComposeError, type ComposeHint } from './compositionErrors';
import { fetchSubgraphSdl, SubgraphSdlFetchError } from './fetchSubgraphSdl';
import { loadRoverConfig, RoverConfigError, type RoverConfig, type RoverSubgraph } from './roverConfig';
import { prepareRestSubgraph } from '../rest/composeRest';
import { relaxTollgateEnforcedLinks } from './securityLinks';

export type { ComposeError, ComposeHint, ErrorLocation } from './compositionErrors';

/** Codes this module adds to Apollo's composition codes; they describe getting the inputs, not the schemas. */
export const COMPOSE_ERROR_CODES = {
  /** supergraph.yaml is unreadable or invalid. */
  INVALID_SUPERGRAPH_CONFIG: 'INVALID_SUPERGRAPH_CONFIG',
  /** A `schema.file` could not be read. */
  SCHEMA_FILE_UNREADABLE: 'SCHEMA_FILE_UNREADABLE',
  /** A `schema.subgraph_url` did not return SDL. */
  SUBGRAPH_SDL_FETCH_FAILED: 'SUBGRAPH_SDL_FETCH_FAILED',
  /** Two inputs share a name (composeServices would throw on it). */
  DUPLICATE_SUBGRAPH_NAME: 'DUPLICATE_SUBGRAPH_NAME',
  /** The `transformSdl` hook threw. */
  SDL_TRANSFORM_FAILED: 'SDL_TRANSFORM_FAILED',
  /** @apollo/composition threw instead of returning errors (a bug there, or an input it did not expect). */
  COMPOSITION_CRASHED: 'COMPOSITION_CRASHED',
} as const;

/** Apollo's code for SDL that is not valid GraphQL; we reuse it for syntax errors we catch before composing. */
const INVALID_GRAPHQL = 'INVALID_GRAPHQL';

export interface SubgraphInput {
  name: string;
  /** Routing URL written into the supergraph's join__Graph. */
  url: string;
  sdl: string;
  /** Absolute path of the SDL file, when it came from one; a REST description's routing URL names it (docs/rest.md). */
  file?: string;
}

export type ComposeResult =
  | { ok: true; supergraphSdl: string; hints: ComposeHint[] }
  | { ok: false; errors: ComposeError[] };

export interface ComposeOptions {
  /**
   * Rewrites a subgraph's SDL before it is parsed and composed — the seam for features whose directives
   * @apollo/composition must not see (e.g. REST connectors stripping their own directives). Runs once per subgraph.
   */
  transformSdl?: (name: string, sdl: string) => string;
  /** Folder REST descriptions' `rest:` routing URLs are relative to (rover.yaml's). @default process.cwd() */
  restBaseDir?: string;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function parseSubgraph(input: SubgraphInput, options: ComposeOptions): DocumentNode | ComposeError {
  let sdl = input.sdl;
  if (options.transformSdl) {
    try {
      sdl = options.transformSdl(input.name, sdl);
    } catch (err) {
      return { subgraph: input.name, code: COMPOSE_ERROR_CODES.SDL_TRANSFORM_FAILED, message: errorMessage(err) };
    }
  }
  try {
    // The source is named after the subgraph, so every location in a composition error can say whose SDL it is in.
    return parse(new Source(sdl, input.name));
  } catch (err) {
    const locations = err instanceof GraphQLError ? err.locations : undefined;
    return {
      subgraph: input.name,
      code: INVALID_GRAPHQL,
      message: errorMessage(err),
      ...(locations ? { locations: locations.map((l) => ({ subgraph: input.name, line: l.line, column: l.column })) } : {}),
    };
  }
}

/** Composes subgraphs into a supergraph SDL; every subgraph's syntax errors are reported before any composing. */
export function composeSupergraph(subgraphs: readonly SubgraphInput[], options: ComposeOptions = {}): ComposeResult {
  const errors: ComposeError[] = [];
  const services: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const seen = new Set<string>();
  for (const input of subgraphs) {
    if (seen.has(input.name)) {
      errors.push({ subgraph: input.name, code: COMPOSE_ERROR_CODES.DUPLICATE_SUBGRAPH_NAME, message: 'listed more than once' });
      continue;
    }
    seen.add(input.name);
    // A REST description (src/rest/) is checked, stripped of Tollgate's directives and routed to `rest:<file>`.
    const rest = prepareRestSubgraph(input, options.restBaseDir ?? process.cwd());
    if (rest.kind === 'invalid') {
      errors.push(...rest.errors);
      continue;
    }
    const routed = rest.kind === 'rest' ? { ...input, url: rest.url, sdl: rest.sdl } : input;
    const parsed = parseSubgraph(routed, options);
    if ('kind' in parsed) services.push({ name: input.name, url: routed.url, typeDefs: parsed });
    else errors.push(parsed);
  }
  // Composing without a broken subgraph would report errors caused by its absence, not by the schemas.
  if (errors.length > 0) return { ok: false, errors };

  try {
    const result = composeServices(services);
    if (result.errors) return { ok: false, errors: describeCompositionErrors(result.errors, seen) };
    // Auth links are enforced by Tollgate, not @apollo/gateway: make the supergraph loadable (securityLinks.ts).
    return { ok: true, supergraphSdl: relaxTollgateEnforcedLinks(result.supergraphSdl), hints: result.hints.map(describeHint) };
  } catch (err) {
    return { ok: false, errors: [{ code: COMPOSE_ERROR_CODES.COMPOSITION_CRASHED, message: errorMessage(err) }] };
  }
}

/** Names a location's subgraph by its file when it came from one (editors jump there), else by its name. */
export function labelBySource(sources: readonly ResolvedSource[], cwd = process.cwd()): (subgraph: string) => string {
  const byName = new Map(sources.map((s) => [s.name, s]));
  return (subgraph) => {
    const source = byName.get(subgraph);
    if (source?.kind !== 'file') return subgraph;
    const shown = relative(cwd, source.location);
    return shown.startsWith('..') ? source.location : shown;
  };
}

export interface ResolvedSource {
  name: string;
  kind: 'file' | 'subgraph_url' | 'sdl';
  /** Absolute file path, introspection URL, or `inline`. */
  location: string;
  routingUrl: string;
}

export type RoverComposeResult = ComposeResult & {
  /** One per subgraph in the config, in config order (empty when the config itself is invalid). */
  sources: ResolvedSource[];
  /** Non-fatal notes about the config, e.g. a pinned federation_version we cannot honour exactly. */
  warnings: string[];
};

export interface ComposeFromRoverConfigOptions extends ComposeOptions {
  /** Per subgraph_url request. @default 10000 */
  fetchTimeoutMs?: number;
}


function versionWarnings(config: RoverConfig): string[] {
  const exact = config.federationVersion?.exact;
  return exact !== undefined && exact !== COMPOSITION_VERSION
    ? [
        `federation_version ${config.federationVersion?.raw} is pinned, but Tollgate composes with ` +
          `@apollo/composition ${COMPOSITION_VERSION}; results may differ from rover's`,
      ]
    : [];
}

function describeSource(subgraph: RoverSubgraph): ResolvedSource {
  const { name, schema } = subgraph;
  if (schema.kind === 'file') return { name, kind: 'file', location: schema.file, routingUrl: subgraph.routingUrl ?? '' };
  if (schema.kind === 'sdl') return { name, kind: 'sdl', location: 'inline', routingUrl: subgraph.routingUrl ?? '' };
  return { name, kind: 'subgraph_url', location: schema.subgraphUrl, routingUrl: subgraph.routingUrl ?? schema.subgraphUrl };
}

async function readSourceSdl(subgraph: RoverSubgraph, timeoutMs: number | undefined): Promise<string | ComposeError> {
  const { name, schema } = subgraph;
  switch (schema.kind) {
    case 'sdl':
      return schema.sdl;
    case 'file':
      try {
        return await readFile(schema.file, 'utf8');
      } catch (err) {
        return { subgraph: name, code: COMPOSE_ERROR_CODES.SCHEMA_FILE_UNREADABLE, message: errorMessage(err) };
      }
    case 'subgraph_url':
      try {
        return await fetchSubgraphSdl(schema.subgraphUrl, { headers: schema.introspectionHeaders, timeoutMs });
      } catch (err) {
        const reason = err instanceof SubgraphSdlFetchError ? ` [${err.reason}]` : '';
        return { subgraph: name, code: COMPOSE_ERROR_CODES.SUBGRAPH_SDL_FETCH_FAILED, message: errorMessage(err) + reason };
      }
  }
}

export type RoverSubgraphsResult =
  | { ok: true; subgraphs: SubgraphInput[]; sources: ResolvedSource[]; warnings: string[] }
  | { ok: false; errors: ComposeError[]; sources: ResolvedSource[]; warnings: string[] };

/** Loads a rover supergraph.yaml and gathers every subgraph's SDL (concurrently, like rover), without composing. */
export async function readRoverSubgraphs(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ComposeFromRoverConfigOptions = {},
): Promise<RoverSubgraphsResult> {
  let config: RoverConfig;
  try {
    config = loadRoverConfig(path, env);
  } catch (err) {
    const issues = err instanceof RoverConfigError ? err.issues : [errorMessage(err)];
    return {
      ok: false,
      errors: issues.map((message) => ({ code: COMPOSE_ERROR_CODES.INVALID_SUPERGRAPH_CONFIG, message })),
      sources: [],
      warnings: [],
    };
  }

  const sources = config.subgraphs.map(describeSource);
  const warnings = versionWarnings(config);
  const sdls = await Promise.all(config.subgraphs.map((s) => readSourceSdl(s, options.fetchTimeoutMs)));
  const errors = sdls.filter((sdl): sdl is ComposeError => typeof sdl !== 'string');
  if (errors.length > 0) return { ok: false, errors, sources, warnings };

  const subgraphs = sources.map((source, i) => ({
    name: source.name,
    url: source.routingUrl,
    sdl: sdls[i] as string,
    ...(source.kind === 'file' ? { file: source.location } : {}),
  }));
  return { ok: true, subgraphs, sources, warnings };
}

/** Loads a rover supergraph.yaml, gathers every subgraph's SDL (concurrently, like rover), then composes. */
export async function composeFromRoverConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ComposeFromRoverConfigOptions = {},
): Promise<RoverComposeResult> {
  const read = await readRoverSubgraphs(path, env, options);
  if (!read.ok) return read;
  const { subgraphs, sources, warnings } = read;
  return { ...composeSupergraph(subgraphs, { restBaseDir: dirname(resolve(path)), ...options }), sources, warnings };
}
