// The mapping language of REST connectors, after Apollo Connectors' (docs/rest.md, "Selections"): turns a JSON
// answer into the GraphQL type's shape, builds request bodies from arguments, and fills `{…}` in paths and headers.
// Parsed once at load into a tree that is only walked per call (no text is parsed per request). Pure.
//
//   sku                           pick a key                    listPrice: { amount: amount_cents }  build a nested object
//   updatedAt: updated_at         rename                        city: address.city                   follow a path
//   items: $.data { id name }     path + sub-selection          $.data { id }                        (top level) unwrap
//   owner: $this.id               value from the parent         page: $args.page                     value from an argument
//   kind: $("book")               a literal                     tags: tags->joinNotNull(",")         a method
//   region: $config.region        tollgate.yaml's source config user: $context.subject               the caller

/** Where a path starts: the current value, a variable, or `@` (the value a method is applied to). */
export type PathRoot = '$' | '$this' | '$args' | '$config' | '$context' | '$batch' | '$response' | '$status' | '@';
const VARIABLES: readonly PathRoot[] = ['$this', '$args', '$config', '$context', '$batch', '$response', '$status'];

/** A step after the root and its leading keys: another key, or a `->method(args)`. */
export type Step = { kind: 'key'; key: string } | { kind: 'method'; name: string; args: Expr[]; offset: number };

/**
 * A path: an optional root (`undefined` = a key of the current value), keys read in turn (lists are mapped over), then
 * further steps. `$(expr)` is the root "literal" with `literal` set.
 */
export interface SelectionPath {
  root: PathRoot | 'literal' | undefined;
  keys: string[];
  steps?: Step[];
  literal?: Expr;
}

/** A value: a path (with an optional sub-selection), an object built from named items, or a JSON literal. */
export type Expr =
  | { kind: 'path'; path: SelectionPath; sub?: NamedItem[] }
  | { kind: 'object'; sub: NamedItem[] }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'array'; items: Expr[] };
export type SelectionValue = Expr;

export interface NamedItem {
  /** The GraphQL field this item fills. */
  name: string;
  value: SelectionValue;
  /** Offset in the selection text, for error messages. */
  offset: number;
}

/** A whole selection: named items over the answer, or (starting with `$`) one path whose value is the result. */
export type Selection = { kind: 'named'; items: NamedItem[] } | { kind: 'path'; path: SelectionPath; sub?: NamedItem[]; offset: number };

export class SelectionSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

// ── methods ───────────────────────────────────────────────────────────────────────────────────────────────────

interface MethodDef {
  /** Allowed argument counts. */
  min: number;
  max: number;
  /** With null or absent input, the answer is null without calling `run` (true for most). */
  nullIn: boolean;
  run(input: unknown, args: readonly Expr[], scope: Scope, where: string): unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const num = (value: unknown, what: string, where: string): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new MappingError(where, `${what} must be a number, got ${describeJson(value)}`);
  return value;
};
const compare = (run: (a: number, b: number) => boolean): MethodDef => ({
  min: 1,
  max: 1,
  nullIn: false,
  run: (input, [arg], scope, where) => {
    const other = evaluate(arg, scope.with(input), where);
    if (typeof input === 'string' && typeof other === 'string') return run(input.localeCompare(other), 0);
    return typeof input === 'number' && typeof other === 'number' ? run(input, other) : false;
  },
});
const arithmetic = (run: (a: number, b: number) => number): MethodDef => ({
  min: 1,
  max: 1,
  nullIn: true,
  run: (input, [arg], scope, where) => run(num(input, 'the input', where), num(evaluate(arg, scope.with(input), where), 'the argument', where)),
});
const text = (fn: (s: string, args: unknown[]) => unknown, min = 0, max = 0): MethodDef => ({
  min,
  max,
  nullIn: true,
  run: (input, args, scope, where) => {
    if (typeof input !== 'string') throw new MappingError(where, `expected a string, got ${describeJson(input)}`);
    return fn(input, args.map((arg) => evaluate(arg, scope.with(input), where)));
  },
});

