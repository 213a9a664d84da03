import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileRestDescription } from '../compile';
import { translateConnectors } from './translate';

const HEADER = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.10", import: ["@key"])
  @link(url: "https://specs.apollo.dev/connect/v0.1", import: ["@connect", "@source"])
  @source(name: "api", http: { baseURL: "https://api.example.com/v1/", headers: [{ name: "authorization", value: "Bearer {$env.API_TOKEN}" }] })
`;

function translated(sdl: string) {
  const result = translateConnectors(sdl);
  if (result.kind !== 'translated') throw new Error(JSON.stringify(result));
  return result;
}

describe('translateConnectors', () => {
  it('keeps every line of the file where it was, and every position outside the directives', () => {
    const sdl = `${HEADER}
type Query {
  products(first: Int): [Product]
    @connect(
      source: "api"
      http: { GET: "/products?limit={$args.first}" }
      selection: """
      $.products { id name }
      """
    )
}

type Product { id: ID! name: String }
`;
    const { sdl: out } = translated(sdl);
    const original = sdl.split('\n');
    const lines = out.split('\n');
    // Lines after the directives are identical; the connectors' own lines keep their copied parts.
    expect(lines.slice(original.indexOf('type Product { id: ID! name: String }'), original.length - 1)).toEqual(original.slice(original.indexOf('type Product { id: ID! name: String }'), original.length - 1));
    expect(lines.indexOf('type Product { id: ID! name: String }')).toBe(original.indexOf('type Product { id: ID! name: String }'));
    expect(out).toContain('@source(name: "api", baseURL: "https://api.example.com/v1/", headers: [{ name: "authorization", value: "Bearer ${env.API_TOKEN}" }])');
    expect(out).toContain('@link(url: "https://specs.tollgate.dev/rest/v0.1", import: [{ name: "@rest", as: "@connect" }, { name: "@restSource", as: "@source" }])');
    expect(compileRestDescription(sdl)).toMatchObject({ ok: true, description: { sources: [{ name: 'api', headers: [{ name: 'authorization', value: 'Bearer ${env.API_TOKEN}' }] }] } });
  });

  it('reads namespaced directives when nothing is imported, and the link\'s `as`', () => {
    const sdl = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.10", import: ["@key"])
  @link(url: "https://specs.apollo.dev/connect/v0.1", as: "c")
  @c__source(name: "api", http: { baseURL: "https://api.example.com" })
type Query { hello: String @c__connect(source: "api", http: { GET: "/hello" }, selection: "$") }
`;
    expect(compileRestDescription(sdl)).toMatchObject({ ok: true, description: { connectors: [{ coordinate: 'Query.hello', method: 'GET' }] } });
  });

  it('one source per origin for absolute URLs, shared by connectors of that origin', () => {
    const sdl = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.10", import: ["@key"])
  @link(url: "https://specs.apollo.dev/connect/v0.1", import: ["@connect"])
type Query {
  a: String @connect(http: { GET: "https://a.example.com/x/{$args.id}" }, selection: "$")
  b: String @connect(http: { GET: "https://A.example.com/y" }, selection: "$")
  c: String @connect(http: { GET: "http://c.example.com:8080/z" }, selection: "$")
}
`;
    const compiled = compileRestDescription(sdl.replace('a: String', 'a(id: ID!): String'));
    expect(compiled).toMatchObject({ ok: true });
    if (!compiled.ok) return;
    expect(compiled.description.sources.map((s) => [s.name, s.baseURL])).toEqual([
      ['a.example.com', 'https://a.example.com'],
      ['c.example.com:8080', 'http://c.example.com:8080'],
    ]);
    expect(compiled.description.connectors.map((c) => c.source)).toEqual(['a.example.com', 'a.example.com', 'c.example.com:8080']);
  });

  it('a batched type-level connector (connect/v0.2 $batch, batch.maxSize) keeps its batch size and gets its key', () => {
    const sdl = `${HEADER.replace('connect/v0.1', 'connect/v0.2').replace('federation/v2.10', 'federation/v2.11')}
type Query { top: [Product] @connect(source: "api", http: { GET: "/top" }, selection: "id") }
type Product @connect(source: "api", http: { GET: "/products?ids={$batch.id}" }, batch: { maxSize: 10 }, selection: "$.results { id name }") {
  id: ID!
  name: String
}
`;
    const compiled = compileRestDescription(sdl);
    expect(compiled).toMatchObject({ ok: true, description: { connectors: [{ coordinate: 'Query.top' }, { coordinate: 'Product', kind: 'entity', maxBatchSize: 10 }], facts: {} } });
    expect(translated(sdl).sdl).toContain('extend type Product @key(fields: "id")');
  });

  it('names what it cannot translate, each at its position, and never throws on hostile input', () => {
    const sdl = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.10", import: ["@key"])
  @link(url: "https://specs.apollo.dev/connect/v0.3", import: ["@connect", "@source"])
  @source(name: "api", http: { baseURL: "https://{$config.host}/", path: "$config.prefix" }, isSuccess: "$status")
type Query {
  a: String @connect(http: { GET: "/relative" }, selection: "$")
  b: String @connect(source: "api", http: { GET: "/b", POST: "/b" }, selection: "$")
  c: String @connect(source: "api", http: { GET: "/c" }, selection: "$", surprise: 1)
}
type T { f: String @connect(source: "api", http: { GET: "/f" }, selection: "$", entity: true) }
`;
    const result = compileRestDescription(sdl);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      '4:41: @source(http.baseURL:): {$config.host} is not supported here by Tollgate (only {$env.NAME}, read when the gateway loads the file)',
      '4:68: @source(http.path:) is not supported by Tollgate yet: put the path in baseURL, and the query in each @connect\'s URL template or http.queryParams',
      '6:35: Query.a @connect: without source: "…", GET must be an absolute http(s) URL',
      '7:13: Query.b @connect: http needs exactly one of GET, POST, PUT, PATCH, DELETE with a URL template string',
      '8:74: Query.c @connect: unknown argument "surprise"',
      '10:81: T.f @connect: entity: true is only allowed on fields of Query',
    ]);
    for (const broken of ['', 'extend schema @link(url: "https://specs.apollo.dev/connect/v0.1"', `${sdl}}}}`, sdl.replace(/\)/g, ''), 'type Query { a: String @connect }\nextend schema @link(url: "https://specs.apollo.dev/connect/v0.1")']) {
      expect(() => compileRestDescription(broken)).not.toThrow();
      expect(compileRestDescription(broken).ok).toBe(false);
    }
  });
});

describe('generated damage to a documented Connectors file', () => {
  it('never throws, and every problem points inside the file as written', () => {
    const file = readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'connectors', 'ecomm.graphql'), 'utf8');
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const inserts = ['{', '}', '"', '"""', '$args.', '{$this.id}', '@connect(', 'entity: true', 'https://x.example/', '\n', ')', 'GET: ', '->'];
    for (let round = 0; round < 300; round++) {
      let sdl = file;
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * sdl.length);
        sdl = random() < 0.5 ? sdl.slice(0, at) + sdl.slice(at + 1 + Math.floor(random() * 6)) : sdl.slice(0, at) + inserts[Math.floor(random() * inserts.length)] + sdl.slice(at);
      }
      const lines = sdl.split('\n');
      const result = compileRestDescription(sdl);
      if (result.ok) continue;
      for (const problem of result.problems) {
        expect(problem.line).toBeGreaterThanOrEqual(1);
        expect(problem.line).toBeLessThanOrEqual(lines.length);
        expect(problem.column).toBeGreaterThanOrEqual(1);
        expect(problem.column).toBeLessThanOrEqual(lines[problem.line - 1].length + 1);
      }
    }
  });
});
