// Measures an operation's shape — depth, aliases, root fields — on the AST, before validation.
// Fragments are measured once each (memoized), so a fragment spread a thousand times costs one walk and
// counts a thousand times; unknown or cyclic fragments count as empty (validation reports them later).
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface OperationShape {
  /** Deepest field nesting; a root field is depth 1. */
  depth: number;
  /** Aliased fields, counting each fragment as many times as it is spread. */
  aliases: number;
  /** Fields selected directly on the root type (through inline fragments and spreads). */
  rootFields: number;
  /** Field selections once fragments are expanded (a fragment spread twice counts twice): what every walk visits. */
  fields: number;
}

interface Measure {
  depth: number;
  aliases: number;
  fields: number;
}

const EMPTY: Measure = { depth: 0, aliases: 0, fields: 0 };

/** The shape of `operation`, or of the deepest/largest operation in the document when none is chosen. */
export function measureOperation(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const memo = new Map<string, Measure>();
  const inProgress = new Set<string>();

  const measureSet = (set: SelectionSetNode): Measure => {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    for (const selection of set.selections) {
      let child: Measure;
      if (selection.kind === Kind.FIELD) {
        const sub = selection.selectionSet ? measureSet(selection.selectionSet) : EMPTY;
        child = { depth: sub.depth + 1, aliases: sub.aliases + (selection.alias ? 1 : 0), fields: sub.fields + 1 };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        child = measureSet(selection.selectionSet);
      } else {
        child = measureFragment(selection.name.value);
      }
      if (child.depth > depth) depth = child.depth;
      aliases += child.aliases;
      fields += child.fields;
    }
    return { depth, aliases, fields };
  };

  const measureFragment = (name: string): Measure => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const measured = measureSet(fragment.selectionSet);
    inProgress.delete(name);
    memo.set(name, measured);
    return measured;
  };

  const countRootFields = (set: SelectionSetNode, seen: Set<string>): number => {
    let count = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) count += 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, seen);
      else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          count += countRootFields(fragment.selectionSet, seen);
          seen.delete(fragment.name.value);
        }
      }
    }
    return count;
  };

  const { depth, aliases, fields } = measureSet(operation.selectionSet);
  return { depth, aliases, fields, rootFields: countRootFields(operation.selectionSet, new Set()) };
}

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxFields: number;
}

export type LimitViolation =
  | { code: 'MAX_DEPTH_LIMIT'; actual: number; max: number }
  | { code: 'MAX_ALIASES_LIMIT'; actual: number; max: number }
  | { code: 'MAX_ROOT_FIELDS_LIMIT'; actual: number; max: number }
  | { code: 'MAX_FIELDS_LIMIT'; actual: number; max: number };

/** The first limit the shape breaks, or undefined. A limit of 0 is off. */
export function checkOperationLimits(shape: OperationShape, limits: OperationLimits): LimitViolation | undefined {
  if (limits.maxDepth > 0 && shape.depth > limits.maxDepth) return { code: 'MAX_DEPTH_LIMIT', actual: shape.depth, max: limits.maxDepth };
  if (limits.maxAliases > 0 && shape.aliases > limits.maxAliases) return { code: 'MAX_ALIASES_LIMIT', actual: shape.aliases, max: limits.maxAliases };
  if (limits.maxRootFields > 0 && shape.rootFields > limits.maxRootFields) {
    return { code: 'MAX_ROOT_FIELDS_LIMIT', actual: shape.rootFields, max: limits.maxRootFields };
  }
  if (limits.maxFields > 0 && shape.fields > limits.maxFields) return { code: 'MAX_FIELDS_LIMIT', actual: shape.fields, max: limits.maxFields };
  return undefined;
}
