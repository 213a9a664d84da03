// Path templates of REST connectors: "/v1/prices/{$this.sku}/history?page={$args.page}" → parsed once at load,
// expanded per call. Each `{…}` is an expression of the mapping language (selection.ts), e.g.
// `{$args.ids->joinNotNull(",")}` or `{$config.version}`. Pure: no I/O. Documented in docs/rest.md ("Path
// templates"); how values are encoded (and which are refused) is encode.ts's job.
import { encodePathValue, encodeQueryValue, isDotSegment, UnsafeValueError } from './encode';
import { evaluateExpression, expressionVariables, parseExpression, SelectionSyntaxError, type Expr } from './selection';

/** Where a template variable reads from: arguments, the parent object, a batch's keys, source config, the caller. */
export type VariableNamespace = '$args' | '$this' | '$batch' | '$config' | '$context';

export interface TemplateVariable {
  namespace: VariableNamespace;
  /** Property path after the namespace, e.g. ["input", "id"] for $args.input.id; may be empty for `$batch`. */
  path: string[];
  /** Offset of the `{` in the template, for error messages. */
  offset: number;
}

/** `variable` is the first variable the expression reads (for messages); `expression` is what is evaluated. */
type Part = { kind: 'text'; text: string } | { kind: 'variable'; variable: TemplateVariable; expression?: Expr; text?: string };

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

const NAMESPACES: readonly string[] = ['$args', '$this', '$batch', '$config', '$context'];

/** Parses a template; throws TemplateError naming the offending text. */
export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith('/')) throw new TemplateError(`path "${source}" must start with "/" (it is appended to the source's baseURL)`, 0);
  const queryStart = indexOutsideBraces(source, '?');
  const pathText = queryStart === -1 ? source : source.slice(0, queryStart);
  const path = parseParts(pathText, 0);
  const query: PathTemplate['query'] = [];
  if (queryStart !== -1) {
    let offset = queryStart + 1;
    for (const pair of splitOutsideBraces(source.slice(queryStart + 1), '&')) {
      if (pair !== '') {
        const eq = pair.indexOf('=');
        const name = eq === -1 ? pair : pair.slice(0, eq);
        if (name === '' || name.includes('{')) throw new TemplateError(`query parameter names must be literal text, got "${pair}"`, offset);
        query.push({ name, value: eq === -1 ? [] : parseParts(pair.slice(eq + 1), offset + eq + 1) });
      }
      offset += pair.length + 1;
    }
  }
  const variables = [...path, ...query.flatMap((q) => q.value)].flatMap((part) => (part.kind === 'variable' ? variablesOf(part) : []));
  return { source, path, query, variables };
}

/** Where `ch` first appears outside `{…}` (an expression may hold "?" or "&" in a string), or -1. */
function indexOutsideBraces(text: string, ch: string, from = 0): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') {
      const end = matchingBrace(text, i);
      if (end === -1) return -1;
      i = end;
    } else if (text[i] === ch) return i;
  }
  return -1;
}

function splitOutsideBraces(text: string, ch: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let at = indexOutsideBraces(text, ch); at !== -1; at = indexOutsideBraces(text, ch, start)) {
    parts.push(text.slice(start, at));
    start = at + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/** A header value with `{…}` expressions ("Bearer {$config.token}"); `${env.X}` is left as text for load-time expansion. */
export interface ValueTemplate {
  source: string;
  parts: Part[];
  variables: TemplateVariable[];
}

export function parseValueTemplate(source: string): ValueTemplate {
  const parts = parseParts(source, 0, true);
  return { source, parts, variables: parts.flatMap((part) => (part.kind === 'variable' ? variablesOf(part) : [])) };
}

/** Expands a header value template: values as text (not percent-encoded; the caller checks what a header can carry). */
export function expandValueTemplate(template: ValueTemplate, values: TemplateValues, mapText: (text: string) => string = (text) => text): string {
  return template.parts.map((part) => (part.kind === 'text' ? mapText(part.text) : render(part, values, (text) => text) ?? '')).join('');
}

function variablesOf(part: Extract<Part, { kind: 'variable' }>): TemplateVariable[] {
  if (!part.expression) return [part.variable];
  return expressionVariables(part.expression, part.variable.offset).flatMap((found) =>
    NAMESPACES.includes(found.root) ? [{ namespace: found.root as VariableNamespace, path: found.keys, offset: part.variable.offset }] : [],
  );
}

function parseParts(text: string, base: number, keepDollarBraces = false): Part[] {
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
    const end = matchingBrace(text, open);
    if (end === -1) throw new TemplateError('unclosed "{"', base + open);
    if (keepDollarBraces && text[open - 1] === '$') {
      // `${env.NAME}`: expanded when the gateway loads the file, not an expression.
      parts.push({ kind: 'text', text: text.slice(rest, end + 1) });
      rest = end + 1;
      continue;
    }
    if (open > rest) parts.push({ kind: 'text', text: text.slice(rest, open) });
    parts.push(parseVariablePart(text.slice(open + 1, end), base + open));
    rest = end + 1;
  }
  return parts;
}

