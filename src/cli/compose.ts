// `tollgate compose`: rover supergraph.yaml → supergraph SDL file. Printing and the atomic write live here;
// composing is src/compose/compose.ts, and the gateway-load check is src/compose/validateSupergraph.ts.

import { composeFromRoverConfig, labelBySource, type ComposeError, type ResolvedSource } from '../compose/compose';
import { formatComposeError } from '../compose/compositionErrors';
import { validateSupergraphSdl } from '../compose/validateSupergraph';
import { writeAtomically } from '../util/atomicWrite';

export interface ComposeArgs {
  /** @default rover.yaml */
  config?: string;
  /** @default supergraph/supergraph.graphql */
  output?: string;
}

interface TextSink {
  write(chunk: string): unknown;
}

export interface ComposeIo {
  stdout: TextSink;
  stderr: TextSink;
}

const DEFAULT_CONFIG = 'rover.yaml';
const DEFAULT_OUTPUT = 'supergraph/supergraph.graphql';

function groupTitle(error: ComposeError): string {
  if (error.subgraph !== undefined) return `subgraph "${error.subgraph}"`;
  if (error.subgraphs) return `subgraphs ${error.subgraphs.map((s) => `"${s}"`).join(', ')}`;
  return error.code === 'INVALID_SUPERGRAPH_CONFIG' ? 'supergraph config' : 'supergraph';
}

function formatError(error: ComposeError, sources: ReadonlyMap<string, ResolvedSource>): string {
  // Point file-backed subgraphs at their file so editors can jump there; others by subgraph name.
  return `    ${formatComposeError(error, labelBySource([...sources.values()]))}\n`;
}

function printErrors(errors: readonly ComposeError[], sources: readonly ResolvedSource[], io: ComposeIo): void {
  const byName = new Map(sources.map((s) => [s.name, s]));
  const groups = new Map<string, ComposeError[]>();
  for (const error of errors) {
    const title = groupTitle(error);
    groups.set(title, [...(groups.get(title) ?? []), error]);
  }
  for (const [title, group] of groups) {
    io.stderr.write(`  ${title}:\n`);
    for (const error of group) io.stderr.write(formatError(error, byName));
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Composes `config` into `output`; returns the exit code (0 ok, 1 on any error). Never throws. */
export async function runCompose(
  args: ComposeArgs,
  io: ComposeIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const config = args.config ?? DEFAULT_CONFIG;
  const output = args.output ?? DEFAULT_OUTPUT;
  try {
    const result = await composeFromRoverConfig(config);
    for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
    if (!result.ok) {
      io.stderr.write(`error: composing ${config} failed with ${plural(result.errors.length, 'error')}:\n`);
      printErrors(result.errors, result.sources, io);
      return 1;
    }
    for (const hint of result.hints) io.stderr.write(`warning: [${hint.code}] ${hint.message}\n`);

    // Composition also accepts directives the gateway refuses to load (e.g. @authenticated); catch that here,
    // not when `start` reads the file.
    const verdict = validateSupergraphSdl(result.supergraphSdl);
    if (!verdict.ok) {
      io.stderr.write(`error: ${config} composed, but @apollo/gateway would refuse the supergraph: ${verdict.message}\n`);
      return 1;
    }

    await writeAtomically(output, result.supergraphSdl);
    const names = result.sources.map((s) => s.name).join(', ');
    io.stdout.write(
      `composed ${plural(result.sources.length, 'subgraph')} (${names}) → ${output}` +
        ` (${plural(result.hints.length, 'hint')})\n`,
    );
    return 0;
  } catch (err) {
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
