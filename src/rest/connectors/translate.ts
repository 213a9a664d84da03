// Apollo Connectors SDL (`@link(url: "https://specs.apollo.dev/connect/v0.1"…v0.3)`, `@source`, `@connect`) →
// Tollgate's REST description (docs/rest.md), as text: the connect @link is blanked, each directive is rewritten in
// place from slices of the original (so the file's lines stay where they were), and what Tollgate needs in addition
// (a type-level connector for `entity: true`, a source for an absolute URL) is appended. A position map sends
// every later problem back to the original file. What Tollgate cannot do is a problem here, with its position.
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ConstObjectFieldNode,
  type StringValueNode,
  type TypeNode,
} from 'graphql';
import { REST_SPEC_URL, type RestProblem } from '../description';
import { SPEC_URLS } from '../../util/specLinks';
import { parseSelection } from '../selection';
import { TextMap } from './textMap';

export const CONNECT_SPEC_PREFIX = SPEC_URLS.connect;
/** The versions whose directives this translation reads (v0.2 and v0.3 add arguments, each handled or named). */
export const CONNECT_VERSIONS = ['v0.1', 'v0.2', 'v0.3'];
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function mentionsConnectSpec(sdl: string): boolean {
  return sdl.includes(CONNECT_SPEC_PREFIX);
}

export type TranslateResult =
  | { kind: 'not-connectors' }
  /** `derivedFrom`: where the appended definitions (entity connectors, implicit keys) start in `sdl`. */
  | { kind: 'translated'; sdl: string; map: TextMap; derivedFrom: number; names: Names }
  | { kind: 'invalid'; problems: RestProblem[] };

export interface Names {
  connect: string;
  source: string;
}

/** Translates a Connectors SDL; `not-connectors` when it has no connect @link (the caller then reads it as is). */
export function translateConnectors(sdl: string): TranslateResult {
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch {
    // Not valid GraphQL: the REST compiler reports the syntax error with its position.
    return { kind: 'not-connectors' };
  }
  const link = findConnectLink(document);
  if (!link) return { kind: 'not-connectors' };
  return new Translation(sdl, document, link).run();
}

function findConnectLink(document: DocumentNode): ConstDirectiveNode | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    const link = definition.directives?.find((d) => d.name.value === 'link' && stringValue(argument(d, 'url')?.value)?.startsWith(CONNECT_SPEC_PREFIX));
    if (link) return link;
  }
  return undefined;
}

class Translation {
  private readonly problems: RestProblem[] = [];
  /** Original ranges replaced by generated text, in file order. */
  private readonly replacements: Array<{ start: number; end: number; write: (out: TextMap) => void }> = [];
  /** Definitions appended after the file, each anchored to the directive it comes from. */
  private readonly appended: Array<(out: TextMap) => void> = [];
  private readonly sourceNames = new Set<string>();
  /** Origin of an absolute URL template (lower case) → the source made for it, and where it was first written. */
  private readonly originSources = new Map<string, string>();
  private readonly originNodes = new Map<string, number>();
  private readonly entityTypes = new Set<string>();
  private readonly names: Names;

  constructor(
    private readonly sdl: string,
    private readonly document: DocumentNode,
    private readonly link: ConstDirectiveNode,
  ) {
    this.names = connectNames(link);
  }

