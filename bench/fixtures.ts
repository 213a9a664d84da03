// Finds the repo root and the benchmark workload: the POST body to send and the response to expect.
// Prefers ../shared/bench-fixtures next to the repo, else the copy committed in bench/fixtures/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

export interface Workload {
  /** The exact POST /graphql body. */
  body: string;
  /** Where the body came from, for the report. */
  bodySource: string;
  /** The expected response as parsed JSON, or undefined when the first good response will be the reference. */
  expected: unknown;
  expectedSource: string | undefined;
  /** The expected file's exact bytes, to tell whether a gateway serializes identically. */
  expectedText: string | undefined;
}

/** The nearest ancestor of `from` holding a package.json: the repo root whether run from bench/ or dist/bench/. */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export function fixtureDir(repoRoot: string): string {
  const shared = resolve(repoRoot, '..', 'shared', 'bench-fixtures');
  if (existsSync(join(shared, 'request.json')) && existsSync(join(shared, 'expected.json'))) return shared;
  return join(repoRoot, 'bench', 'fixtures');
}

export function loadWorkload(repoRoot: string, queryFile: string | undefined, expectedFile: string | undefined): Workload {
  const fixtures = fixtureDir(repoRoot);
  const bodyPath = queryFile === undefined ? join(fixtures, 'request.json') : resolve(queryFile);
  const raw = readFileSync(bodyPath, 'utf8');
  const body = extname(bodyPath) === '.json' ? checkedJsonBody(raw, bodyPath) : JSON.stringify({ query: raw });

  // The fixture's expected response only describes the fixture's query.
  const expectedPath = expectedFile !== undefined ? resolve(expectedFile) : queryFile === undefined ? join(fixtures, 'expected.json') : undefined;
  if (expectedPath === undefined) return { body, bodySource: bodyPath, expected: undefined, expectedSource: undefined, expectedText: undefined };
  const expectedText = readFileSync(expectedPath, 'utf8');
  return { body, bodySource: bodyPath, expected: parseJson(expectedText, expectedPath), expectedSource: expectedPath, expectedText };
}

function checkedJsonBody(raw: string, path: string): string {
  const parsed = parseJson(raw, path);
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { query?: unknown }).query !== 'string') {
    throw new Error(`${path}: expected a GraphQL request body like {"query": "..."}`);
  }
  return raw.trim();
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
