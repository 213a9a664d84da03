// fetchSubgraphSdl against a real HTTP server on 127.0.0.1: the happy path and each way a subgraph can fail us.

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startSdlServer, type SdlServer } from './fixtures/sdlServer';
import { fetchSubgraphSdl, SERVICE_SDL_QUERY, SubgraphSdlFetchError } from './fetchSubgraphSdl';

const SDL = 'type Query { hello: String }';

let server: SdlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(promise: Promise<unknown>): Promise<SubgraphSdlFetchError> {
  const err: unknown = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!(err instanceof SubgraphSdlFetchError)) throw err;
  return err;
}

/** A port that was just free: nothing listens there, so connecting is refused. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('fetchSubgraphSdl', () => {
  it('POSTs the _service query as JSON with the introspection headers and returns the SDL', async () => {
    server = await startSdlServer({ sdl: SDL });
    const sdl = await fetchSubgraphSdl(server.url, { headers: { Authorization: 'Bearer t0ken', 'X-Extra': 'yes' } });
    expect(sdl).toBe(SDL);
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer t0ken');
    expect(request.headers['x-extra']).toBe('yes');
    expect(JSON.parse(request.body)).toEqual({ query: SERVICE_SDL_QUERY });
  });

  it('says the subgraph is unreachable when nothing listens', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/graphql`;
    const err = await failure(fetchSubgraphSdl(url));
    expect(err.reason).toBe('unreachable');
    expect(err.message).toContain(url);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('reports a non-JSON body', async () => {
    server = await startSdlServer((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>not graphql</html>');
    });
    const err = await failure(fetchSubgraphSdl(server.url));
    expect(err.reason).toBe('not_json');
    expect(err.message).toContain('<html>not graphql</html>');
  });

  it('reports a non-200 status with the body', async () => {
    server = await startSdlServer((res) => {
      res.writeHead(503);
      res.end('upstream down');
    });
    const err = await failure(fetchSubgraphSdl(server.url));
    expect(err).toMatchObject({ reason: 'http_status', status: 503 });
    expect(err.message).toContain('HTTP 503 (body: upstream down)');
  });

  it('reports GraphQL errors, e.g. from a server that is not a subgraph', async () => {
    server = await startSdlServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Cannot query field "_service" on type "Query".' }] }));
    });
    const err = await failure(fetchSubgraphSdl(server.url));
    expect(err.reason).toBe('graphql_errors');
    expect(err.message).toContain('Cannot query field "_service"');
  });

  it('reports a response without data._service.sdl', async () => {
    server = await startSdlServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { _service: null } }));
    });
    expect((await failure(fetchSubgraphSdl(server.url))).reason).toBe('missing_sdl');
  });

  it('gives up after the timeout', async () => {
    server = await startSdlServer(() => {
      // Never answer.
    });
    const err = await failure(fetchSubgraphSdl(server.url, { timeoutMs: 200 }));
    expect(err.reason).toBe('timeout');
    expect(err.message).toContain('200 ms');
  });
});