/** Every `->method`, with Connectors' meaning (docs/rest.md lists them with examples). */
export const METHODS: Readonly<Record<string, MethodDef>> = {
  echo: { min: 1, max: 1, nullIn: false, run: (input, [arg], scope, where) => evaluate(arg, scope.with(input), where) },
  map: {
    min: 1,
    max: 1,
    nullIn: true,
    run: (input, [arg], scope, where) =>
      Array.isArray(input) ? input.map((element, i) => evaluate(arg, scope.with(element), `${where}[${i}]`)) : [evaluate(arg, scope.with(input), where)],
  },
  match: {
    min: 1,
    max: 64,
    nullIn: false,
    run: (input, args, scope, where) => {
      for (const pair of args) {
        if (pair.kind !== 'array' || pair.items.length !== 2) continue;
        const inner = scope.with(input);
        if (deepEqual(evaluate(pair.items[0], inner, where), input)) return evaluate(pair.items[1], inner, where);
      }
      return null;
    },
  },
  first: { min: 0, max: 0, nullIn: true, run: (input) => (Array.isArray(input) ? input[0] : typeof input === 'string' ? input[0] : input) ?? null },
  last: { min: 0, max: 0, nullIn: true, run: (input) => (Array.isArray(input) ? input[input.length - 1] : typeof input === 'string' ? input[input.length - 1] : input) ?? null },
  slice: {
    min: 0,
    max: 2,
    nullIn: true,
    run: (input, args, scope, where) => {
      const [start, end] = args.map((arg) => num(evaluate(arg, scope.with(input), where), 'slice bounds', where));
      if (typeof input === 'string' || Array.isArray(input)) return input.slice(start, end);
      throw new MappingError(where, `->slice needs a string or a list, got ${describeJson(input)}`);
    },
  },
  size: {
    min: 0,
    max: 0,
    nullIn: true,
    run: (input, _args, _scope, where) => {
      if (typeof input === 'string' || Array.isArray(input)) return input.length;
      if (isObject(input)) return Object.keys(input).length;
      throw new MappingError(where, `->size needs a string, a list or an object, got ${describeJson(input)}`);
    },
  },
  entries: {
    min: 0,
    max: 0,
    nullIn: true,
    run: (input, _args, _scope, where) => {
      if (!isObject(input)) throw new MappingError(where, `->entries needs an object, got ${describeJson(input)}`);
      return Object.entries(input).map(([key, value]) => ({ key, value }));
    },
  },
  keys: { min: 0, max: 0, nullIn: true, run: (input, _a, _s, where) => (isObject(input) ? Object.keys(input) : fail(where, '->keys needs an object', input)) },
  values: { min: 0, max: 0, nullIn: true, run: (input, _a, _s, where) => (isObject(input) ? Object.values(input) : fail(where, '->values needs an object', input)) },
  joinNotNull: {
    min: 1,
    max: 1,
    nullIn: true,
    run: (input, [arg], scope, where) => {
      const separator = evaluate(arg, scope.with(input), where);
      if (typeof separator !== 'string') throw new MappingError(where, `->joinNotNull needs a string separator, got ${describeJson(separator)}`);
      const list = Array.isArray(input) ? input : [input];
      const parts = list.filter((item) => item !== null && item !== undefined);
      for (const part of parts) if (typeof part === 'object') throw new MappingError(where, `->joinNotNull joins strings, numbers and booleans, got ${describeJson(part)}`);
      return parts.join(separator);
    },
  },
  jsonStringify: { min: 0, max: 0, nullIn: false, run: (input) => JSON.stringify(input ?? null) },
  get: {
    min: 1,
    max: 1,
    nullIn: true,
    run: (input, [arg], scope, where) => {
      const key = evaluate(arg, scope.with(input), where);
      if (typeof key === 'number' && (Array.isArray(input) || typeof input === 'string')) return input.at(key) ?? null;
      if (typeof key === 'string' && isObject(input)) return Object.hasOwn(input, key) ? input[key] : null;
      return null;
    },
  },
  has: {
    min: 1,
    max: 1,
    nullIn: false,
    run: (input, [arg], scope, where) => {
      const key = evaluate(arg, scope.with(input), where);
      if (typeof key === 'number' && Array.isArray(input)) return key >= -input.length && key < input.length;
      return typeof key === 'string' && isObject(input) && Object.hasOwn(input, key);
    },
  },
  filter: {
    min: 1,
    max: 1,
    nullIn: true,
    run: (input, [arg], scope, where) => (Array.isArray(input) ? input : [input]).filter((element, i) => evaluate(arg, scope.with(element), `${where}[${i}]`) === true),
  },
  find: {
    min: 1,
    max: 1,
    nullIn: true,
    run: (input, [arg], scope, where) => (Array.isArray(input) ? input : [input]).find((element, i) => evaluate(arg, scope.with(element), `${where}[${i}]`) === true) ?? null,
  },
  eq: { min: 1, max: 1, nullIn: false, run: (input, [arg], scope, where) => deepEqual(input ?? null, evaluate(arg, scope.with(input), where)) },
  ne: { min: 1, max: 1, nullIn: false, run: (input, [arg], scope, where) => !deepEqual(input ?? null, evaluate(arg, scope.with(input), where)) },
  gt: compare((a, b) => a > b),
  gte: compare((a, b) => a >= b),
  lt: compare((a, b) => a < b),
  lte: compare((a, b) => a <= b),
  not: { min: 0, max: 0, nullIn: false, run: (input) => !truthy(input) },
  and: { min: 1, max: 16, nullIn: false, run: (input, args, scope, where) => truthy(input) && args.every((arg) => truthy(evaluate(arg, scope.with(input), where))) },
  or: { min: 1, max: 16, nullIn: false, run: (input, args, scope, where) => truthy(input) || args.some((arg) => truthy(evaluate(arg, scope.with(input), where))) },
  add: arithmetic((a, b) => a + b),
  sub: arithmetic((a, b) => a - b),
  mul: arithmetic((a, b) => a * b),
  div: arithmetic((a, b) => a / b),
  mod: arithmetic((a, b) => a % b),
  split: text((s, [separator]) => (typeof separator === 'string' ? s.split(separator) : [s]), 1, 1),
  trim: text((s) => s.trim()),
  toLowerCase: text((s) => s.toLowerCase()),
  toUpperCase: text((s) => s.toUpperCase()),
  parseInt: text((s) => {
    const n = Number.parseInt(s, 10);
    return Number.isNaN(n) ? null : n;
  }),
  toString: { min: 0, max: 0, nullIn: true, run: (input: unknown) => (typeof input === 'object' ? JSON.stringify(input) : String(input)) },
  /** Tollgate's: an RFC 8288 Link header → { next: { url, query: {…} }, prev: … } by rel (for Link pagination). */
  parseLinkHeader: { min: 0, max: 0, nullIn: true, run: (input, _a, _s, where) => (typeof input === 'string' ? parseLinkHeader(input) : fail(where, '->parseLinkHeader needs a string', input)) },
};

