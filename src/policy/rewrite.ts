// Removes fields a policy denied from an operation and prints the query that is actually executed.
// The new text gets its own query-plan cache entry (plans are keyed by the query's hash), so one caller's
// filtered plan is never served to another. Unused variables and fragments are dropped so the result validates.
import {
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Alias under which __typename is fetched where a removal only applies to some concrete types. */
export const TYPENAME_HELPER = 'tollgate__typename';

const HELPER_FIELD: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: TYPENAME_HELPER }, name: { kind: Kind.NAME, value: '__typename' } };

export interface RewrittenOperation {
  query: string;
  /** True when the query fetches the __typename helper, which the response patch must strip. */
  usesTypenameHelper: boolean;
}

export function removeFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  denied: ReadonlySet<FieldNode>,
  needsTypename: ReadonlySet<SelectionSetNode>,
): RewrittenOperation {
  let usesTypenameHelper = needsTypename.size > 0;
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const trimmed = visit({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } as DocumentNode, {
    Field: {
      enter: (node) => (denied.has(node) ? null : undefined),
    },
    SelectionSet: {
      enter: (node) => (needsTypename.has(node) ? { ...node, selections: [...node.selections, HELPER_FIELD] } : undefined),
      // A selection set must not be empty: keep the object (and its null-ness) with the helper, stripped later.
      leave: (node) => {
        if (node.selections.length > 0) return undefined;
        usesTypenameHelper = true;
        return { ...node, selections: [HELPER_FIELD] };
      },
    },
  });
  return { query: print(dropUnused(trimmed)), usesTypenameHelper };
}

/** Keeps only the operation, the fragments it still reaches, and the variables it still uses. */
function dropUnused(document: DocumentNode): DocumentNode {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const usedFragments = new Set<string>();
  const usedVariables = new Set<string>();
  const collect = (node: OperationDefinitionNode['selectionSet'] | FragmentDefinitionNode) => {
    visit(node, {
      Variable: (v) => void usedVariables.add(v.name.value),
      FragmentSpread: (spread) => {
        const name = spread.name.value;
        if (usedFragments.has(name)) return;
        usedFragments.add(name);
        const fragment = fragments.get(name);
        if (fragment) collect(fragment);
      },
    });
  };
  collect(operation.selectionSet);
  for (const directive of operation.directives ?? []) visit(directive, { Variable: (v) => void usedVariables.add(v.name.value) });
  const keptOperation: OperationDefinitionNode = {
    ...operation,
    variableDefinitions: operation.variableDefinitions?.filter((d) => usedVariables.has(d.variable.name.value)),
  };
  return {
    kind: Kind.DOCUMENT,
    definitions: [keptOperation, ...[...fragments.values()].filter((f) => usedFragments.has(f.name.value))],
  };
}
