// Rover's `${env.NAME}` / `${env.NAME:-default}` / `${file.PATH}` expansion for supergraph.yaml string values.
// Mirrors rover's src/utils/expansion.rs on top of shellexpand::env_with_context; deviations are marked below.

/** What a lookup of one `${…}` / `$…` key found. `absent` leaves the reference as written (or uses the default). */
export type VariableLookup = { kind: 'value'; value: string } | { kind: 'absent' } | { kind: 'error'; message: string };

export class VariableExpansionError extends Error {
  constructor(
    /** The key as written between the braces, e.g. `env.API_TOKEN`. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'VariableExpansionError';
  }
}

export interface RoverLookupContext {
  env: Readonly<Record<string, string | undefined>>;
  /** Anchor for relative `${file.PATH}`. Rover resolves against the working directory; we use the YAML's folder so a
   * config means the same thing from any cwd, as `schema.file` already does. */
  baseDir: string;
  /** Reads a file, or returns undefined when it does not exist (rover then leaves the reference unexpanded). */
  readFile: (absolutePath: string) => string | undefined;
  resolvePath: (baseDir: string, file: string) => string;
}

/** Rover's lookup: only the `env.` and `file.` namespaces exist; any other key is an error, not an empty string. */
export function roverLookup(ctx: RoverLookupContext): (key: string) => VariableLookup {
  return (key) => {
    if (key.startsWith('env.')) {
      const name = key.slice('env.'.length);
      const value = ctx.env[name];
      return value === undefined
        ? { kind: 'error', message: `environment variable ${name} is not set (set it, or write \${env.${name}:-default})` }
        : { kind: 'value', value };
    }
    if (key.startsWith('file.')) {
      const path = ctx.resolvePath(ctx.baseDir, key.slice('file.'.length));
      try {
        const content = ctx.readFile(path);
        return content === undefined ? { kind: 'absent' } : { kind: 'value', value: content };
      } catch (err) {
        return { kind: 'error', message: `cannot read ${path}: ${(err as Error).message}` };
      }
    }
    return {
      kind: 'error',
      message: `invalid variable expansion key "${key}": only \${env.NAME} and \${file.PATH} are supported; write $$ for a literal $`,
    };
  };
}

const NAME_CHAR = /[\p{L}\p{N}_]/u;

/**
 * Expands one string the way shellexpand::env_with_context does: `${key}` and `${key:-default}` (the default is
 * literal, ends at the first `}`, and applies when the key is unset or unreadable, not when it is set to ""),
 * unbraced `$key`, `$$` → `$`, and a `$` followed by anything else or an unclosed `${` is kept as is.
 */
export function expandString(input: string, lookup: (key: string) => VariableLookup): string {
  let out = '';
  let rest = input;
  for (let dollar = rest.indexOf('$'); dollar !== -1; dollar = rest.indexOf('$')) {
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar);
    const next = rest.charAt(1);
    if (next === '{') {
      const close = rest.indexOf('}');
      if (close === -1) {
        out += '${';
        rest = rest.slice(2);
        continue;
      }
      const inner = rest.slice(2, close);
      // shellexpand only splits on `:-` when a key precedes it, so `${:-x}` is a (bad) key, not a default.
      const split = inner.indexOf(':-');
      const key = split > 0 ? inner.slice(0, split) : inner;
      const fallback = split > 0 ? inner.slice(split + 2) : undefined;
      const found = lookup(key);
      if (found.kind === 'value') out += found.value;
      else if (fallback !== undefined) out += fallback;
      else if (found.kind === 'error') throw new VariableExpansionError(key, found.message);
      else out += rest.slice(0, close + 1);
      rest = rest.slice(close + 1);
    } else if (next !== '' && NAME_CHAR.test(next)) {
      let end = 2;
      while (end < rest.length && NAME_CHAR.test(rest.charAt(end))) end++;
      const key = rest.slice(1, end);
      const found = lookup(key);
      if (found.kind === 'error') throw new VariableExpansionError(key, found.message);
      out += found.kind === 'value' ? found.value : rest.slice(0, end);
      rest = rest.slice(end);
    } else {
      out += '$';
      rest = rest.slice(next === '$' ? 2 : 1);
    }
  }
  return out + rest;
}

export type PathSegment = string | number;

/** Expands every string value of a parsed YAML tree (keys untouched, like rover), reporting the path of a failure. */
export function expandTree(
  value: unknown,
  lookup: (key: string) => VariableLookup,
  onError: (path: PathSegment[], error: VariableExpansionError) => void,
  path: PathSegment[] = [],
): unknown {
  if (typeof value === 'string') {
    try {
      return expandString(value, lookup);
    } catch (err) {
      if (err instanceof VariableExpansionError) {
        onError(path, err);
        return value;
      }
      throw err;
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => expandTree(item, lookup, onError, [...path, i]));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a YAML key named `__proto__` stays data instead of a prototype.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandTree(item, lookup, onError, [...path, key])]),
    );
  }
  return value;
}
