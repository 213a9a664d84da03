// Resolvers for a REST description's in-process subgraph schema: a field @rest calls its endpoint; a type-level @rest
// resolves the entity (__resolveReference) and fills, on demand, fields its selection maps but the parent lacks.
import { type GraphQLResolverMap } from '../apollo';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { RestDescription } from './compile';
import type { ConnectorSpec } from './description';
import { keyFieldsOf } from './validate';
import type { RestCallContext, RestService } from './service';

type Entity = Record<string, unknown>;

export function buildResolvers(description: RestDescription, service: RestService): GraphQLResolverMap {
  const resolvers: GraphQLResolverMap = {};
  const forType = (typeName: string) => (resolvers[typeName] ??= {}) as Record<string, unknown>;
  const fieldConnectors = new Set(description.connectors.filter((c) => c.kind === 'field').map((c) => c.coordinate));

  for (const connector of description.connectors) {
    if (connector.kind === 'field') {
      forType(connector.typeName)[connector.fieldName as string] = fieldResolver(connector, service);
      continue;
    }
    const keys = keyFieldsOf(description.facts, connector.typeName);
    const filled = topLevelNames(connector).filter((name) => !keys.includes(name) && !fieldConnectors.has(`${connector.typeName}.${name}`));
    const resolversOfType = forType(connector.typeName);
    resolversOfType.__resolveReference = (reference: Entity, context: RestCallContext, info: GraphQLResolveInfo) =>
      // Load only when the gateway asks for a field this connector fills; key-only or field-@rest-only asks need no call.
      requestedFields(info, connector.typeName).some((name) => filled.includes(name)) ? service.loadEntity(connector, reference, context) : reference;
    for (const name of filled) {
      resolversOfType[name] = async (parent: Entity, _args: unknown, context: RestCallContext) =>
        name in parent ? parent[name] : (await service.loadEntity(connector, parent, context))[name];
    }
  }
  return resolvers;
}

function fieldResolver(connector: ConnectorSpec, service: RestService) {
  return async (parent: Entity | undefined, args: Record<string, unknown>, context: RestCallContext, info: GraphQLResolveInfo) => {
    const values = { $args: args, $this: parent ?? {} };
    const json = await service.fetch(connector, values, context);
    return service.map(connector, json, values, info.returnType);
  };
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