function fail(where: string, what: string, value: unknown): never {
  throw new MappingError(where, `${what}, got ${describeJson(value)}`);
}

function truthy(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** `<https://api.example/items?cursor=x>; rel="next", <…>; rel="prev"` → { next: { url, query }, prev: … }. */
export function parseLinkHeader(header: string): Record<string, { url: string; query: Record<string, string> }> {
  const links: Record<string, { url: string; query: Record<string, string> }> = {};
  for (const match of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const url = match[1];
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(match[2])?.[1];
    if (!rel) continue;
    let query: Record<string, string> = {};
    try {
      query = Object.fromEntries(new URL(url, 'http://link.invalid').searchParams);
    } catch {
      // A link that is not a URL still gives its text.
    }
    for (const name of rel.trim().split(/\s+/)) links[name.toLowerCase()] ??= { url, query };
  }
  return links;
}

// ── parsing ───────────────────────────────────────────────────────────────────────────────────────────────────

type Token =
  | { kind: 'name'; text: string; offset: number }
  | { kind: 'string'; text: string; offset: number }
  | { kind: 'number'; text: string; value: number; offset: number }
  | { kind: 'var'; text: PathRoot; offset: number }
  | { kind: 'punct'; text: '.' | ':' | '{' | '}' | '(' | ')' | '[' | ']' | '->'; offset: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (/[\s,]/.test(ch)) {
      i++;
    } else if (source.startsWith('->', i)) {
      tokens.push({ kind: 'punct', text: '->', offset: i });
      i += 2;
    } else if ('.:{}()[]'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch as '.', offset: i++ });
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      let value = '';
      while (j < source.length && source[j] !== ch) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        value += source[j++];
      }
      if (j >= source.length) throw new SelectionSyntaxError('unclosed string', i);
      tokens.push({ kind: 'string', text: value, offset: i });
      i = j + 1;
    } else if (/[-0-9]/.test(ch)) {
      const word = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(source.slice(i));
      if (!word) throw new SelectionSyntaxError(`unexpected "${ch}"`, i);
      tokens.push({ kind: 'number', text: word[0], value: Number(word[0]), offset: i });
      i += word[0].length;
    } else if (ch === '@') {
      tokens.push({ kind: 'var', text: '@', offset: i++ });
    } else if (ch === '$') {
      const word = /^\$[A-Za-z0-9_]*/.exec(source.slice(i))?.[0] ?? '$';
      if (word !== '$' && !VARIABLES.includes(word as PathRoot)) throw new SelectionSyntaxError(`unknown variable "${word}": use $, @, ${VARIABLES.join(', ')}`, i);
      tokens.push({ kind: 'var', text: word as PathRoot, offset: i });
      i += word.length;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
      if (!word) throw new SelectionSyntaxError(`unexpected "${ch}"`, i);
      tokens.push({ kind: 'name', text: word[0], offset: i });
      i += word[0].length;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly end: number) {}

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  isPunct(text: string): boolean {
    const token = this.peek();
    return token?.kind === 'punct' && token.text === text;
  }
  fail(message: string, token = this.peek()): never {
    throw new SelectionSyntaxError(`${message}${token ? ` but found "${token.text}"` : ' at the end'}`, token?.offset ?? this.end);
  }
  expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail(`expected "${text}"`);
    this.pos++;
  }
  key(): string {
    const token = this.peek();
    if (token?.kind !== 'name' && token?.kind !== 'string') this.fail('expected a key');
    this.pos++;
    return token.text;
  }

  /** The top: a path from `$`/a variable (the result is its value), or named items. */
  selection(): Selection {
    const first = this.peek();
    let selection: Selection;
    const second = this.tokens[this.pos + 1];
    // A key path at the top (`error.message`, `items->first`): Connectors' KeyPath, whose value is the result.
    const keyPath = first?.kind === 'name' && second?.kind === 'punct' && (second.text === '.' || second.text === '->');
    if (first?.kind === 'var' || keyPath) {
      const expr = this.pathExpr(false);
      selection = { kind: 'path', path: expr.path, ...(expr.sub ? { sub: expr.sub } : {}), offset: first.offset };
    } else selection = { kind: 'named', items: this.namedItems('end', false) };
    const extra = this.peek();
    if (extra) throw new SelectionSyntaxError(`unexpected "${extra.text}" after the selection`, extra.offset);
    return selection;
  }

  /** One expression and nothing after it (the `{…}` of a template). */
  lone(): Expr {
    const expr = this.expr(true);
    const extra = this.peek();
    if (extra) throw new SelectionSyntaxError(`unexpected "${extra.text}" after the expression`, extra.offset);
    return expr;
  }

  subSelection(literals: boolean): NamedItem[] {
    this.expectPunct('{');
    const items = this.namedItems('}', literals);
    this.expectPunct('}');
    return items;
  }

  /** `name`, `name: value`, `name { … }`; inside method arguments (literals) a quoted value is a string, not a key. */
  namedItems(until: '}' | 'end', literals: boolean): NamedItem[] {
    const items: NamedItem[] = [];
    const names = new Set<string>();
    while (this.peek() !== undefined && !(until === '}' && this.isPunct('}'))) {
      const start = this.peek() as Token;
      if (start.kind === 'var') throw new SelectionSyntaxError(`a path starting with ${start.text} needs a name: write "name: ${start.text}…"`, start.offset);
      const name = this.key();
      let value: Expr;
      if (this.isPunct(':')) {
        this.pos++;
        value = this.isPunct('{') ? { kind: 'object', sub: this.subSelection(literals) } : this.expr(literals);
      } else {
        if (start.kind === 'string') throw new SelectionSyntaxError(`"${name}" is not a GraphQL name: write "someName: \\"${name}\\""`, start.offset);
        const path: SelectionPath = { root: undefined, keys: [name] };
        value = this.isPunct('{') ? { kind: 'path', path, sub: this.subSelection(literals) } : { kind: 'path', path };
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SelectionSyntaxError(`"${name}" is not a GraphQL field name`, start.offset);
      if (names.has(name)) throw new SelectionSyntaxError(`"${name}" is selected twice`, start.offset);
      names.add(name);
      items.push({ name, value, offset: start.offset });
    }
    return items;
  }

  /** A value: in method arguments and `$(…)` also JSON literals, lists and objects; then `.key` and `->method` steps. */
  expr(literals: boolean): Expr {
    const token = this.peek();
    if (literals && token) {
      let literal: Expr | undefined;
      if (token.kind === 'string') literal = { kind: 'literal', value: token.text };
      else if (token.kind === 'number') literal = { kind: 'literal', value: token.value };
      else if (token.kind === 'name' && (token.text === 'true' || token.text === 'false' || token.text === 'null')) {
        literal = { kind: 'literal', value: token.text === 'null' ? null : token.text === 'true' };
      }
      if (literal) {
        this.pos++;
        return this.withSteps(literal);
      }
      if (this.isPunct('[')) {
        this.pos++;
        const items: Expr[] = [];
        while (!this.isPunct(']')) {
          if (!this.peek()) this.fail('expected "]"');
          items.push(this.expr(true));
        }
        this.pos++;
        return this.withSteps({ kind: 'array', items });
      }
      if (this.isPunct('{')) return this.withSteps({ kind: 'object', sub: this.subSelection(true) });
    }
    if (token?.kind === 'number' || (token?.kind === 'punct' && token.text !== '{')) this.fail(literals ? 'expected a value' : 'expected a key');
    return this.pathExpr(literals);
  }

  /** A literal followed by steps (`"a,b"->split(",")`) becomes a path rooted at it. */
  private withSteps(literal: Expr): Expr {
    if (!this.isPunct('->') && !this.isPunct('.')) return literal;
    const path: SelectionPath = { root: 'literal', keys: [], literal };
    this.steps(path);
    return { kind: 'path', path };
  }

  pathExpr(literals: boolean): Extract<Expr, { kind: 'path' }> {
    const first = this.peek();
    let path: SelectionPath;
    if (first?.kind === 'var') {
      this.pos++;
      if (first.text === '$' && this.isPunct('(')) {
        this.pos++;
        const literal = this.expr(true);
        this.expectPunct(')');
        path = { root: 'literal', keys: [], literal };
      } else path = { root: first.text, keys: [] };
    } else path = { root: undefined, keys: [this.key()] };
    this.steps(path);
    const bare = path.keys.length === 0 && (path.steps?.length ?? 0) === 0;
    if (bare && path.root !== undefined && path.root !== '$' && path.root !== '@' && path.root !== 'literal' && path.root !== '$batch' && path.root !== '$status') {
      throw new SelectionSyntaxError(`${path.root} must be followed by a property, e.g. ${path.root}.id`, first?.offset ?? 0);
    }
    return this.isPunct('{') ? { kind: 'path', path, sub: this.subSelection(literals) } : { kind: 'path', path };
  }

  private steps(path: SelectionPath): void {
    for (;;) {
      if (this.isPunct('.')) {
        this.pos++;
        const key = this.key();
        if (path.steps) path.steps.push({ kind: 'key', key });
        else path.keys.push(key);
      } else if (this.isPunct('->')) {
        this.pos++;
        const token = this.peek();
        if (token?.kind !== 'name') this.fail('expected a method name after "->"');
        this.pos++;
        const method = METHODS[token.text];
        if (!method || !Object.hasOwn(METHODS, token.text)) {
          throw new SelectionSyntaxError(`unknown method "->${token.text}" (supported: ${Object.keys(METHODS).join(', ')})`, token.offset);
        }
        const args: Expr[] = [];
        if (this.isPunct('(')) {
          this.pos++;
          while (!this.isPunct(')')) {
            if (!this.peek()) this.fail('expected ")"');
            args.push(this.expr(true));
          }
          this.pos++;
        }
        if (args.length < method.min || args.length > method.max) {
          const count = method.min === method.max ? `${method.min}` : `${method.min} to ${method.max}`;
          throw new SelectionSyntaxError(`->${token.text} takes ${count} argument${method.max === 1 ? '' : 's'}, got ${args.length}`, token.offset);
        }
        if (token.text === 'match') {
          const bad = args.find((arg) => arg.kind !== 'array' || arg.items.length !== 2);
          if (bad) throw new SelectionSyntaxError('->match takes pairs: ->match([candidate, result], …, [@, default])', token.offset);
        }
        (path.steps ??= []).push({ kind: 'method', name: token.text, args, offset: token.offset });
      } else return;
    }
  }
}

