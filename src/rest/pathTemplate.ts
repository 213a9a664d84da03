// Path templates of REST connectors: "/v1/prices/{$this.sku}/history?page={$args.page}" → parsed once at load,
// expanded per call. Pure: no I/O. The variable subset is documented in docs/rest.md ("Path templates"); how values
// are encoded (and which are refused) is encode.ts's job.
import { encodePathValue, encodeQueryValue, isDotSegment, UnsafeValueError } from './encode';

/** Where a template variable reads from: field arguments, the parent object, or the keys of a batch. */
export type VariableNamespace = '$args' | '$this' | '$batch';

export interface TemplateVariable {
  namespace: VariableNamespace;
  /** Property path after the namespace, e.g. ["input", "id"] for $args.input.id; never empty. */
  path: string[];
  /** Offset of the `{` in the template, for error messages. */
  offset: number;
}

type Part = { kind: 'text'; text: string } | { kind: 'variable'; variable: TemplateVariable };

export interface PathTemplate {
  source: string;
  /** Parts of the path (before `?`). */
  path: Part[];
  /** Query parameters, in order; a parameter whose value is exactly one variable is omitted when it is null. */
  query: Array<{ name: string; value: Part[] }>;
  variables: TemplateVariable[];
}

export class TemplateError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const NAMESPACES: readonly string[] = ['$args', '$this', '$batch'];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a template; throws TemplateError naming the offending text. */
export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith('/')) throw new TemplateError(`path "${source}" must start with "/" (it is appended to the source's baseURL)`, 0);
  const queryStart = source.indexOf('?');
  const pathText = queryStart === -1 ? source : source.slice(0, queryStart);
  const path = parseParts(pathText, 0);
  const query: PathTemplate['query'] = [];
  if (queryStart !== -1) {
    let offset = queryStart + 1;
    for (const pair of source.slice(queryStart + 1).split('&')) {
      if (pair !== '') {
        const eq = pair.indexOf('=');
        const name = eq === -1 ? pair : pair.slice(0, eq);
        if (name === '' || name.includes('{')) throw new TemplateError(`query parameter names must be literal text, got "${pair}"`, offset);
        query.push({ name, value: eq === -1 ? [] : parseParts(pair.slice(eq + 1), offset + eq + 1) });
      }
      offset += pair.length + 1;
    }
  }
  const variables = [...path, ...query.flatMap((q) => q.value)].flatMap((part) => (part.kind === 'variable' ? [part.variable] : []));
  return { source, path, query, variables };
}

function parseParts(text: string, base: number): Part[] {
  const parts: Part[] = [];
  let rest = 0;
  while (rest < text.length) {
    const open = text.indexOf('{', rest);
    const close = text.indexOf('}', rest);
    if (close !== -1 && (open === -1 || close < open)) throw new TemplateError('unmatched "}"', base + close);
    if (open === -1) {
      parts.push({ kind: 'text', text: text.slice(rest) });
      break;
    }
    if (open > rest) parts.push({ kind: 'text', text: text.slice(rest, open) });
    const end = text.indexOf('}', open);
    if (end === -1) throw new TemplateError('unclosed "{"', base + open);
    parts.push({ kind: 'variable', variable: parseVariable(text.slice(open + 1, end).trim(), base + open) });
    rest = end + 1;
  }
  return parts;
}

function parseVariable(expression: string, offset: number): TemplateVariable {
  const [namespace, ...path] = expression.split('.');
  if (!NAMESPACES.includes(namespace)) {
    throw new TemplateError(`unknown variable "{${expression}}": use $args.<argument>, $this.<field> or $batch.<key field>`, offset);
  }
  if (path.length === 0 || path.some((segment) => !IDENTIFIER.test(segment))) {
    throw new TemplateError(`"{${expression}}" must name a property, e.g. {${namespace}.id}`, offset);
  }
  return { namespace: namespace as VariableNamespace, path, offset };
}

/** Values the variables read from at call time. `$batch` holds one object per entity in the batch. */
export interface TemplateValues {
  $args?: Record<string, unknown>;
  $this?: Record<string, unknown>;
  $batch?: ReadonlyArray<Record<string, unknown>>;
}

/** A variable with no value where the path needs one. */
export class MissingValueError extends Error {}

/**
 * Expands a template to "path?query". Values are percent-encoded by encode.ts's rule, so none can add a segment, a
 * query parameter or a fragment: a path value stays inside its segment, and a segment that would read "." or ".."
 * (or a path value that is empty) is refused with UnsafeValueError. A `$batch` value is every entity's value, each
 * encoded, joined by commas ("a,b,c"); a query parameter made of one null variable is left out.
 */
export function expandPathTemplate(template: PathTemplate, values: TemplateValues): string {
  const out = expandPath(template.path, values);
  const pairs: string[] = [];
  for (const { name, value } of template.query) {
    if (value.length === 1 && value[0].kind === 'variable') {
      const rendered = render(value[0].variable, values, encodeQueryValue);
      if (rendered !== undefined) pairs.push(`${name}=${rendered}`);
      continue;
    }
    pairs.push(value.length === 0 ? name : `${name}=${value.map((part) => (part.kind === 'text' ? part.text : render(part.variable, values, encodeQueryValue) ?? '')).join('')}`);
  }
  return pairs.length > 0 ? `${out}?${pairs.join('&')}` : out;
}

/** The path, segment by segment, so a segment that variables turn into a dot segment is caught whatever its parts. */
function expandPath(parts: readonly Part[], values: TemplateValues): string {
  let out = '';
  let segmentStart = 0;
  let inSegment: TemplateVariable[] = [];
  const endSegment = () => {
    const segment = out.slice(segmentStart);
    if (inSegment.length > 0 && isDotSegment(segment)) {
      throw new UnsafeValueError(`${inSegment.map(describe).join(', ')} would make the path segment "${segment}", which a server resolves as a dot segment`);
    }
  };
  for (const part of parts) {
    if (part.kind === 'variable') {
      const value = render(part.variable, values, encodePathValue);
      if (value === undefined) throw new MissingValueError(`${describe(part.variable)} is null; the path needs a value`);
      out += value;
      inSegment.push(part.variable);
      continue;
    }
    const [first, ...next] = part.text.split('/');
    out += first;
    for (const text of next) {
      endSegment();
      out += '/';
      segmentStart = out.length;
      inSegment = [];
      out += text;
    }
  }
  endSegment();
  return out;
}

export function describe(variable: TemplateVariable): string {
  return `${variable.namespace}.${variable.path.join('.')}`;
}

/** Encoded text for one variable, or undefined when it is null/absent. */
function render(variable: TemplateVariable, values: TemplateValues, encode: (text: string, what: string) => string): string | undefined {
  const what = describe(variable);
  if (variable.namespace === '$batch') {
    const all = (values.$batch ?? []).map((entity) => readPath(entity, variable.path)).filter((value) => value !== undefined && value !== null);
    return all.length === 0 ? undefined : all.map((value) => encode(scalarText(value), what)).join(',');
  }
  const value = readPath(values[variable.namespace], variable.path);
  return value === undefined || value === null ? undefined : encode(scalarText(value), what);
}

function readPath(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function scalarText(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
