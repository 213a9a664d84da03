// supergraph.yaml parsing: every source kind, variable expansion, relative paths, strict keys, rover's own errors.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRAPHREF_UNSUPPORTED, loadRoverConfig, parseRoverConfig, RoverConfigError } from './roverConfig';

const baseDir = '/work/graphs';
const parse = (text: string, env: Record<string, string> = {}) => parseRoverConfig(text, { baseDir, env });

function issuesOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parse(text, env);
  } catch (err) {
    if (err instanceof RoverConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseRoverConfig', () => {
  it('reads every supported source kind', () => {
    const config = parse(`
federation_version: =2.9.3
subgraphs:
  products:
    routing_url: http://localhost:4001/graphql
    schema:
      file: ./products/schema.graphql
  reviews:
    schema:
      subgraph_url: http://localhost:4002/graphql
      introspection_headers:
        Authorization: Bearer abc
  inline:
    routing_url: http://localhost:4003/graphql
    schema:
      sdl: "type Query { hello: String }"
`);
    expect(config).toEqual({
      federationVersion: { major: 2, exact: '2.9.3', raw: '=2.9.3' },
      subgraphs: [
        {
          name: 'products',
          routingUrl: 'http://localhost:4001/graphql',
          schema: { kind: 'file', file: join(baseDir, 'products/schema.graphql') },
        },
        {
          name: 'reviews',
          routingUrl: undefined,
          schema: {
            kind: 'subgraph_url',
            subgraphUrl: 'http://localhost:4002/graphql',
            introspectionHeaders: { Authorization: 'Bearer abc' },
          },
        },
        {
          name: 'inline',
          routingUrl: 'http://localhost:4003/graphql',
          schema: { kind: 'sdl', sdl: 'type Query { hello: String }' },
        },
      ],
    });
  });

  it.each([
    ['2', { major: 2, raw: '2' }],
    ['"2"', { major: 2, raw: '2' }],
    ['latest-2', { major: 2, raw: 'latest-2' }],
    ['v2.4.7', { major: 2, exact: '2.4.7', raw: 'v2.4.7' }],
  ])('accepts federation_version %s', (version, expected) => {
    const config = parse(`federation_version: ${version}\nsubgraphs:\n  a:\n    routing_url: http://a\n    schema: { sdl: "type Query { a: Int }" }\n`);
    expect(config.federationVersion).toEqual(expected);
  });

  it.each([
    ['1', /Federation 1; Tollgate composes Federation 2 only/],
    ['=0.37.0', /Federation 1/],
    ['3', /Federation 3/],
    ['2.9.3', /not a federation version/],
  ])('rejects federation_version %s', (version, message) => {
    const issues = issuesOf(`federation_version: ${version}\nsubgraphs:\n  a:\n    routing_url: http://a\n    schema: { sdl: "type Query { a: Int }" }\n`);
    expect(issues).toEqual([expect.stringMatching(/^federation_version: /)]);
    expect(issues[0]).toMatch(message);
  });

  it('expands ${env.NAME} and defaults in every string value, keys untouched', () => {
    const config = parse(
      `
subgraphs:
  products:
    routing_url: \${env.PRODUCTS_URL}
    schema:
      subgraph_url: http://\${env.HOST:-localhost}:4001/graphql
      introspection_headers:
        Router-Authorization: \${env.PRODUCTS_AUTHORIZATION:-test}
        \${env.NOT_A_KEY}: kept
`,
      { PRODUCTS_URL: 'https://products.internal/graphql' },
    );
    expect(config.subgraphs[0]).toEqual({
      name: 'products',
      routingUrl: 'https://products.internal/graphql',
      schema: {
        kind: 'subgraph_url',
        subgraphUrl: 'http://localhost:4001/graphql',
        introspectionHeaders: { 'Router-Authorization': 'test', '${env.NOT_A_KEY}': 'kept' },
      },
    });
  });

  it('names the missing variable and where it is used', () => {
    const issues = issuesOf(`
subgraphs:
  products:
    routing_url: http://localhost:4001
    schema:
      subgraph_url: http://localhost:4001
      introspection_headers:
        Authorization: Bearer \${env.PRODUCTS_TOKEN}
`);
    expect(issues).toEqual([
      expect.stringMatching(
        /^subgraphs\.products\.schema\.introspection_headers\.Authorization: environment variable PRODUCTS_TOKEN is not set/,
      ),
    ]);
  });

  it('resolves ${file.…} against the config folder', () => {
    const config = parseRoverConfig(
      'subgraphs:\n  a:\n    routing_url: ${file.url.txt}\n    schema: { sdl: "type Query { a: Int }" }\n',
      { baseDir, env: {}, readFile: (path) => (path === join(baseDir, 'url.txt') ? 'http://from-file' : undefined) },
    );
    expect(config.subgraphs[0].routingUrl).toBe('http://from-file');
  });

  it('reports unknown keys with their full path', () => {
    const issues = issuesOf(`
federation_versoin: 2
subgraphs:
  products:
    routing_url: http://localhost:4001
    rooting_url: typo
    schema:
      file: products.graphql
      introspection_headers: { A: b }
`);
    expect(issues.sort()).toEqual([
      'federation_versoin: unknown key',
      'subgraphs.products.rooting_url: unknown key',
      'subgraphs.products.schema.introspection_headers: unknown key',
    ]);
  });

  it('explains that graphref sources need GraphOS', () => {
    const issues = issuesOf(`
subgraphs:
  products:
    schema:
      graphref: my-graph@current
      subgraph: products
`);
    expect(issues).toEqual([`subgraphs.products.schema: ${GRAPHREF_UNSUPPORTED}`]);
  });

  it('needs exactly one schema source', () => {
    expect(issuesOf('subgraphs:\n  a:\n    routing_url: http://a\n    schema: {}\n')).toEqual([
      'subgraphs.a.schema: needs exactly one of file, subgraph_url, sdl',
    ]);
    expect(issuesOf('subgraphs:\n  a:\n    routing_url: http://a\n    schema: { file: a.graphql, sdl: "x" }\n')).toEqual([
      'subgraphs.a.schema: has file and sdl; use exactly one of file, subgraph_url, sdl',
    ]);
  });

  it('requires routing_url unless subgraph_url can supply it, like rover', () => {
    expect(issuesOf('subgraphs:\n  a:\n    schema: { file: a.graphql }\n')).toEqual([
      'subgraphs.a.routing_url: is required for schema.file sources (only schema.subgraph_url can supply it)',
    ]);
    expect(issuesOf('subgraphs:\n  a:\n    schema: { sdl: "type Query { a: Int }" }\n')).toEqual([
      'subgraphs.a.routing_url: is required for schema.sdl sources (only schema.subgraph_url can supply it)',
    ]);
  });

  it('checks types and URLs', () => {
    expect(issuesOf('subgraphs:\n  a:\n    schema: { subgraph_url: "localhost:4001" }\n')).toEqual([
      'subgraphs.a.schema.subgraph_url: must be an absolute http(s) URL',
    ]);
    expect(
      issuesOf('subgraphs:\n  a:\n    routing_url: 4001\n    schema: { subgraph_url: "http://a", introspection_headers: { X-Version: 2 } }\n'),
    ).toEqual([
      expect.stringMatching(/^subgraphs\.a\.routing_url: Invalid input: expected string/),
      expect.stringMatching(/^subgraphs\.a\.schema\.introspection_headers\.X-Version: Invalid input: expected string/),
    ]);
    expect(issuesOf('subgraphs: {}\n')).toEqual(['subgraphs: must list at least one subgraph']);
    expect(issuesOf('federation_version: 2\n')).toEqual([expect.stringMatching(/^subgraphs: /)]);
  });

  it('reports YAML syntax errors and non-mapping documents', () => {
    expect(issuesOf('subgraphs:\n  a: [unclosed\n')[0]).toMatch(/^YAML: /);
    expect(issuesOf('subgraphs:\n  a: 1\n  a: 2\n')[0]).toMatch(/^YAML: Map keys must be unique/);
    expect(issuesOf('- just a list\n')).toEqual(['(root): must be a mapping with a `subgraphs` key']);
  });
});

describe('loadRoverConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tollgate-rover-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('anchors schema.file at the YAML file, not the working directory', () => {
    const path = join(dir, 'rover.yaml');
    writeFileSync(path, 'subgraphs:\n  a:\n    routing_url: http://a\n    schema:\n      file: ./schemas/a.graphql\n');
    const config = loadRoverConfig(path, {});
    expect(config.subgraphs[0].schema).toEqual({ kind: 'file', file: join(dir, 'schemas', 'a.graphql') });
  });

  it('says which file it could not read', () => {
    const path = join(dir, 'missing.yaml');
    expect(() => loadRoverConfig(path, {})).toThrow(RoverConfigError);
    expect(() => loadRoverConfig(path, {})).toThrow(`cannot read ${path}`);
  });
});
