// Composition's view of a REST description: check it (every problem with its line), blank Tollgate's directives out
// of the SDL @apollo/composition sees, and route the subgraph to `rest:<file>#<hash>` so the gateway serves it
// in-process. Other subgraphs pass through untouched.
import { relative } from 'node:path';
import type { ComposeError } from '../compose/compositionErrors';
import { compileRestDescription } from './compile';
import { isConnectorsSdl } from './connectors/compile';
import { mentionsRestSpec } from './description';
import { isRestRoutingUrl, parseRestRoutingUrl, restRoutingUrl } from './routingUrl';

/** Code of a composition error about a REST description (load-time problems: unknown source, bad path variable…). */
export const INVALID_REST_DESCRIPTION = 'INVALID_REST_DESCRIPTION';

export interface RestComposeInput {
  name: string;
  url: string;
  sdl: string;
  /** Absolute path of the SDL file, when it came from one (rover.yaml `schema.file`). */
  file?: string;
}

export type RestComposeOutcome = { kind: 'not-rest' } | { kind: 'rest'; url: string; sdl: string } | { kind: 'invalid'; errors: ComposeError[] };

/**
 * A REST description's routing URL names its file relative to `baseDir` (rover.yaml's folder) plus a hash of its
 * content; without a file, the input's own `rest:` URL is kept (its path part) and must be given.
 */
export function prepareRestSubgraph(input: RestComposeInput, baseDir: string): RestComposeOutcome {
  if (!mentionsRestSpec(input.sdl) && !isConnectorsSdl(input.sdl)) return { kind: 'not-rest' };
  const compiled = compileRestDescription(input.sdl);
  if (!compiled.ok) {
    return {
      kind: 'invalid',
      errors: compiled.problems.map((problem) => ({
        subgraph: input.name,
        code: INVALID_REST_DESCRIPTION,
        // The location is structured (printed once, by the formatter), not repeated in the message.
        message: problem.message,
        locations: [{ subgraph: input.name, line: problem.line, column: problem.column }],
      })),
    };
  }
  let path: string;
  if (input.file) path = relative(baseDir, input.file);
  else if (isRestRoutingUrl(input.url)) path = parseRestRoutingUrl(input.url).path;
  else {
    return {
      kind: 'invalid',
      errors: [{ subgraph: input.name, code: INVALID_REST_DESCRIPTION, message: 'a REST description must come from a schema.file (or be given a rest:<path> routing URL)' }],
    };
  }
  return { kind: 'rest', url: restRoutingUrl(path, input.sdl), sdl: compiled.description.compositionSdl };
}