  run(): TranslateResult {
    const url = stringValue(argument(this.link, 'url')?.value) ?? '';
    const version = url.slice(CONNECT_SPEC_PREFIX.length);
    if (!CONNECT_VERSIONS.includes(version)) this.problem(this.link, `${url}: Tollgate reads connect ${CONNECT_VERSIONS.join(', ')}`);
    // The connect @link becomes Tollgate's, importing @rest and @restSource under the file's names, followed by the
    // sources absolute URLs need: both are blanked before composition, so the schema extension stays valid.
    this.replacements.push({
      start: this.link.loc?.start ?? 0,
      end: this.link.loc?.end ?? 0,
      write: (out) => {
        const imports = `[{ name: "@rest", as: "@${this.names.connect}" }, { name: "@restSource", as: "@${this.names.source}" }]`;
        out.generate(`@link(url: "${REST_SPEC_URL}", import: ${imports})`, this.link.loc?.start ?? 0);
        for (const [origin, name] of this.originSources) {
          out.generate(` @${this.names.source}(name: ${JSON.stringify(name)}, baseURL: ${JSON.stringify(origin)})`, this.originNodes.get(origin) ?? 0);
        }
      },
    });

    const typeConnectors = new Set<string>();
    for (const definition of this.document.definitions) {
      if ((definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) && definition.directives?.some((d) => d.name.value === this.names.connect)) {
        typeConnectors.add(definition.name.value);
      }
      if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
        for (const directive of definition.directives ?? []) {
          if (directive.name.value !== this.names.source) continue;
          const name = stringValue(argument(directive, 'name')?.value);
          if (name) this.sourceNames.add(name);
        }
      }
    }

