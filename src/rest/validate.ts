// Load-time checks of REST connectors against the subgraph's own types: known source, path variables that exist,
// $this only on keys or @requires fields, selections that name real fields, every served field fetched by something.
// Pure; each problem carries the file position so start-up errors read "file:line:column: problem".
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type GraphQLAbstractType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { locationInString, type ConnectorSpec, type Location, type RestProblem, type RestSourceSpec } from './description';
import { describe as describeVariable, type TemplateVariable } from './pathTemplate';
import { endsInMethod, selectionVariables, type NamedItem, type Selection } from './selection';

/** Per type: the fields of each @key (top level only), and per field the fields its @requires names. */
export interface FederationFacts {
  keys: Map<string, string[][]>;
  /** The same, without keys marked `resolvable: false` (the gateway never sends those to this subgraph). */
  resolvableKeys: Map<string, string[][]>;
  /** Keys that select nested fields ("a { b }"), which REST connectors cannot use. */
  nestedKeys: Set<string>;
  requires: Map<string, string[]>;
  external: Set<string>;
  /** Where each "Type.field" is declared, for problems about a field rather than a directive. */
  fieldLocations: Map<string, Location>;
}

export function readFederationFacts(document: DocumentNode): FederationFacts {
  const facts: FederationFacts = { keys: new Map(), resolvableKeys: new Map(), nestedKeys: new Set(), requires: new Map(), external: new Set(), fieldLocations: new Map() };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'key') continue;
      const fields = directive.arguments?.find((a) => a.name.value === 'fields')?.value;
      if (fields?.kind !== Kind.STRING) continue;
      if (fields.value.includes('{')) facts.nestedKeys.add(typeName);
      const names = topLevelFieldNames(fields.value);
      facts.keys.set(typeName, [...(facts.keys.get(typeName) ?? []), names]);
      const resolvable = directive.arguments?.find((a) => a.name.value === 'resolvable')?.value;
      if (!(resolvable?.kind === Kind.BOOLEAN && !resolvable.value)) facts.resolvableKeys.set(typeName, [...(facts.resolvableKeys.get(typeName) ?? []), names]);
    }
    for (const field of definition.fields ?? []) {
      const coordinate = `${typeName}.${field.name.value}`;
      if (field.loc) facts.fieldLocations.set(coordinate, { line: field.loc.startToken.line, column: field.loc.startToken.column });
      for (const directive of field.directives ?? []) {
        if (directive.name.value === 'external') facts.external.add(coordinate);
        const fields = directive.name.value === 'requires' ? directive.arguments?.find((a) => a.name.value === 'fields')?.value : undefined;
        if (fields?.kind === Kind.STRING) facts.requires.set(coordinate, topLevelFieldNames(fields.value));
      }
    }
  }
  return facts;
}

/** "id sku" → [id, sku]; "a { b } c" → [a, c]. */
function topLevelFieldNames(fieldSet: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const token of fieldSet.match(/[A-Za-z_][A-Za-z0-9_]*|[{}]/g) ?? []) {
    if (token === '{') depth++;
    else if (token === '}') depth--;
    else if (depth === 0) names.push(token);
  }
  return names;
}

export function keyFieldsOf(facts: FederationFacts, typeName: string): string[] {
  return [...new Set((facts.keys.get(typeName) ?? []).flat())];
}

/** The top-level fields a type-level connector reads from `$this` / `$batch` (path and header templates). */
function entityVariables(connector: ConnectorSpec): string[] {
  const variables = [...connector.template.variables, ...connector.headers.flatMap((header) => header.template?.variables ?? [])].map((v): { root: string; keys: string[] } => ({ root: v.namespace, keys: v.path }));
  for (const selection of [connector.queryParams, connector.body]) if (selection) variables.push(...selectionVariables(selection));
  return [...new Set(variables.filter((v) => (v.root === '$this' || v.root === '$batch') && v.keys.length > 0).map((v) => v.keys[0]))];
}

/**
 * Which @key each type-level connector resolves by: with one @key, that one; with several, the one whose fields are
 * exactly those the connector reads from $this/$batch (else the smallest holding them all). A type with several
 * type-level connectors names each one after its key (`Product(sku)`), so errors and loaders tell them apart.
 */
