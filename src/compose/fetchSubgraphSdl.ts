// Fetches a subgraph's SDL with the federation `{ _service { sdl } }` query (rover's `schema.subgraph_url` source).
// One request, no retries: composition runs at build/reload time, and a clear failure beats a slow one.

import { request, type Dispatcher } from 'undici';

/** The query @apollo/gateway's IntrospectAndCompose sends, so subgraphs that allow-list it answer us too. */
export const SERVICE_SDL_QUERY = 'query __ApolloGetServiceDefinition__ { _service { sdl } }';

export interface FetchSubgraphSdlOptions {
  /** Sent with the request (rover's `introspection_headers`); they may override the JSON content headers. */
  headers?: Record<string, string>;
  /** Whole exchange, connect to last body byte, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** For tests or a shared pool; defaults to undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

export type SubgraphSdlFetchFailure =
  | 'unreachable'
  | 'timeout'
  | 'http_status'
  | 'not_json'
  | 'graphql_errors'
  | 'missing_sdl';

export class SubgraphSdlFetchError extends Error {
  constructor(
    readonly reason: SubgraphSdlFetchFailure,
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SubgraphSdlFetchError';
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const SNIPPET_CHARS = 200;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
}

function graphqlErrorMessages(payload: unknown): string[] | undefined {
  if (payload === null || typeof payload !== 'object' || !('errors' in payload)) return undefined;
  const { errors } = payload;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.map((e: unknown) =>
    e !== null && typeof e === 'object' && 'message' in e && typeof e.message === 'string' ? e.message : String(e),
  );
}

function extractSdl(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || !('data' in payload)) return undefined;
  const { data } = payload;
  if (data === null || typeof data !== 'object' || !('_service' in data)) return undefined;
  const service = data._service;
  return service !== null && typeof service === 'object' && 'sdl' in service ? service.sdl : undefined;
}

/** POSTs the `_service { sdl }` query and returns the SDL; throws SubgraphSdlFetchError saying what went wrong. */
export async function fetchSubgraphSdl(url: string, options: FetchSubgraphSdlOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fail = (reason: SubgraphSdlFetchFailure, message: string, status?: number) =>
    new SubgraphSdlFetchError(reason, url, `${url}: ${message}`, status);

  // undici's own timeouts cover headers and body separately; a single deadline bounds the whole exchange.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...options.headers,
      },
      body: JSON.stringify({ query: SERVICE_SDL_QUERY }),
      signal: abort.signal,
      // A one-off exchange: don't leave a keep-alive socket holding the process (or a test server) open.
      reset: true,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (err) {
    if (abort.signal.aborted) throw fail('timeout', `no complete response within ${timeoutMs} ms`);
    const code = (err as NodeJS.ErrnoException).code;
    throw fail('unreachable', `cannot reach subgraph (${code ?? (err as Error).message})`);
  } finally {
    clearTimeout(timer);
  }

  let payload: unknown;
  let isJson = true;
  try {
    payload = JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (status !== 200) {
    const errors = isJson ? graphqlErrorMessages(payload) : undefined;
    const detail = errors ? `GraphQL errors: ${errors.join('; ')}` : `body: ${snippet(text) || '(empty)'}`;
    throw fail('http_status', `HTTP ${status} (${detail})`, status);
  }
  if (!isJson) throw fail('not_json', `response is not JSON (body: ${snippet(text) || '(empty)'})`, status);

  // Errors beside an SDL mean a partial answer; composing it could silently drop part of the subgraph.
  const errors = graphqlErrorMessages(payload);
  if (errors) throw fail('graphql_errors', `GraphQL errors: ${errors.join('; ')}`, status);
  const sdl = extractSdl(payload);
  if (typeof sdl === 'string' && sdl.trim() !== '') return sdl;
  throw fail(
    'missing_sdl',
    'response has no data._service.sdl; is this a federation subgraph (e.g. built with @apollo/subgraph)?',
    status,
  );
}
