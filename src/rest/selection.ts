// The selection language of REST connectors: a small subset of Apollo Connectors' mapping language that turns a JSON
// answer into the GraphQL type's shape (pick, rename, nest, follow paths, unwrap envelopes). Pure; see docs/rest.md.
//
//   sku                           pick a key                    listPrice: { amount: amount_cents }  build a nested object
//   updatedAt: updated_at         rename                        city: address.city                   follow a path
//   items: $.data { id name }     path + sub-selection          $.data { id }                        (top level) unwrap
//   owner: $this.id               value from the parent         page: $args.page                     value from an argument

export type PathRoot = '$' | '$this' | '$args';

/** A path: an optional root (`$` = the current JSON value) and keys read in turn; arrays are mapped over. */
export interface SelectionPath {
  root: PathRoot | undefined;
  keys: string[];
}

export type SelectionValue = { kind: 'path'; path: SelectionPath; sub?: NamedItem[] } | { kind: 'object'; sub: NamedItem[] };

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

// ── parsing ───────────────────────────────────────────────────────────────────────────────────────────────────

type Token =
  | { kind: 'name'; text: string; offset: number }
  | { kind: 'string'; text: string; offset: number }
  | { kind: 'var'; text: PathRoot; offset: number }
  | { kind: 'punct'; text: '.' | ':' | '{' | '}'; offset: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (/[\s,]/.test(ch)) {
      i++;
    } else if (ch === '.' || ch === ':' || ch === '{' || ch === '}') {
      tokens.push({ kind: 'punct', text: ch, offset: i++ });
    } else if (ch === '"' || ch === "'") {
      const end = source.indexOf(ch, i + 1);
      if (end === -1) throw new SelectionSyntaxError('unclosed string', i);
      tokens.push({ kind: 'string', text: source.slice(i + 1, end), offset: i });
      i = end + 1;
    } else if (ch === '$') {
      const word = /^\$(this|args)?(?![A-Za-z0-9_])/.exec(source.slice(i));
      if (!word) throw new SelectionSyntaxError(`unknown variable "${/^\$[A-Za-z0-9_]*/.exec(source.slice(i))?.[0]}": use $, $this or $args`, i);
      tokens.push({ kind: 'var', text: word[0] as PathRoot, offset: i });
      i += word[0].length;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
      if (!word) throw new SelectionSyntaxError(`unexpected "${ch}"`, i);
      tokens.push({ kind: 'name', text: word[0], offset: i });
      i += word[0].length;
    }
  }
  return tokens;
}

