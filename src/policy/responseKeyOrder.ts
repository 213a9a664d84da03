// The order of response keys a selection set asks for (GraphQL spec, CollectFields and "Serialized Map Ordering"):
// fields in document order, fragment spreads and inline fragments expanded where they stand, a repeated key at its
// first place. Type conditions are not applied: the caller only uses the order of keys an object actually has.
// Cached per selection set node (the AST is cached per operation), so it is computed once per operation.
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

const orders = new WeakMap<SelectionSetNode, readonly string[]>();

export function responseKeyOrder(selectionSet: SelectionSetNode, document: DocumentNode): readonly string[] {
  let order = orders.get(selectionSet);
  if (!order) {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    const keys = new Set<string>();
    collect(selectionSet, fragments, keys, new Set());
    order = [...keys];
    orders.set(selectionSet, order);
  }
  return order;
}

function collect(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, keys: Set<string>, visiting: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, fragments, keys, visiting);
    else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      collect(fragment.selectionSet, fragments, keys, visiting);
      visiting.delete(fragment.name.value);
    }
  }
}