export function assignEntityKeys(connectors: readonly ConnectorSpec[], facts: FederationFacts): ConnectorSpec[] {
  const perType = new Map<string, number>();
  for (const c of connectors) if (c.kind === 'entity') perType.set(c.typeName, (perType.get(c.typeName) ?? 0) + 1);
  return connectors.map((connector) => {
    if (connector.kind !== 'entity') return connector;
    const keySets = facts.keys.get(connector.typeName) ?? [];
    let entityKey: string[] | undefined;
    if (keySets.length === 1) entityKey = keySets[0];
    else {
      const read = entityVariables(connector);
      const holding = keySets.filter((key) => read.every((name) => key.includes(name))).sort((a, b) => a.length - b.length);
      entityKey = holding.find((key) => key.length === read.length) ?? holding[0];
    }
    if (!entityKey) return connector;
    const coordinate = (perType.get(connector.typeName) ?? 0) > 1 ? `${connector.typeName}(${entityKey.join(' ')})` : connector.coordinate;
    return { ...connector, entityKey, coordinate };
  });
}

export function validateConnectors(schema: GraphQLSchema, facts: FederationFacts, sources: RestSourceSpec[], connectors: ConnectorSpec[]): RestProblem[] {
  const problems: RestProblem[] = [];
  const sourceNames = sources.map((s) => s.name);
  for (const connector of connectors) {
    const report = (message: string, location: Location = connector.location) => problems.push({ message: `${connector.coordinate} @rest: ${message}`, ...location });
    if (!sourceNames.includes(connector.source)) {
      report(`unknown source "${connector.source}"${sourceNames.length ? ` (declared: ${sourceNames.join(', ')})` : ' (no @restSource is declared)'}`);
    }
    const type = schema.getType(connector.typeName);
    if (!isObjectType(type)) continue;
    if (connector.kind === 'entity') checkEntityConnector(connector, type, facts, report);
    else checkFieldConnector(connector, type, schema, facts, report);
  }
  problems.push(...checkEntityKeys(facts, connectors));
  problems.push(...checkCoverage(schema, facts, connectors));
  return problems;
}

type Report = (message: string, location?: Location) => void;

function checkEntityConnector(connector: ConnectorSpec, type: GraphQLObjectType, facts: FederationFacts, report: Report): void {
  const keySets = facts.keys.get(type.name) ?? [];
  if (keySets.length === 0) return report(`a type-level @rest resolves an entity: ${type.name} needs @key(fields: "…")`);
  if (facts.nestedKeys.has(type.name)) return report(`${type.name}'s @key selects nested fields, which a REST connector cannot send`);
  const keys = connector.entityKey;
  if (!keys) {
    const read = entityVariables(connector);
    return report(`${type.name} has ${keySets.length} @keys (${keySets.map((k) => `"${k.join(' ')}"`).join(', ')}); this type-level @rest reads ${read.length ? read.map((name) => `$this.${name}`).join(', ') : 'no key field'}, which is none of them: read exactly one key's fields, e.g. {$this.${keySets[0][0]}}`);
  }
  const vars = connector.template.variables;
  const requestSelections = [connector.queryParams, connector.body].flatMap((s) => (s ? selectionVariables(s) : []));
  const usesThis = vars.some((v) => v.namespace === '$this') || requestSelections.some((v) => v.root === '$this');
  const usesBatch = connector.maxBatchSize !== undefined;
  if (!usesThis && !usesBatch) report(`the path must use the key: {$this.${keys[0]}} (one call per entity) or {$batch.${keys[0]}} (one call per batch)`);
  if (usesThis && usesBatch) report('the path uses both $this and $batch; use $batch for a batch endpoint, $this for one call per entity');
  for (const variable of vars) {
    const at = locationInString(connector.argumentNodes.path, variable.offset);
    if (variable.namespace === '$config') continue;
    if (variable.namespace === '$context') {
      const problem = contextProblem(variable.path, 'path');
      if (problem) report(problem, at);
    } else if (variable.namespace === '$args') report(`path variable ${describeVariable(variable)} does not exist: a type-level @rest has no arguments`, at);
    else if (variable.namespace === '$batch' && variable.path.length === 0) continue;
    else if (!keys.includes(variable.path[0])) report(`path variable ${describeVariable(variable)} is not a key field of ${type.name} (key: "${keys.join(' ')}")`, at);
  }
  checkSelectionVariables(connector, connector.selection, 'selection', { args: undefined, thisFields: usesBatch ? [] : keys, thisWhat: usesBatch ? 'available in a batch selection' : 'a key field' }, report);
  const requestScope = { args: undefined, thisFields: usesBatch ? [] : keys, thisWhat: usesBatch ? 'available with $batch' : 'a key field', batchFields: keys };
  if (connector.queryParams) checkSelectionVariables(connector, connector.queryParams, 'http.queryParams', requestScope, report);
  if (connector.body) checkSelectionVariables(connector, connector.body, 'http.body', requestScope, report);
  checkSelectionShape(connector.selection, type, connector.argumentNodes.selection, report);
  if (usesBatch) {
    const mapped = topLevelNames(connector.selection);
    const missing = keys.filter((key) => !mapped.includes(key));
    if (missing.length > 0) report(`a batch selection must map the key field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: answers are matched to entities by key, never by position`);
  }
}