/** Parses a selection; throws SelectionSyntaxError with the offset of the problem. */
export function parseSelection(source: string): Selection {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const end = (): number => source.length;
  const isPunct = (text: string): boolean => peek()?.kind === 'punct' && peek()?.text === text;
  const expectPunct = (text: string): void => {
    const token = peek();
    if (token?.kind !== 'punct' || token.text !== text) throw new SelectionSyntaxError(`expected "${text}"${token ? ` but found "${token.text}"` : ' at the end'}`, token?.offset ?? end());
    pos++;
  };
  const key = (): string => {
    const token = peek();
    if (token?.kind !== 'name' && token?.kind !== 'string') throw new SelectionSyntaxError(`expected a key${token ? ` but found "${token.text}"` : ' at the end'}`, token?.offset ?? end());
    pos++;
    return token.text;
  };

  function path(): SelectionPath {
    const first = peek();
    const result: SelectionPath = first?.kind === 'var' ? { root: first.text, keys: [] } : { root: undefined, keys: [key()] };
    if (first?.kind === 'var') pos++;
    while (isPunct('.')) {
      pos++;
      result.keys.push(key());
    }
    if (result.root !== undefined && result.root !== '$' && result.keys.length === 0) {
      throw new SelectionSyntaxError(`${result.root} must be followed by a property, e.g. ${result.root}.id`, first?.offset ?? 0);
    }
    return result;
  }

  function subSelection(): NamedItem[] {
    expectPunct('{');
    const items = namedItems('}');
    expectPunct('}');
    return items;
  }

  function namedItems(until: '}' | 'end'): NamedItem[] {
    const items: NamedItem[] = [];
    const names = new Set<string>();
    while (peek() !== undefined && !(until === '}' && isPunct('}'))) {
      const start = peek() as Token;
      if (start.kind === 'var') throw new SelectionSyntaxError(`a path starting with ${start.text} needs a name: write "name: ${start.text}…"`, start.offset);
      const name = key();
      let value: SelectionValue;
      if (isPunct(':')) {
        pos++;
        if (isPunct('{')) value = { kind: 'object', sub: subSelection() };
        else {
          const p = path();
          value = isPunct('{') ? { kind: 'path', path: p, sub: subSelection() } : { kind: 'path', path: p };
        }
      } else {
        if (start.kind === 'string') throw new SelectionSyntaxError(`"${name}" is not a GraphQL name: write "someName: \\"${name}\\""`, start.offset);
        const p: SelectionPath = { root: undefined, keys: [name] };
        value = isPunct('{') ? { kind: 'path', path: p, sub: subSelection() } : { kind: 'path', path: p };
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SelectionSyntaxError(`"${name}" is not a GraphQL field name`, start.offset);
      if (names.has(name)) throw new SelectionSyntaxError(`"${name}" is selected twice`, start.offset);
      names.add(name);
      items.push({ name, value, offset: start.offset });
    }
    return items;
  }

  let selection: Selection;
  const first = peek();
  if (first?.kind === 'var') {
    const p = path();
    selection = isPunct('{') ? { kind: 'path', path: p, sub: subSelection(), offset: first.offset } : { kind: 'path', path: p, offset: first.offset };
  } else {
    selection = { kind: 'named', items: namedItems('end') };
  }
  const extra = peek();
  if (extra) throw new SelectionSyntaxError(`unexpected "${extra.text}" after the selection`, extra.offset);
  return selection;
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
}

/** Applies a selection to a parsed JSON answer. Missing keys become null; the GraphQL type is checked elsewhere. */
export function applySelection(selection: Selection, json: unknown, variables: SelectionVariables = {}): unknown {
  if (selection.kind === 'path') {
    const value = readPath(selection.path, json, variables, '');
    return selection.sub ? applyItems(selection.sub, value, variables, pathText(selection.path)) : value;
  }
  return applyItems(selection.items, json, variables, '');
}

function applyItems(items: NamedItem[], value: unknown, variables: SelectionVariables, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((element, i) => applyItems(items, element, variables, `${where}[${i}]`));
  if (typeof value !== 'object') throw new MappingError(where, `expected an object, got ${describeJson(value)}`);
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item.value.kind === 'object') {
      out[item.name] = applyItems(item.value.sub, value, variables, where);
    } else {
      const at = joinWhere(where, pathText(item.value.path));
      const picked = readPath(item.value.path, value, variables, where);
      out[item.name] = item.value.sub ? applyItems(item.value.sub, picked, variables, at) : picked;
    }
  }
  return out;
}

function readPath(path: SelectionPath, current: unknown, variables: SelectionVariables, where: string): unknown {
  let value = path.root === '$this' ? variables.$this : path.root === '$args' ? variables.$args : current;
  let at = path.root === '$this' || path.root === '$args' ? path.root : where;
  for (const key of path.keys) {
    value = readKey(value, key, at);
    at = joinWhere(at, key);
  }
  return value === undefined ? null : value;
}

function readKey(value: unknown, key: string, where: string): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((element, i) => readKey(element, key, `${where}[${i}]`));
  if (typeof value !== 'object') throw new MappingError(where, `cannot read "${key}" of ${describeJson(value)}`);
  const found = (value as Record<string, unknown>)[key];
  return found === undefined ? null : found;
}

function pathText(path: SelectionPath): string {
  return [...(path.root && path.root !== '$' ? [path.root] : []), ...path.keys].join('.');
}

function joinWhere(where: string, next: string): string {
  return where && next ? `${where}.${next}` : where || next;
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

/** Every `$this.…` / `$args.…` path the selection reads, for load-time checks. */
export function selectionVariables(selection: Selection): Array<{ root: '$this' | '$args'; keys: string[]; offset: number }> {
  const found: Array<{ root: '$this' | '$args'; keys: string[]; offset: number }> = [];
  const visitPath = (path: SelectionPath, offset: number) => {
    if (path.root === '$this' || path.root === '$args') found.push({ root: path.root, keys: path.keys, offset });
  };
  const visitItems = (items: NamedItem[]) => {
    for (const item of items) {
      if (item.value.kind === 'path') visitPath(item.value.path, item.offset);
      if (item.value.sub) visitItems(item.value.sub);
    }
  };
  if (selection.kind === 'path') {
    visitPath(selection.path, selection.offset);
    if (selection.sub) visitItems(selection.sub);
  } else visitItems(selection.items);
  return found;
}
