// Shapes real APIs have, against a real REST server on 127.0.0.1: interfaces and unions resolved from a
// discriminator in the answer (mapped to __typename), a cursor connection driven by the Link header, offset/limit
// pages, and an API answering 200 with an error envelope (a success rule turns it into a coded error).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { composeFromRoverConfig } from '../src/compose/compose';
import { compileRestDescription, formatProblems } from '../src/rest/compile';
import { postJson, startTestGateway, tempDir } from './harness';

const ITEMS = [
  { kind: 'book', id: 'b1', title: 'Dune', pages: 412 },
  { kind: 'film', id: 'f1', title: 'Alien', minutes: 117 },
  { kind: 'book', id: 'b2', title: 'Solaris', pages: 204 },
  { kind: 'podcast', id: 'p1', title: 'Unknown kind' },
];

const KNOWN = ITEMS.slice(0, 3);

function answer(url: URL): { status: number; headers?: Record<string, string>; body: unknown } {
  if (url.pathname === '/media') {
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 2);
    const page = KNOWN.slice(start, start + limit);
    const headers: Record<string, string> = start + limit < KNOWN.length ? { link: `<${url.origin}/media?cursor=${start + limit}&limit=${limit}>; rel="next"` } : {};
    return { status: 200, headers, body: { ok: true, items: page } };
  }
  if (url.pathname === '/search') {
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    return { status: 200, body: { ok: true, items: KNOWN.slice(offset, offset + limit), total: KNOWN.length } };
  }
  if (url.pathname === '/odd') return { status: 200, body: { ok: true, items: ITEMS.slice(3) } };
  if (url.pathname === '/locked') return { status: 200, body: { ok: false, error: { code: 'account_locked', message: 'the account is locked' } } };
  return { status: 404, body: { ok: false, error: { code: 'not_found', message: url.pathname } } };
}

const MEDIA = 'node: { __typename: kind->match(["book", "Book"], ["film", "Film"], [@, @]) id title pages minutes }';
const description = (baseURL: string) => `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key"])
  @link(url: "https://specs.tollgate.dev/rest/v0.1", import: ["@restSource", "@rest"])
  @restSource(name: "media", baseURL: "${baseURL}", errors: { success: "$.ok", message: "$.error.message", code: "$.error.code" })

interface Media { id: ID! title: String! }
type Book implements Media { id: ID! title: String! pages: Int }
type Film implements Media { id: ID! title: String! minutes: Int }
union Hit = Book | Film
type MediaEdge { node: Media! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type MediaConnection { edges: [MediaEdge!]! pageInfo: PageInfo! }
type HitPage { items: [Hit!]! total: Int! hasMore: Boolean! }

type Query {
  media(first: Int = 2, after: String): MediaConnection
    @rest(
      source: "media"
      http: { GET: "/media?limit={$args.first}&cursor={$args.after}" }
      selection: """
      edges: $.items { ${MEDIA} }
      pageInfo: {
        hasNextPage: $response.headers.link->parseLinkHeader->has("next")
        endCursor: $response.headers.link->parseLinkHeader.next.query.cursor
      }
      """
    )
  search(offset: Int = 0, limit: Int = 2): HitPage
    @rest(
      source: "media"
      http: { GET: "/search?offset={$args.offset}&limit={$args.limit}" }
      selection: """
      items: $.items { __typename: kind->match(["book", "Book"], ["film", "Film"]) id title pages minutes }
      total: $.total
      hasMore: $.total->gt($args.offset->add($args.limit))
      """
    )
  odd: [Media!] @rest(source: "media", http: { GET: "/odd" }, selection: """$.items { ${MEDIA.slice('node: { '.length, -2)} }""")
  locked: String @rest(source: "media", http: { GET: "/locked" }, selection: "$.value")
}
`;

