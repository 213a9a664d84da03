// HTTP behaviour of serveSubgraph against a tiny schema: GraphQL-over-HTTP happy paths, every rejection a client can
// provoke, and that close() does not wait for idle keep-alive sockets.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { serveSubgraph, type SubgraphServer } from './serveSubgraph';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: {
        type: GraphQLString,
        args: { name: { type: GraphQLString } },
        resolve: (_source: unknown, args: { name?: string | null }) => `hello ${args.name ?? 'world'}`,
      },
      later: { type: GraphQLString, resolve: async () => 'later' },
      boom: {
        type: GraphQLString,
        resolve: () => {
          throw new Error('boom');
        },
      },
    },
  }),
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: { touch: { type: GraphQLString, resolve: () => 'touched' } },
  }),
});

interface Reply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; locations?: unknown }[] };
}

let server: SubgraphServer;

beforeAll(async () => {
  server = await serveSubgraph({ name: 'tiny', schema, documentCacheSize: 2, maxBodyBytes: 1024 });
});

afterAll(() => server.close());

async function send(init: RequestInit & { path?: string }): Promise<Reply> {
  const url = init.path === undefined ? server.url : server.url.replace('/graphql', init.path);
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Reply['body'] };
}

function post(body: string, contentType = 'application/json'): Promise<Reply> {
  return send({ method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('serveSubgraph', () => {
  test('answers a POSTed query, with its url on 127.0.0.1', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/graphql`);
    const query = 'query Q($n: String) { hello(name: $n) }';
    const reply = await post(JSON.stringify({ query, variables: { n: 'x' } }));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.body).toEqual({ data: { hello: 'hello x' } });
  });

  test('waits for asynchronous resolvers and reports resolver errors as GraphQL errors', async () => {
    const reply = await post(JSON.stringify({ query: '{ later boom }' }));
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({ later: 'later', boom: null });
    expect(reply.body.errors?.[0].message).toBe('boom');
  });

  test('picks the operation by operationName', async () => {
    const query = 'query A { hello } query B { later }';
    expect((await post(JSON.stringify({ query, operationName: 'B' }))).body).toEqual({ data: { later: 'later' } });
  });

  test('answers GET with query, variables and operationName in the query string', async () => {
    const params = new URLSearchParams({
      query: 'query Q($n: String) { hello(name: $n) }',
      variables: JSON.stringify({ n: 'get' }),
      operationName: 'Q',
    });
    const reply = await send({ method: 'GET', path: `/graphql?${params.toString()}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { hello: 'hello get' } });
  });

  test('refuses mutations over GET but runs them over POST', async () => {
    const viaGet = await send({ method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { touch }')}` });
    expect(viaGet.status).toBe(405);
    expect(viaGet.headers.get('allow')).toBe('POST');
    expect((await post(JSON.stringify({ query: 'mutation { touch }' }))).body).toEqual({ data: { touch: 'touched' } });
  });

  test.each([
    ['bad JSON', '{"query": ', 'Request body is not valid JSON'],
    ['a JSON array', '[]', 'Request body must be a JSON object with a "query" string'],
    ['no query', '{}', 'Missing "query" string'],
    ['array variables', '{"query":"{ hello }","variables":[]}', '"variables" must be an object'],
    ['numeric operationName', '{"query":"{ hello }","operationName":1}', '"operationName" must be a string'],
  ])('answers 400 with a GraphQL error body for %s', async (_case, body, message) => {
    const reply = await post(body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ errors: [{ message }] });
  });

  test('answers GET without a query, or with unparsable variables, with 400', async () => {
    expect((await send({ method: 'GET' })).status).toBe(400);
    const reply = await send({ method: 'GET', path: '/graphql?query=%7Bhello%7D&variables=%7B' });
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].message).toBe('"variables" parameter is not valid JSON');
  });

  test('reports parse and validation errors in the body with status 200 (application/json)', async () => {
    const parseError = await post(JSON.stringify({ query: '{ hello' }));
    expect(parseError.status).toBe(200);
    expect(parseError.body.errors?.[0].message).toMatch(/^Syntax Error/);
    expect(parseError.body.errors?.[0].locations).toEqual([{ line: 1, column: 8 }]);
    const invalid = await post(JSON.stringify({ query: '{ nope }' }));
    expect(invalid.status).toBe(200);
    expect(invalid.body.errors?.[0].message).toBe('Cannot query field "nope" on type "Query".');
    // Cached error answers must stay the same on a second hit.
    expect((await post(JSON.stringify({ query: '{ nope }' }))).body).toEqual(invalid.body);
  });

  test('keeps answering correctly when the document cache evicts', async () => {
    for (const name of ['a', 'b', 'c', 'a', 'd', 'b']) {
      const reply = await post(JSON.stringify({ query: `{ hello(name: "${name}") }` }));
      expect(reply.body).toEqual({ data: { hello: `hello ${name}` } });
    }
  });

  test('rejects other content types, paths, methods and oversized bodies', async () => {
    expect((await post('query=%7Bhello%7D', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await send({ method: 'GET', path: '/other' })).status).toBe(404);
    const put = await send({ method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    const tooLarge = await post(JSON.stringify({ query: `{ hello(name: "${'x'.repeat(2000)}") }` }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.errors?.[0].message).toBe('Request body exceeds 1024 bytes');
  });

  test('survives malformed HTTP and keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    expect((await post(JSON.stringify({ query: '{ hello }' }))).body).toEqual({ data: { hello: 'hello world' } });
  });

  test('close() also drops idle keep-alive connections instead of waiting ~65s for them', async () => {
    const own = await serveSubgraph({ name: 'own', schema });
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const headers = { 'content-type': 'application/json' };
      const req = request(own.url, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ hello }' }));
    });
    expect(status).toBe(200);
    // The agent now holds an idle socket; without closeAllConnections() this would outlive the test timeout.
    await own.close();
    await own.close(); // idempotent
    agent.destroy();
  }, 10_000);
});
