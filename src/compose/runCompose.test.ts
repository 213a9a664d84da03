// `tollgate compose` (src/cli/compose.ts): exit codes, what it prints, and the output file it writes.
// Lives here because src/cli/ belongs to the CLI owner; it only drives runCompose through its public signature.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompose } from '../cli/compose';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

function captureIo() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-runcompose-'));
  writeFileSync(join(dir, 'products.graphql'), fixture('products.graphql'));
  writeFileSync(join(dir, 'reviews.graphql'), fixture('reviews.graphql'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(reviewsSdlFile = 'reviews.graphql'): string {
  const path = join(dir, 'rover.yaml');
  writeFileSync(
    path,
    `federation_version: 2
subgraphs:
  products:
    routing_url: http://products:4001/graphql
    schema: { file: products.graphql }
  reviews:
    routing_url: http://reviews:4002/graphql
    schema: { file: ${reviewsSdlFile} }
`,
  );
  return path;
}

describe('runCompose', () => {
  it('writes the supergraph (creating folders, no temp file left) and prints a one-line summary', async () => {
    const output = join(dir, 'out', 'supergraph.graphql');
    const { io, out } = captureIo();
    expect(await runCompose({ config: writeConfig(), output }, io)).toBe(0);
    expect(readFileSync(output, 'utf8')).toContain('type Product');
    expect(readdirSync(join(dir, 'out'))).toEqual(['supergraph.graphql']);
    expect(out.stdout).toBe(`composed 2 subgraphs (products, reviews) → ${output} (0 hints)\n`);
    expect(out.stderr).toBe('');
  });

  it('prints hints as warnings and still succeeds', async () => {
    // Int in one subgraph, Int! in the other: compatible, so a hint rather than an error.
    writeFileSync(join(dir, 'products.graphql'), fixture('products.graphql').replace('price: Int', 'price: Int @shareable'));
    writeFileSync(
      join(dir, 'reviews.graphql'),
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
type Product @key(fields: "id") { id: ID! price: Int! @shareable }`,
    );
    const { io, out } = captureIo();
    expect(await runCompose({ config: writeConfig(), output: join(dir, 'supergraph.graphql') }, io)).toBe(0);
    expect(out.stderr).toMatch(/^warning: \[INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE\] Type of field "Product.price"/);
    expect(out.stdout).toContain('(1 hint)');
  });

  it('groups errors per subgraph with their codes, returns 1 and leaves the old output alone', async () => {
    writeFileSync(join(dir, 'broken.graphql'), 'type Product @key(fields: "id") {');
    const output = join(dir, 'supergraph.graphql');
    writeFileSync(output, 'previous');
    const { io, out } = captureIo();
    expect(await runCompose({ config: writeConfig('broken.graphql'), output }, io)).toBe(1);
    expect(out.stderr).toMatch(
      /^error: composing .*rover\.yaml failed with 1 error:\n {2}subgraph "reviews":\n {4}INVALID_GRAPHQL: Syntax Error: .* \(at .*broken\.graphql:1:34\)\n$/,
    );
    expect(out.stdout).toBe('');
    expect(readFileSync(output, 'utf8')).toBe('previous');
  });

  it('returns 1 for a missing config file', async () => {
    const { io, out } = captureIo();
    const output = join(dir, 'supergraph.graphql');
    expect(await runCompose({ config: join(dir, 'nope.yaml'), output }, io)).toBe(1);
    expect(out.stderr).toContain('supergraph config:\n    INVALID_SUPERGRAPH_CONFIG: cannot read');
    expect(existsSync(output)).toBe(false);
  });

  it('composes @authenticated into a supergraph the gateway loads, keeping the directive for Tollgate', async () => {
    writeFileSync(
      join(dir, 'products.graphql'),
      fixture('products.graphql')
        .replace('federation/v2.3", import: ["@key", "@shareable"]', 'federation/v2.5", import: ["@key", "@shareable", "@authenticated"]')
        .replace('products: [Product!]!', 'products: [Product!]! @authenticated'),
    );
    const output = join(dir, 'supergraph.graphql');
    const { io, out } = captureIo();
    expect(await runCompose({ config: writeConfig(), output }, io)).toBe(0);
    expect(out.stderr).not.toContain('would refuse');
    const written = readFileSync(output, 'utf8');
    expect(written).toMatch(/products: \[Product!\]![^\n]*@authenticated/);
    expect(written).not.toContain('for: SECURITY');
  });
});