let server: Server;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  server = createServer((req, res) => {
    const reply = answer(new URL(req.url ?? '/', `http://${req.headers.host}`));
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = tempDir('tollgate-rest-shapes-');
  writeFileSync(join(dir, 'media.graphql'), description(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  writeFileSync(join(dir, 'rover.yaml'), 'subgraphs:\n  media:\n    routing_url: rest:media.graphql\n    schema:\n      file: ./media.graphql\n');
  const composed = await composeFromRoverConfig(join(dir, 'rover.yaml'), {});
  if (!composed.ok) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  gateway = await startTestGateway(composed.supergraphSdl, { rest: { baseDir: dir } });
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const gql = (query: string) => postJson(gateway.url, { query });

it('resolves an interface from the answer\'s discriminator, and follows a Link-header cursor connection', async () => {
  const query = (after: string) =>
    `{ media(first: 2${after}) { edges { node { __typename id title ... on Book { pages } ... on Film { minutes } } } pageInfo { hasNextPage endCursor } } }`;
  const first = await gql(query(''));
  expect(first.json).toEqual({
    data: {
      media: {
        edges: [{ node: { __typename: 'Book', id: 'b1', title: 'Dune', pages: 412 } }, { node: { __typename: 'Film', id: 'f1', title: 'Alien', minutes: 117 } }],
        pageInfo: { hasNextPage: true, endCursor: '2' },
      },
    },
  });
  const second = await gql(query(', after: "2"'));
  expect(second.json.data.media).toEqual({ edges: [{ node: { __typename: 'Book', id: 'b2', title: 'Solaris', pages: 204 } }], pageInfo: { hasNextPage: false, endCursor: null } });
});

it('resolves a union in an offset/limit page, computing hasMore from the total', async () => {
  const reply = await gql('{ search(offset: 1, limit: 1) { total hasMore items { __typename ... on Film { title minutes } ... on Book { title } } } }');
  expect(reply.json).toEqual({ data: { search: { total: 3, hasMore: true, items: [{ __typename: 'Film', title: 'Alien', minutes: 117 }] } } });
  expect((await gql('{ search(offset: 2, limit: 1) { hasMore } }')).json.data.search.hasMore).toBe(false);
});

it('a discriminator that names no possible type is REST_MAPPING_ERROR naming it', async () => {
  const reply = await gql('{ odd { id } }');
  expect(reply.json.data).toEqual({ odd: null });
  expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_MAPPING_ERROR' });
  expect(reply.json.errors[0].extensions.detail).toBe('[0].__typename: expected one of Book, Film for Media, got string "podcast"');
});

it('a 200 answer whose success rule is false is REST_UPSTREAM_ERROR with the envelope\'s message and code', async () => {
  const reply = await gql('{ locked }');
  expect(reply.json.data).toEqual({ locked: null });
  expect(reply.json.errors[0].message).toBe('REST source "media" answered HTTP 200 with an error (its success rule is not true): the account is locked (Query.locked)');
  expect(reply.json.errors[0].extensions).toMatchObject({ code: 'REST_UPSTREAM_ERROR', upstreamStatus: 200, upstreamCode: 'account_locked' });
});

it('load-time checks: an abstract type needs __typename mapped, and names only its types\' fields', () => {
  const problems = (sdl: string) => {
    const result = compileRestDescription(sdl);
    return result.ok ? '' : formatProblems('media.graphql', result.problems);
  };
  const base = description('http://127.0.0.1:1');
  expect(problems(base)).toBe('');
  expect(problems(base.replace('items: $.items { __typename: kind->match(["book", "Book"], ["film", "Film"]) id', 'items: $.items { id'))).toMatch(
    /^media\.graphql:\d+:\d+: Query\.search @rest: selection: Hit is an interface or union: map __typename to one of Book, Film/,
  );
  expect(problems(base.replace('id title pages minutes }\n      total', 'id title pages minutes isbn }\n      total'))).toMatch(/selection: no type of Hit \(Book, Film\) has a field "isbn"/);
});