/** Parses a selection; throws SelectionSyntaxError with the offset of the problem. */
export function parseSelection(source: string): Selection {
  return new Parser(tokenize(source), source.length).selection();
}

/** Parses one expression, e.g. the inside of a template's `{…}`: `$args.id`, `$args.ids->joinNotNull(",")`. */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  if (tokens.length === 0) throw new SelectionSyntaxError('expected a value', 0);
  return new Parser(tokens, source.length).lone();
}

// ── applying ──────────────────────────────────────────────────────────────────────────────────────────────────

/** The JSON does not have the shape the selection expects (e.g. an object where a string was). */
export class MappingError extends Error {
  constructor(readonly where: string, problem: string) {
    super(`${where || '(response)'}: ${problem}`);
  }
}

export interface SelectionVariables {
  $this?: unknown;
  $args?: unknown;
  /** tollgate.yaml `rest.sources.<source>.config`. */
  $config?: unknown;
  /** The caller: subject, client, plan, claims, scopes, and the request headers the source allows. */
  $context?: unknown;
  $batch?: unknown;
  /** The answer's headers (lower-case names) in response selections. */
  $response?: unknown;
  $status?: unknown;
}

/** What an expression is evaluated against: the current value, `@`, and the variables. */
class Scope {
  constructor(readonly current: unknown, readonly at: unknown, readonly variables: SelectionVariables) {}
  /** Inside a method's arguments: `@` and bare keys refer to the method's input (or the element for map/filter). */
  with(value: unknown): Scope {
    return new Scope(value, value, this.variables);
  }
  /** Inside a sub-selection: `$` and bare keys refer to the object being mapped; `@` stays. */
  inside(value: unknown): Scope {
    return new Scope(value, this.at, this.variables);
  }
}

