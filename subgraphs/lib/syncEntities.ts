// Synchronous fast path for a subgraph's `_entities` field. @apollo/subgraph tags every entity through an async
// function, so each one costs a promise and a microtask; with ~100 entities per gateway fetch under benchmark load
// that outweighs resolving them. Results are the same; interface entities and unknown types keep Apollo's resolver.
import { isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';

type ResolveReference = (reference: object, context: unknown, info: GraphQLResolveInfo) => unknown;

/** Where @apollo/subgraph keeps a type's __resolveReference. */
interface SubgraphTypeExtensions {
  apollo?: { subgraph?: { resolveReference?: ResolveReference } };
}

/**
 * Replaces `Query._entities`'s resolver in place (as `buildSubgraphSchema` itself installs resolvers) and returns
 * the schema. Object types resolve inline: their __resolveReference (or the representation itself) tagged with
 * __typename like Apollo does; a promise from __resolveReference stays a promise for that entity only.
 */
export function withSyncEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const apolloResolver = field?.resolve;
  if (field === undefined || apolloResolver === undefined) return schema;

  // false = leave to Apollo (interface entity, unknown name); null = object type without __resolveReference.
  const referenceResolvers = new Map<string, ResolveReference | null | false>();
  function referenceResolverFor(typename: string): ResolveReference | null | false {
    let resolver = referenceResolvers.get(typename);
    if (resolver === undefined) {
      const type = schema.getType(typename);
      resolver = isObjectType(type)
        ? ((type.extensions as SubgraphTypeExtensions).apollo?.subgraph?.resolveReference ?? null)
        : false;
      referenceResolvers.set(typename, resolver);
    }
    return resolver;
  }

  const resolve: GraphQLFieldResolver<unknown, unknown, { representations: unknown[] }> = (
    source,
    args,
    context,
    info,
  ) => {
    const { representations } = args;
    const entities = new Array<unknown>(representations.length);
    for (let i = 0; i < representations.length; i++) {
      const representation = representations[i];
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const resolveReference = typeof typename === 'string' ? referenceResolverFor(typename) : false;
      if (resolveReference === false) {
        // Apollo's resolver also produces Apollo's errors (e.g. for an unknown __typename).
        entities[i] = (apolloResolver(source, { representations: [representation] }, context, info) as unknown[])[0];
        continue;
      }
      const entity =
        resolveReference === null ? representation : resolveReference(representation as object, context, info);
      entities[i] =
        entity instanceof Promise
          ? entity.then((settled: unknown) => withTypename(settled, typename as string))
          : withTypename(entity, typename as string);
    }
    return entities;
  };
  field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  return schema;
}

/** The `_Entity` union resolves types from __typename; set it the way @apollo/subgraph does. */
function withTypename(entity: unknown, typename: string): unknown {
  if (entity === null || typeof entity !== 'object') return entity;
  const current = (entity as { __typename?: unknown }).__typename;
  if (current === typename) return entity;
  if (current !== undefined) return { ...entity, __typename: typename };
  // Non-enumerable and fixed, as Apollo defines it: shared source objects get tagged once, then hit the check above.
  Object.defineProperty(entity, '__typename', { value: typename });
  return entity;
}
