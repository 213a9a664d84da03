// One REST description file → a checked RestDescription, or every problem with its line and column. Used by
// composition (tollgate compose, rover mode) and again by the gateway when it loads the file. No I/O, no env.
import { buildSubgraphSchema } from '../apollo';
import { GraphQLError, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileIfConnectors } from './connectors/compile';
import { readRestDirectives, type ConnectorSpec, type RestProblem, type RestSourceSpec } from './description';
import { assignEntityKeys, readFederationFacts, validateConnectors, type FederationFacts } from './validate';

export interface RestDescription {
  /** The SDL with Tollgate's directives blanked out: what composition and the in-process schema see. */
  compositionSdl: string;
  typeDefs: DocumentNode;
  sources: RestSourceSpec[];
  connectors: ConnectorSpec[];
  facts: FederationFacts;
}

export type CompileResult = { ok: true; description: RestDescription } | { ok: false; problems: RestProblem[] };

export function compileRestDescription(sdl: string): CompileResult {
  // An Apollo Connectors SDL (connect spec) is translated to this model first; positions stay the file's.
  const translated = compileIfConnectors(sdl, compileRestDescription);
  if (translated) return translated;
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch (error) {
    return { ok: false, problems: problemsOf(error) };
  }
  const read = readRestDirectives(sdl, document);
  if (read.problems.length > 0) return { ok: false, problems: sorted(read.problems) };

  const typeDefs = parse(read.compositionSdl);
  let schema: GraphQLSchema;
  try {
    schema = buildSubgraphSchema(typeDefs);
  } catch (error) {
    return { ok: false, problems: problemsOf(error) };
  }
  const facts = readFederationFacts(typeDefs);
  const connectors = assignEntityKeys(read.connectors, facts);
  const problems = validateConnectors(schema, facts, read.sources, connectors);
  if (problems.length > 0) return { ok: false, problems: sorted(problems) };
  return { ok: true, description: { compositionSdl: read.compositionSdl, typeDefs, sources: read.sources, connectors, facts } };
}

/** "pricing.graphql:12:5: Product.price @rest: unknown source \"prices\"", one line per problem. */
export function formatProblems(file: string, problems: readonly RestProblem[]): string {
  return problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n');
}

function sorted(problems: RestProblem[]): RestProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** graphql-js and @apollo/subgraph throw one GraphQLError, or an error holding several (`errors`). */
function problemsOf(error: unknown): RestProblem[] {
  const errors = (error as { errors?: unknown }).errors;
  const list = Array.isArray(errors) && errors.length > 0 ? errors : [error];
  return list.map((e) => {
    const location = e instanceof GraphQLError ? e.locations?.[0] : undefined;
    return { message: e instanceof Error ? e.message : String(e), line: location?.line ?? 1, column: location?.column ?? 1 };
  });
}