/** Applies a selection to a parsed JSON answer. Missing keys become null; the GraphQL type is checked elsewhere. */
export function applySelection(selection: Selection, json: unknown, variables: SelectionVariables = {}): unknown {
  const scope = new Scope(json, json, variables);
  if (selection.kind === 'path') {
    const value = readPath(selection.path, scope, '');
    return selection.sub ? applyItems(selection.sub, value, scope, pathText(selection.path)) : value;
  }
  return applyItems(selection.items, json, scope, '');
}

/** Evaluates one expression (a template's `{…}`) against the variables; `$` is `current`. */
export function evaluateExpression(expr: Expr, variables: SelectionVariables, current: unknown = null): unknown {
  return evaluate(expr, new Scope(current, current, variables), '');
}

function applyItems(items: NamedItem[], value: unknown, scope: Scope, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((element, i) => applyItems(items, element, scope, `${where}[${i}]`));
  if (typeof value !== 'object') throw new MappingError(where, `expected an object, got ${describeJson(value)}`);
  return buildObject(items, scope.inside(value), where);
}

function buildObject(items: NamedItem[], scope: Scope, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) out[item.name] = evaluate(item.value, scope, where);
  return out;
}

function evaluate(expr: Expr, scope: Scope, where: string): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'array':
      return expr.items.map((item, i) => evaluate(item, scope, `${where}[${i}]`));
    case 'object':
      return buildObject(expr.sub, scope, where);
    case 'path': {
      const at = joinWhere(where, pathText(expr.path));
      const picked = readPath(expr.path, scope, where);
      return expr.sub ? applyItems(expr.sub, picked, scope, at) : picked;
    }
  }
}

