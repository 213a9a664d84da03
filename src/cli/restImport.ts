// `tollgate rest import <openapi.yaml|json|url> --name <source> [--out file]`: writes a starting REST description
// from an OpenAPI document (src/rest/openapi/), checks that it compiles, and lists what it left out.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileRestDescription, formatProblems } from '../rest/compile';
import { generateRestDescription } from '../rest/openapi/generate';
import { loadOpenApiDocument } from '../rest/openapi/load';
import { commandHelp } from './help';

export interface RestImportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd?: string;
}

const defaultIo: RestImportIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** `tollgate rest <subcommand> …`; returns the exit status. */
export async function runRestCommand(args: string[], io: RestImportIo = defaultIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'import') {
    io.err(`${subcommand ? `unknown subcommand "rest ${subcommand}"` : 'missing subcommand'}\n\n${commandHelp('rest')}\n`);
    return 1;
  }
  const { values, positionals } = parseArgs({ args: rest, options: { name: { type: 'string' }, out: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1 || !values.name) {
    io.err(`usage: ${commandHelp('rest').split('\n')[0].replace(/^usage: /, '')}\n`);
    return 1;
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(values.name)) {
    io.err(`--name must be letters, digits, "_", "-" or "." (it names the @restSource), got ${JSON.stringify(values.name)}\n`);
    return 1;
  }
  const { document, url } = await loadOpenApiDocument(positionals[0], io.cwd);
  const generated = generateRestDescription(document, { name: values.name, documentUrl: url });
  if (values.out) writeFileSync(values.out, generated.sdl);
  else io.out(generated.sdl);
  for (const note of generated.notes) io.err(`note: ${note}\n`);
  const compiled = compileRestDescription(generated.sdl);
  if (!compiled.ok) {
    // A bug of the importer, not of the document: say so, with the file written for the report.
    io.err(`the generated description does not load (please report it):\n${formatProblems(values.out ?? '<stdout>', compiled.problems)}\n`);
    return 1;
  }
  if (values.out) io.err(`wrote ${values.out}: add it to rover.yaml with routing_url: rest:${values.out}\n`);
  return 0;
}