function checkFieldConnector(connector: ConnectorSpec, type: GraphQLObjectType, schema: GraphQLSchema, facts: FederationFacts, report: Report): void {
  const field = type.getFields()[connector.fieldName ?? ''];
  if (!field) return;
  const isRoot = type === schema.getQueryType() || type === schema.getMutationType();
  if (type === schema.getSubscriptionType()) return report('subscriptions cannot be served from REST');
  const args = field.args.map((a) => a.name);
  const keys = keyFieldsOf(facts, type.name);
  const thisFields = isRoot ? [] : keys.length > 0 ? [...keys, ...(facts.requires.get(connector.coordinate) ?? [])] : Object.keys(type.getFields());
  const thisWhat = isRoot ? `available on ${type.name} fields` : keys.length > 0 ? `a key field of ${type.name} or named in this field's @requires` : `a field of ${type.name}`;
  for (const variable of connector.template.variables) {
    const at = locationInString(connector.argumentNodes.path, variable.offset);
    const problem = variableProblem(variable, args, thisFields, thisWhat, connector.coordinate);
    if (problem) report(problem, at);
  }
  for (const header of connector.headers) {
    for (const variable of header.template?.variables ?? []) {
      const problem = variableProblem(variable, args, thisFields, thisWhat, connector.coordinate);
      if (problem) report(`header "${header.name}": ${problem.replace(/^path variable /, '')}`);
    }
  }
  const scope = { args, thisFields, thisWhat };
  checkSelectionVariables(connector, connector.selection, 'selection', scope, report);
  if (connector.body) checkSelectionVariables(connector, connector.body, 'http.body', scope, report);
  if (connector.queryParams) checkSelectionVariables(connector, connector.queryParams, 'http.queryParams', scope, report);
  checkSelectionShape(connector.selection, field.type, connector.argumentNodes.selection, report, schema);
}

/** What `$context.<key>` can read: the caller as the authenticate stage saw it, and the headers the source allows. */
export const CONTEXT_KEYS = ['subject', 'client', 'plan', 'kind', 'authenticated', 'scopes', 'claims', 'headers'] as const;

function contextProblem(keys: readonly string[], what: string): string | undefined {
  if (keys.length === 0 || (CONTEXT_KEYS as readonly string[]).includes(keys[0])) return undefined;
  return `${what} reads $context.${keys.join('.')}: $context has ${CONTEXT_KEYS.join(', ')}`;
}

function variableProblem(variable: TemplateVariable, args: string[], thisFields: string[], thisWhat: string, coordinate: string): string | undefined {
  const name = variable.path[0];
  if (variable.namespace === '$context') return contextProblem(variable.path, 'path');
  if (variable.namespace === '$batch') return `${describeVariable(variable)}: $batch is only available in a type-level @rest (an entity resolver)`;
  if (variable.namespace === '$args' && !args.includes(name)) {
    return `path variable ${describeVariable(variable)} does not exist: ${coordinate} has ${args.length ? `arguments ${args.join(', ')}` : 'no arguments'}`;
  }
  if (variable.namespace === '$this' && !thisFields.includes(name)) return `path variable ${describeVariable(variable)}: "${name}" is not ${thisWhat}`;
  return undefined;
}