function rootValue(path: SelectionPath, scope: Scope, where: string): unknown {
  switch (path.root) {
    case undefined:
    case '$':
      return scope.current;
    case '@':
      return scope.at;
    case 'literal':
      return evaluate(path.literal as Expr, scope, where);
    default:
      return scope.variables[path.root];
  }
}

function readPath(path: SelectionPath, scope: Scope, where: string): unknown {
  let value = rootValue(path, scope, where);
  let at = path.root === undefined || path.root === '$' || path.root === '@' || path.root === 'literal' ? where : path.root;
  for (const key of path.keys) {
    value = readKey(value, key, at);
    at = joinWhere(at, key);
  }
  for (const step of path.steps ?? []) {
    if (step.kind === 'key') {
      value = readKey(value, step.key, at);
      at = joinWhere(at, step.key);
      continue;
    }
    const method = METHODS[step.name];
    const input = value === undefined ? null : value;
    value = input === null && method.nullIn ? null : method.run(input, step.args, scope, at);
    at = joinWhere(at, `->${step.name}`);
  }
  return value === undefined ? null : value;
}

function readKey(value: unknown, key: string, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((element, i) => readKey(element, key, `${where}[${i}]`));
  if (typeof value !== 'object') throw new MappingError(where, `cannot read "${key}" of ${describeJson(value)}`);
  // Own properties only: "constructor" or "__proto__" in a selection reads the JSON, never Object.prototype.
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : null;
}

