// Resolvers for a REST description's in-process subgraph schema: a field @rest calls its endpoint; a type-level @rest
// resolves the entity (__resolveReference) and fills, on demand, fields its selection maps but the parent lacks.
import { type GraphQLResolverMap } from '../apollo';
import { Kind, type GraphQLOutputType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { RestDescription } from './compile';
import type { ConnectorSpec } from './description';
import type { TemplateValues } from './pathTemplate';
import type { RestAnswer } from './upstream';

type Entity = Record<string, unknown>;

/** What the resolvers ask of the REST service (./service.ts), for the per-request context it hands them. */
export interface RestCalls<Context> {
  fetch(connector: ConnectorSpec, values: TemplateValues, context: Context): Promise<RestAnswer>;
  map(connector: ConnectorSpec, answer: RestAnswer, values: TemplateValues, type: GraphQLOutputType, context?: Context): unknown;
  loadEntity(connector: ConnectorSpec, representation: Entity, context: Context): Promise<Entity>;
}

export function buildResolvers<Context>(description: RestDescription, service: RestCalls<Context>): GraphQLResolverMap {
  const resolvers: GraphQLResolverMap = {};
  const forType = (typeName: string) => (resolvers[typeName] ??= {}) as Record<string, unknown>;
  const fieldConnectors = new Set(description.connectors.filter((c) => c.kind === 'field').map((c) => c.coordinate));

  // Interfaces and unions are resolved from the __typename a selection maps (the response's discriminator).
  for (const definition of description.typeDefs.definitions) {
    const abstract = definition.kind === Kind.UNION_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION;
    if (abstract && !definition.name.value.startsWith('_')) forType(definition.name.value).__resolveType = (value: Entity) => value.__typename;
  }
  const entityConnectors = new Map<string, ConnectorSpec[]>();
  for (const connector of description.connectors) {
    if (connector.kind === 'field') forType(connector.typeName)[connector.fieldName as string] = fieldResolver(connector, service);
    else entityConnectors.set(connector.typeName, [...(entityConnectors.get(connector.typeName) ?? []), connector]);
  }
  // A type with several @keys has one connector per key: each entity is loaded by a connector whose key it carries.
  for (const [typeName, connectors] of entityConnectors) {
    // What each connector fills: its selection's fields, but not its own key (the entity has it) nor fields with their
    // own @rest. Another key is filled: a Product fetched by upc gives the sku a sku-keyed subgraph needs.
    const fills = new Map(connectors.map((c) => [c, topLevelNames(c).filter((name) => !(c.entityKey ?? []).includes(name) && !fieldConnectors.has(`${typeName}.${name}`))]));
    const filled = [...new Set([...fills.values()].flat())];
    /** The first connector that fills one of `names` the entity lacks, preferring one whose key the entity carries. */
    const pick = (entity: Entity, names: readonly string[]) => {
      const missing = names.filter((name) => !(name in entity));
      const fillsMissing = (c: ConnectorSpec) => (fills.get(c) ?? []).some((name) => missing.includes(name));
      return connectors.find((c) => hasKey(entity, c) && fillsMissing(c)) ?? connectors.find(fillsMissing);
    };
    const resolversOfType = forType(typeName);
    resolversOfType.__resolveReference = (reference: Entity, context: Context, info: GraphQLResolveInfo) => {
      // Load only when the gateway asks for a field a connector fills; key-only or field-@rest-only asks need no call.
      const connector = pick(reference, requestedFields(info, typeName));
      return connector ? service.loadEntity(connector, reference, context) : reference;
    };
    for (const name of filled) {
      resolversOfType[name] = async (parent: Entity, _args: unknown, context: Context) => {
        if (name in parent) return parent[name];
        const connector = pick(parent, [name]) as ConnectorSpec;
        return (await service.loadEntity(connector, parent, context))[name];
      };
    }
  }
  return resolvers;
}

function fieldResolver<Context>(connector: ConnectorSpec, service: RestCalls<Context>) {
  return async (parent: Entity | undefined, args: Record<string, unknown>, context: Context, info: GraphQLResolveInfo) => {
    const values = { $args: args, $this: parent ?? {} };
    const answer = await service.fetch(connector, values, context);
    return service.map(connector, answer, values, info.returnType, context);
  };
}

function hasKey(entity: Entity, connector: ConnectorSpec): boolean {
  return (connector.entityKey ?? []).every((key) => entity[key] !== undefined && entity[key] !== null);
}

function topLevelNames(connector: ConnectorSpec): string[] {
  const selection = connector.selection;
  return (selection.kind === 'named' ? selection.items : (selection.sub ?? [])).map((item) => item.name);
}

/** Field names selected on `typeName` under the `_entities` field, through inline fragments and named fragments. */
export function requestedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, typeName: string): string[] {
  const names = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || selection.typeCondition.name.value === typeName) visit(selection.selectionSet);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment && fragment.typeCondition.name.value === typeName) visit(fragment.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return [...names];
}