    for (const definition of this.document.definitions) {
      if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
        for (const directive of definition.directives ?? []) if (directive.name.value === this.names.source) this.source(directive);
        continue;
      }
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      for (const directive of definition.directives ?? []) if (directive.name.value === this.names.connect) this.connect(directive, definition.name.value, undefined, typeConnectors);
      for (const field of definition.fields ?? []) {
        for (const directive of field.directives ?? []) if (directive.name.value === this.names.connect) this.connect(directive, definition.name.value, field, typeConnectors);
      }
    }
    if (this.problems.length > 0) return { kind: 'invalid', problems: this.problems };

    const out = new TextMap(this.sdl);
    let at = 0;
    for (const replacement of [...this.replacements].sort((a, b) => a.start - b.start)) {
      out.copy(at, replacement.start);
      const before = out.text.length;
      replacement.write(out);
      // Same number of lines as the original range, so every later line keeps its number.
      const lines = countNewlines(this.sdl.slice(replacement.start, replacement.end)) - countNewlines(out.text.slice(before));
      out.generate('\n'.repeat(Math.max(0, lines)), replacement.end);
      at = replacement.end;
    }
    out.copy(at, this.sdl.length);
    const derivedFrom = out.text.length;
    for (const append of this.appended) append(out);
    out.generate('\n', this.sdl.length);
    return { kind: 'translated', sdl: out.text, map: out, derivedFrom, names: this.names };
  }

  private problem(node: { loc?: { startToken: { line: number; column: number } } } | undefined, message: string): void {
    const token = node?.loc?.startToken;
    this.problems.push({ message, line: token?.line ?? 1, column: token?.column ?? 1 });
  }

  /** `@source(name, http: { baseURL, headers }, errors, isSuccess)` → `@source(name, baseURL, headers)`. */
  private source(directive: ConstDirectiveNode): void {
    const what = `@${this.names.source}`;
    for (const arg of directive.arguments ?? []) {
      if (!['name', 'http', 'errors', 'isSuccess'].includes(arg.name.value)) this.problem(arg, `${what}: unknown argument "${arg.name.value}"`);
    }
    const errors = this.errorRules(directive, what);
    const name = argument(directive, 'name');
    const http = objectFields(argument(directive, 'http'));
    if (!name || !http) return void this.problem(directive, `${what} needs name: "…" and http: { baseURL: "…" }`);
    const baseURL = http.find((f) => f.name.value === 'baseURL')?.value;
    const headers = http.find((f) => f.name.value === 'headers')?.value;
    for (const field of http) {
      if (field.name.value === 'path' || field.name.value === 'queryParams') this.problem(field, `${what}(http.${field.name.value}:) is not supported by Tollgate yet: put the path in baseURL, and the query in each @${this.names.connect}'s URL template or http.queryParams`);
      else if (field.name.value !== 'baseURL' && field.name.value !== 'headers') this.problem(field, `${what}: unknown key "http.${field.name.value}"`);
    }
    if (!baseURL || baseURL.kind !== Kind.STRING) return void this.problem(directive, `${what} needs http: { baseURL: "https://…" }`);
    this.checkInterpolation(baseURL, `${what}(http.baseURL:)`, true);
    if (headers) this.checkHeaders(headers);
    this.replacements.push({
      start: directive.loc?.start ?? 0,
      end: directive.loc?.end ?? 0,
      write: (out) => {
        out.generate(`@${this.names.source}(name: `, directive.loc?.start ?? 0);
        out.copyNode(name.value);
        out.generate(', baseURL: ', baseURL.loc?.start ?? 0);
        this.writeInterpolated(out, baseURL);
        if (headers) this.writeHeaders(out, headers);
        if (errors) errors(out);
        out.generate(')', (directive.loc?.end ?? 1) - 1);
      },
    });
  }

  private connect(directive: ConstDirectiveNode, typeName: string, field: FieldDefinitionNode | undefined, typeConnectors: ReadonlySet<string>): void {
    const what = `${field ? `${typeName}.${field.name.value}` : typeName} @${this.names.connect}`;
    for (const arg of directive.arguments ?? []) {
      const name = arg.name.value;
      if (!['source', 'http', 'selection', 'entity', 'batch', 'id', 'errors', 'isSuccess'].includes(name)) this.problem(arg, `${what}: unknown argument "${name}"`);
    }
    const errors = this.errorRules(directive, what);
    const http = objectFields(argument(directive, 'http'));
    const selection = argument(directive, 'selection');
    const source = argument(directive, 'source');
    const batch = argument(directive, 'batch');
    const entity = argument(directive, 'entity');
    if (!http || !selection) return void this.problem(directive, `${what} needs http: { GET: "…" } and selection: "…"`);
    const methods = http.filter((f) => HTTP_METHODS.includes(f.name.value));
    for (const f of http) {
      if (f.name.value === 'path') this.problem(f, `${what}: http.path: is not supported by Tollgate yet: write the path in the URL template`);
      else if (!HTTP_METHODS.includes(f.name.value) && !['body', 'headers', 'queryParams'].includes(f.name.value)) this.problem(f, `${what}: unknown key "http.${f.name.value}"`);
    }
    if (methods.length !== 1 || methods[0].value.kind !== Kind.STRING) return void this.problem(directive, `${what}: http needs exactly one of ${HTTP_METHODS.join(', ')} with a URL template string`);
    const method = methods[0];
    const template = method.value as StringValueNode;
    const origin = source ? undefined : /^https?:\/\/[^/?#]+/i.exec(template.value)?.[0];
    if (!source && !origin) return void this.problem(method.value, `${what}: without source: "…", ${method.name.value} must be an absolute http(s) URL`);
    const sourceName = origin ? this.originSource(origin, method.value) : undefined;
    const isEntity = entity?.value.kind === Kind.BOOLEAN && entity.value.value;
    if (isEntity && (typeName !== 'Query' || !field)) this.problem(entity, `${what}: entity: true is only allowed on fields of Query`);
    const body = http.find((f) => f.name.value === 'body')?.value;
    const queryParams = http.find((f) => f.name.value === 'queryParams')?.value;
    const headers = http.find((f) => f.name.value === 'headers')?.value;
    if (headers) this.checkHeaders(headers);

    const writeConnector = (out: TextMap, rewrite?: (text: string) => string): void => {
      const anchor = directive.loc?.start ?? 0;
      const copy = (node: ConstValueNode) => (rewrite ? out.generate(rewriteString(node, rewrite), anchor) : out.copyNode(node));
      out.generate(`@${this.names.connect}(source: `, anchor);
      if (source) out.copyNode(source.value);
      else out.generate(JSON.stringify(sourceName), method.value.loc?.start ?? anchor);
      out.generate(`, http: { ${method.name.value}: `, method.loc?.start ?? anchor);
      if (origin && !template.block && !rewrite) {
        // The template without its origin: a quote, then the rest of the original string, character for character.
        const start = (template.loc?.start ?? 0) + 1 + origin.length;
        out.generate('"', template.loc?.start ?? anchor);
        out.copy(start, template.loc?.end ?? start);
      } else if (origin) out.generate(JSON.stringify((rewrite ?? ((t: string) => t))(template.value.slice(origin.length))), template.loc?.start ?? anchor);
      else copy(template);
      if (body) {
        out.generate(', body: ', body.loc?.start ?? anchor);
        copy(body);
      }
      if (queryParams) {
        out.generate(', queryParams: ', queryParams.loc?.start ?? anchor);
        copy(queryParams);
      }
      if (headers) this.writeHeaders(out, headers);
      out.generate(' }, selection: ', selection.loc?.start ?? anchor);
      copy(selection.value);
      if (errors && !rewrite) errors(out);
      if (batch && !rewrite) {
        out.generate(', batch: ', batch.loc?.start ?? anchor);
        out.copyNode(batch.value);
      }
      out.generate(')', anchor);
    };
    this.replacements.push({ start: directive.loc?.start ?? 0, end: directive.loc?.end ?? 0, write: (out) => writeConnector(out) });
    if (!field && !this.hasKey(typeName)) this.implicitKey(typeName, directive, [template, body, queryParams, selection.value]);

    if (isEntity && field && typeName === 'Query') this.entityConnector(field, directive, typeConnectors, writeConnector);
  }

  /**
   * `entity: true` on `Query.product(id: ID!): Product` also makes Product resolvable by `id` from other subgraphs:
   * Tollgate says so with a type-level connector, the same call with `$args.` read as `$this.`, and a @key on the
   * arguments unless the type has one.
   */
  private entityConnector(field: FieldDefinitionNode, directive: ConstDirectiveNode, typeConnectors: ReadonlySet<string>, writeConnector: (out: TextMap, rewrite?: (text: string) => string) => void): void {
    const typeName = namedType(field.type);
    if (!typeName || field.type.kind === Kind.LIST_TYPE || (field.type.kind === Kind.NON_NULL_TYPE && field.type.type.kind === Kind.LIST_TYPE)) {
      return void this.problem(directive, `Query.${field.name.value} @${this.names.connect}: entity: true needs a field returning one object type, not a list`);
    }
    if (typeConnectors.has(typeName) || this.entityTypes.has(typeName)) return;
    this.entityTypes.add(typeName);
    const args = (field.arguments ?? []).map((a) => a.name.value);
    if (args.length === 0) return void this.problem(directive, `Query.${field.name.value} @${this.names.connect}: entity: true needs arguments naming the key fields`);
    const hasKey = this.hasKey(typeName);
    const anchor = directive.loc?.start ?? 0;
    this.appended.push((out) => {
      out.generate(`\n\nextend type ${typeName}${hasKey ? '' : ` @key(fields: ${JSON.stringify(args.join(' '))})`} `, anchor);
      writeConnector(out, (text) => text.replace(/\$args\./g, '$this.'));
    });
  }

  private hasKey(typeName: string): boolean {
    return this.document.definitions.some((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === typeName && d.directives?.some((k) => k.name.value === 'key' || k.name.value === 'federation__key'));
  }

  /**
   * A type-level connector makes its type an entity keyed by what it reads from `$this`/`$batch` (Connectors need no
   * @key for that); Tollgate's model says it with a @key, appended as a type extension so no line moves.
   */
  private implicitKey(typeName: string, directive: ConstDirectiveNode, texts: Array<ConstValueNode | undefined>): void {
    const fields = new Set<string>();
    for (const node of texts) if (node?.kind === Kind.STRING) for (const match of node.value.matchAll(/\$(?:this|batch)\.([A-Za-z_][A-Za-z0-9_]*)/g)) fields.add(match[1]);
    if (fields.size === 0) return void this.problem(directive, `${typeName} @${this.names.connect}: a connector on a type must read its key from $this or $batch (e.g. {$this.id})`);
    this.appended.push((out) => out.generate(`\n\nextend type ${typeName} @key(fields: ${JSON.stringify([...fields].join(' '))})`, directive.loc?.start ?? 0));
  }

  /**
   * `errors: { message, extensions }` and `isSuccess` (v0.2+) → Tollgate's `errors: { message, code, isSuccess }`.
   * Tollgate carries one extension from the body, `code` (as extensions.upstreamCode); any other extension is refused.
   */
  private errorRules(directive: ConstDirectiveNode, what: string): ((out: TextMap) => void) | undefined {
    const errors = argument(directive, 'errors');
    const isSuccess = argument(directive, 'isSuccess');
    if (!errors && !isSuccess) return undefined;
    const fields = objectFields(errors) ?? [];
    if (errors && errors.value.kind !== Kind.OBJECT) this.problem(errors, `${what}: errors must be { message: "…", extensions: "…" }`);
    const message = fields.find((f) => f.name.value === 'message')?.value;
    const extensions = fields.find((f) => f.name.value === 'extensions')?.value;
    for (const f of fields) if (f.name.value !== 'message' && f.name.value !== 'extensions') this.problem(f, `${what}: unknown key "errors.${f.name.value}"`);
    for (const node of [message, extensions, isSuccess?.value]) if (node && node.kind !== Kind.STRING) this.problem(node, `${what}: expected a mapping string`);
    let code: string | undefined;
    if (extensions?.kind === Kind.STRING) {
      const match = /^\s*code\s*:\s*([\s\S]*?)\s*$/.exec(extensions.value);
      const parsed = (() => {
        try {
          return parseSelection(extensions.value);
        } catch {
          return undefined;
        }
      })();
      if (!match || parsed?.kind !== 'named' || parsed.items.length !== 1) {
        this.problem(extensions, `${what}: errors.extensions: Tollgate carries one extension from the body, code (as extensions.upstreamCode): write "code: <mapping>"`);
      } else code = match[1];
    }
    const anchor = (errors ?? isSuccess)?.loc?.start ?? 0;
    return (out) => {
      const parts: Array<() => void> = [];
      if (message?.kind === Kind.STRING) parts.push(() => (out.generate('message: ', message.loc?.start ?? anchor), out.copyNode(message)));
      if (code !== undefined) parts.push(() => out.generate(`code: ${JSON.stringify(code)}`, extensions?.loc?.start ?? anchor));
      if (isSuccess?.value.kind === Kind.STRING) parts.push(() => (out.generate('isSuccess: ', isSuccess.loc?.start ?? anchor), out.copyNode(isSuccess.value)));
      out.generate(', errors: { ', anchor);
      parts.forEach((write, i) => {
        if (i > 0) out.generate(', ', anchor);
        write();
      });
      out.generate(' }', anchor);
    };
  }

  /** A source for the origin of an absolute URL template (`https://api.example.com/products` → "api.example.com"). */
  private originSource(origin: string, node: ConstValueNode): string {
    const known = this.originSources.get(origin.toLowerCase());
    if (known) return known;
    let name = new URL(origin).host;
    for (let i = 2; this.sourceNames.has(name); i++) name = `${new URL(origin).host}#${i}`;
    this.sourceNames.add(name);
    this.originSources.set(origin.toLowerCase(), name);
    this.originNodes.set(origin.toLowerCase(), node.loc?.start ?? 0);
    return name;
  }

  /** `[{ name, value | from }]`, with `{$env.NAME}` in a value written as Tollgate's `${env.NAME}`. */
  private writeHeaders(out: TextMap, headers: ConstValueNode): void {
    out.generate(', headers: ', headers.loc?.start ?? 0);
    if (headers.kind !== Kind.LIST) return void out.copyNode(headers);
    out.generate('[', headers.loc?.start ?? 0);
    headers.values.forEach((entry, i) => {
      if (i > 0) out.generate(', ', entry.loc?.start ?? 0);
      if (entry.kind !== Kind.OBJECT) return void out.copyNode(entry);
      out.generate('{ ', entry.loc?.start ?? 0);
      entry.fields.forEach((f, j) => {
        if (j > 0) out.generate(', ', f.loc?.start ?? 0);
        out.copy(f.name.loc?.start ?? 0, f.name.loc?.end ?? 0);
        out.generate(': ', f.value.loc?.start ?? 0);
        if (f.name.value === 'value' && f.value.kind === Kind.STRING) this.writeInterpolated(out, f.value);
        else out.copyNode(f.value);
      });
      out.generate(' }', (entry.loc?.end ?? 1) - 1);
    });
    out.generate(']', (headers.loc?.end ?? 1) - 1);
  }

  private checkHeaders(headers: ConstValueNode): void {
    if (headers.kind !== Kind.LIST) return;
    for (const entry of headers.values) {
      if (entry.kind !== Kind.OBJECT) continue;
      const value = entry.fields.find((f) => f.name.value === 'value')?.value;
      if (value?.kind === Kind.STRING) this.checkInterpolation(value, `header "${stringValue(entry.fields.find((f) => f.name.value === 'name')?.value) ?? '?'}"`, false);
    }
  }

  /**
   * Connectors interpolate `{$env.NAME}` (read when the gateway loads the file, as Tollgate's `${env.NAME}`) and, in
   * header values, `{$config…}`, `{$context…}`, `{$args…}`, `{$this…}`: Tollgate's value templates, checked by the
   * REST compiler. A baseURL takes only `{$env…}` (Tollgate binds a source's origin once, at load).
   */
  private checkInterpolation(node: StringValueNode, what: string, envOnly: boolean): void {
    for (const match of node.value.matchAll(/\{\s*(\$[A-Za-z_]+)[^}]*\}/g)) {
      if (/^\{\$env\.[A-Za-z_][A-Za-z0-9_]*\}$/.test(match[0])) continue;
      if (!envOnly && ['$config', '$context', '$args', '$this'].includes(match[1])) continue;
      this.problem(node, `${what}: ${match[0]} is not supported here by Tollgate (${envOnly ? 'only {$env.NAME}, read when the gateway loads the file' : 'header values read {$env.NAME}, $config, $context, $args and $this'})`);
    }
  }

  private writeInterpolated(out: TextMap, node: StringValueNode): void {
    const rewritten = node.value.replace(/\{\$env\.([A-Za-z_][A-Za-z0-9_]*)\}/g, '${env.$1}');
    if (rewritten === node.value) out.copyNode(node);
    // `{$env.X}` and `${env.X}` have the same length, so positions inside the string still line up.
    else out.generate(JSON.stringify(rewritten), node.loc?.start ?? 0, !node.block);
  }
}