/** The `}` closing the `{` at `open`, skipping braces and quotes inside the expression (`{$args.a->echo({ b: @ })}`). */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

function parseVariablePart(inside: string, offset: number): Part {
  let expression: Expr;
  try {
    expression = parseExpression(inside);
  } catch (error) {
    if (!(error instanceof SelectionSyntaxError)) throw error;
    throw new TemplateError(`{${inside.trim()}}: ${error.message}`, offset + 1 + error.offset);
  }
  const first = expressionVariables(expression, offset)[0];
  if (first && !NAMESPACES.includes(first.root)) {
    throw new TemplateError(`{${inside.trim()}} reads ${first.root}: a template can use ${NAMESPACES.join(', ')}`, offset);
  }
  if (first && first.root !== '$batch' && first.keys.length === 0) throw new TemplateError(`"{${inside.trim()}}" must name a property, e.g. {${first.root}.id}`, offset);
  const variable: TemplateVariable = first ? { namespace: first.root as VariableNamespace, path: first.keys, offset } : { namespace: '$args', path: [], offset };
  return { kind: 'variable', variable, expression, text: inside.trim() };
}

/** Values the variables read from at call time. `$batch` holds one object per entity in the batch. */
export interface TemplateValues {
  $args?: Record<string, unknown>;
  $this?: Record<string, unknown>;
  $batch?: ReadonlyArray<Record<string, unknown>>;
  /** tollgate.yaml `rest.sources.<source>.config`. */
  $config?: Readonly<Record<string, unknown>>;
  /** The caller (see RestContext in service.ts). */
  $context?: Readonly<Record<string, unknown>>;
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
      const rendered = render(value[0], values, encodeQueryValue);
      if (rendered !== undefined) pairs.push(`${name}=${rendered}`);
      continue;
    }
    pairs.push(value.length === 0 ? name : `${name}=${value.map((part) => (part.kind === 'text' ? part.text : render(part, values, encodeQueryValue) ?? '')).join('')}`);
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
      const value = render(part, values, encodePathValue);
      if (value === undefined) throw new MissingValueError(`${describePart(part)} is null; the path needs a value`);
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
  return [variable.namespace, ...variable.path].join('.');
}

function describePart(part: Extract<Part, { kind: 'variable' }>): string {
  return part.text ?? describe(part.variable);
}

/**
 * Encoded text for one `{…}`, or undefined when its value is null or an empty list. A list (`{$batch.sku}`, a list
 * argument) is every non-null element, each encoded, joined by commas.
 */
function render(part: Extract<Part, { kind: 'variable' }>, values: TemplateValues, encode: (text: string, what: string) => string): string | undefined {
  const what = describePart(part);
  const value = part.expression ? evaluateExpression(part.expression, values) : readPath(values[part.variable.namespace], part.variable.path);
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const all = value.filter((item) => item !== undefined && item !== null);
    return all.length === 0 ? undefined : all.map((item) => encode(scalarText(item), what)).join(',');
  }
  return encode(scalarText(value), what);
}

function readPath(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function scalarText(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
