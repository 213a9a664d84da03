// A Connectors SDL is compiled by translating it (translate.ts) and compiling the result as a REST description;
// every problem is then placed back in the file as written. compile.ts calls this first, for any SDL that links
// the connect spec, so composition and the gateway's loading both accept Connectors files unchanged.
import type { RestProblem } from '../description';
import { mentionsConnectSpec, translateConnectors } from './translate';

/** What the REST compiler (../compile.ts) answers; generic here so that this module need not import it. */
type Compiled<T> = { ok: true; description: T } | { ok: false; problems: RestProblem[] };

/** An SDL that @links the connect spec (Apollo Connectors): composition serves it as a REST subgraph. */
export function isConnectorsSdl(sdl: string): boolean {
  return mentionsConnectSpec(sdl) && translateConnectors(sdl).kind !== 'not-connectors';
}

/** Undefined when `sdl` is not a Connectors SDL; else the compiled description or its problems, file positions. */
export function compileIfConnectors<T>(sdl: string, compile: (sdl: string) => Compiled<T>): Compiled<T> | undefined {
  if (!mentionsConnectSpec(sdl)) return undefined;
  const translated = translateConnectors(sdl);
  if (translated.kind === 'not-connectors') return undefined;
  if (translated.kind === 'invalid') return { ok: false, problems: [...translated.problems].sort((a, b) => a.line - b.line || a.column - b.column) };
  const compiled = compile(translated.sdl);
  if (compiled.ok) return compiled;
  const lineStarts = [0];
  for (let i = 0; i < translated.sdl.length; i++) if (translated.sdl.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const problems = compiled.problems.map((problem) => {
    const derived = (lineStarts[problem.line - 1] ?? 0) + problem.column - 1 >= translated.derivedFrom;
    const mapped = translated.map.mapProblem(problem);
    // The REST compiler names its own directives; the file says @connect and @source (or what it imported them as).
    mapped.message = mapped.message.replace(/@restSource\b/g, `@${translated.names.source}`).replace(/@rest\b/g, `@${translated.names.connect}`);
    return derived ? { ...mapped, message: `${mapped.message} (in what Tollgate derives from this connector: an entity connector for entity: true, or a source for an absolute URL)` } : mapped;
  });
  return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
}