function connectNames(link: ConstDirectiveNode): Names {
  const as = stringValue(argument(link, 'as')?.value) ?? 'connect';
  const names: Names = { connect: `${as}__connect`, source: `${as}__source` };
  const imports = argument(link, 'import')?.value;
  if (imports?.kind !== Kind.LIST) return names;
  for (const entry of imports.values) {
    const [name, alias] =
      entry.kind === Kind.STRING
        ? [entry.value, entry.value]
        : entry.kind === Kind.OBJECT
          ? [stringValue(entry.fields.find((f) => f.name.value === 'name')?.value), stringValue(entry.fields.find((f) => f.name.value === 'as')?.value) ?? stringValue(entry.fields.find((f) => f.name.value === 'name')?.value)]
          : [undefined, undefined];
    if (name === '@connect' && alias) names.connect = alias.replace(/^@/, '');
    if (name === '@source' && alias) names.source = alias.replace(/^@/, '');
  }
  return names;
}

function argument(directive: ConstDirectiveNode, name: string) {
  return directive.arguments?.find((a) => a.name.value === name);
}

function stringValue(value: ConstValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function objectFields(arg: { value: ConstValueNode } | undefined): readonly ConstObjectFieldNode[] | undefined {
  return arg?.value.kind === Kind.OBJECT ? arg.value.fields : undefined;
}

function namedType(type: TypeNode): string | undefined {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function rewriteString(node: ConstValueNode, rewrite: (text: string) => string): string {
  return node.kind === Kind.STRING ? JSON.stringify(rewrite(node.value)) : JSON.stringify(null);
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) count++;
  return count;
}