function checkSelectionVariables(
  connector: ConnectorSpec,
  selection: Selection,
  what: 'selection' | 'http.body' | 'http.queryParams',
  scope: { args: string[] | undefined; thisFields: string[]; thisWhat: string; batchFields?: string[] },
  report: Report,
): void {
  const node = connector.argumentNodes[what === 'selection' ? 'selection' : what === 'http.body' ? 'body' : 'queryParams'];
  for (const variable of selectionVariables(selection)) {
    const at = locationInString(node, variable.offset);
    const name = variable.keys[0];
    if (variable.root === '$args' && !scope.args?.includes(name)) report(`${what} reads $args.${variable.keys.join('.')}, which does not exist`, at);
    if (variable.root === '$this' && !scope.thisFields.includes(name)) report(`${what} reads $this.${variable.keys.join('.')}: "${name}" is not ${scope.thisWhat}`, at);
    if (variable.root === '$context') {
      const problem = contextProblem(variable.keys, what);
      if (problem) report(problem, at);
    }
    if (variable.root === '$batch' && what !== 'selection' && !scope.batchFields) report(`${what} reads $batch, which only a type-level @rest has`, at);
    if (variable.root === '$batch' && scope.batchFields && variable.keys.length > 0 && !scope.batchFields.includes(name)) report(`${what} reads $batch.${variable.keys.join('.')}: "${name}" is not a key field`, at);
  }
}

/** Every name the selection fills at the top of the result. */
function topLevelNames(selection: Selection): string[] {
  const items = selection.kind === 'named' ? selection.items : (selection.sub ?? []);
  return items.map((item) => item.name);
}

/** A selection filling an interface or union must map `__typename`; every other name must be a field of a possible type. */
function checkAbstractItems(items: NamedItem[], type: GraphQLAbstractType, schema: GraphQLSchema, at: (offset: number) => Location, report: Report): void {
  const possible = schema.getPossibleTypes(type);
  if (!items.some((item) => item.name === '__typename')) {
    return report(`selection: ${type.name} is an interface or union: map __typename to one of ${possible.map((t) => t.name).join(', ')} (e.g. __typename: kind->match(["a", "${possible[0]?.name ?? 'A'}"]))`, at(items[0]?.offset ?? 0));
  }
  for (const item of items) {
    if (item.name === '__typename') continue;
    const owner = possible.find((candidate) => candidate.getFields()[item.name]);
    if (!owner) report(`selection: no type of ${type.name} (${possible.map((t) => t.name).join(', ')}) has a field "${item.name}"`, at(item.offset));
    else checkItems([item], owner, at, report, schema);
  }
}

function checkSelectionShape(selection: Selection, fieldType: GraphQLOutputType, node: ValueNode | undefined, report: Report, schema?: GraphQLSchema): void {
  const named = getNamedType(fieldType);
  const at = (offset: number) => locationInString(node, offset);
  if (isAbstractType(named)) {
    const items = selection.kind === 'named' ? selection.items : selection.sub;
    if (!items || !schema) return report(`selection: ${named.name} is an interface or union: give the path a sub-selection that maps __typename, e.g. $.data { __typename: kind->match(["book", "Book"]) id }`, at(selection.kind === 'path' ? selection.offset : 0));
    return checkAbstractItems(items, named, schema, at, report);
  }
  if (selection.kind === 'path' && !selection.sub) {
    if (isObjectType(named) && !endsInMethod(selection.path) && selection.path.root !== 'literal') report(`selection: ${named.name} is an object type: give the path a sub-selection, e.g. $.data { id }`, at(selection.offset));
    return;
  }
  if (!isObjectType(named)) return report(`selection: the field's type ${named.name} is not an object type: select one value with a path, e.g. $.data.count`);
  checkItems(selection.kind === 'named' ? selection.items : (selection.sub ?? []), named, at, report, schema);
}