function pathText(path: SelectionPath): string {
  const root = path.root && path.root !== '$' && path.root !== '@' && path.root !== 'literal' ? [path.root] : [];
  return [...root, ...path.keys].join('.');
}

function joinWhere(where: string, next: string): string {
  return where && next ? `${where}.${next}` : where || next;
}

export function describeJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

// ── analysis (load-time checks) ───────────────────────────────────────────────────────────────────────────────

export type VariableRoot = Exclude<PathRoot, '$' | '@'>;

/** Every variable path (`$this.id`, `$args.input.x`, `$context.claims.sub`, …) an expression or selection reads. */
export function selectionVariables(selection: Selection): Array<{ root: VariableRoot; keys: string[]; offset: number }> {
  const found: Array<{ root: VariableRoot; keys: string[]; offset: number }> = [];
  if (selection.kind === 'path') {
    visitPath(selection.path, selection.offset, found);
    if (selection.sub) visitItems(selection.sub, found);
  } else visitItems(selection.items, found);
  return found;
}

/** The variable paths one expression reads, each at `offset`. */
export function expressionVariables(expr: Expr, offset: number): Array<{ root: VariableRoot; keys: string[]; offset: number }> {
  const found: Array<{ root: VariableRoot; keys: string[]; offset: number }> = [];
  visitExpr(expr, offset, found);
  return found;
}

function visitItems(items: NamedItem[], found: Array<{ root: VariableRoot; keys: string[]; offset: number }>): void {
  for (const item of items) visitExpr(item.value, item.offset, found);
}

function visitExpr(expr: Expr, offset: number, found: Array<{ root: VariableRoot; keys: string[]; offset: number }>): void {
  if (expr.kind === 'array') for (const item of expr.items) visitExpr(item, offset, found);
  else if (expr.kind === 'object') visitItems(expr.sub, found);
  else if (expr.kind === 'path') {
    visitPath(expr.path, offset, found);
    if (expr.sub) visitItems(expr.sub, found);
  }
}

function visitPath(path: SelectionPath, offset: number, found: Array<{ root: VariableRoot; keys: string[]; offset: number }>): void {
  if (path.root === 'literal' && path.literal) visitExpr(path.literal, offset, found);
  else if (path.root !== undefined && path.root !== '$' && path.root !== '@' && path.root !== 'literal') {
    // The keys right after the root (up to the first method): what the checks can name.
    const keys = [...path.keys];
    found.push({ root: path.root, keys, offset });
  }
  for (const step of path.steps ?? []) if (step.kind === 'method') for (const arg of step.args) visitExpr(arg, step.offset, found);
}

/** True when the path ends in a method: its value's shape is only known at run time. */
export function endsInMethod(path: SelectionPath): boolean {
  const steps = path.steps ?? [];
  return steps.length > 0 && steps.some((step) => step.kind === 'method');
}