function checkItems(items: NamedItem[], type: GraphQLObjectType, at: (offset: number) => Location, report: Report, schema?: GraphQLSchema): void {
  for (const item of items) {
    if (item.name === '__typename') continue;
    const field = type.getFields()[item.name];
    if (!field) {
      report(`selection: type ${type.name} has no field "${item.name}"`, at(item.offset));
      continue;
    }
    const named = getNamedType(field.type);
    const sub = item.value.kind === 'object' || item.value.kind === 'path' ? item.value.sub : undefined;
    // A literal, or a path ending in a method (->echo({…}), ->first): its shape is checked when it is mapped.
    const computed = item.value.kind === 'literal' || item.value.kind === 'array' || (item.value.kind === 'path' && !sub && (endsInMethod(item.value.path) || item.value.path.root === 'literal'));
    if (computed) {
      if (item.value.kind === 'literal' && isObjectType(named)) report(`selection: ${type.name}.${item.name} is an object (${named.name}); a literal cannot fill it`, at(item.offset));
      continue;
    }
    if (isAbstractType(named)) {
      if (!sub || !schema) report(`selection: ${type.name}.${item.name} is an interface or union (${named.name}): give it a sub-selection that maps __typename`, at(item.offset));
      else checkAbstractItems(sub, named, schema, at, report);
    } else if (isObjectType(named)) {
      if (!sub) report(`selection: ${type.name}.${item.name} is an object (${named.name}): give it a sub-selection, e.g. ${item.name} { … }`, at(item.offset));
      else checkItems(sub, named, at, report, schema);
    } else if (sub) report(`selection: ${type.name}.${item.name} is a ${named.name}: it cannot have a sub-selection`, at(item.offset));
  }
}

/**
 * A type with several @keys and type-level connectors: one connector per key, and every key the gateway may send a
 * reference by (not `resolvable: false`) has one — otherwise a reference carrying only that key could not be fetched.
 */
function checkEntityKeys(facts: FederationFacts, connectors: ConnectorSpec[]): RestProblem[] {
  const problems: RestProblem[] = [];
  const byType = new Map<string, ConnectorSpec[]>();
  for (const c of connectors) if (c.kind === 'entity' && c.entityKey) byType.set(c.typeName, [...(byType.get(c.typeName) ?? []), c]);
  for (const [typeName, list] of byType) {
    const seen = new Map<string, ConnectorSpec>();
    for (const connector of list) {
      const id = [...(connector.entityKey ?? [])].sort().join(' ');
      if (seen.has(id)) problems.push({ message: `${typeName} @rest: two type-level @rest resolve ${typeName} by the same @key "${connector.entityKey?.join(' ')}"; keep one`, ...connector.location });
      else seen.set(id, connector);
    }
    for (const key of facts.resolvableKeys.get(typeName) ?? []) {
      if (seen.has([...key].sort().join(' '))) continue;
      problems.push({
        message: `${typeName} @rest: ${typeName}'s @key(fields: "${key.join(' ')}") has no type-level @rest: add one whose path reads {$this.${key[0]}}, or mark the key resolvable: false`,
        ...list[0].location,
      });
    }
  }
  return problems;
}

/** Root fields and entity fields must each be fetched by some connector, or the gateway would plan calls we cannot answer. */
function checkCoverage(schema: GraphQLSchema, facts: FederationFacts, connectors: ConnectorSpec[]): RestProblem[] {
  const problems: RestProblem[] = [];
  const byCoordinate = new Map(connectors.filter((c) => c.kind === 'field').map((c) => [c.coordinate, c]));
  const entityConnectors = (typeName: string) => connectors.filter((c) => c.kind === 'entity' && c.typeName === typeName);
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (field.name.startsWith('_')) continue;
      if (!byCoordinate.has(`${root?.name}.${field.name}`)) problems.push({ message: `${root?.name}.${field.name} has no @rest: every root field of a REST description needs one`, ...fieldLocation(facts, `${root?.name}.${field.name}`) });
    }
  }
  for (const [typeName] of facts.keys) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const entity = entityConnectors(typeName);
    const mapped = entity.flatMap((c) => topLevelNames(c.selection));
    const keys = keyFieldsOf(facts, typeName);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${typeName}.${field.name}`;
      if (keys.includes(field.name) || facts.external.has(coordinate) || byCoordinate.has(coordinate) || mapped.includes(field.name)) continue;
      problems.push({
        message: `${coordinate} is not fetched by any @rest: give it its own @rest, or map it in ${entity.length > 0 ? `${typeName}'s type-level @rest selection` : `a type-level @rest on ${typeName}`}`,
        ...fieldLocation(facts, coordinate),
      });
    }
  }
  return problems;
}

function fieldLocation(facts: FederationFacts, coordinate: string): Location {
  return facts.fieldLocations.get(coordinate) ?? { line: 1, column: 1 };
}
