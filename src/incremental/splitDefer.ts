// Splits an operation with @defer into what Tollgate runs: a primary operation without the deferred fragments and,
// per deferred fragment, an operation that selects only the path down to it and the fragment itself (docs/defer.md).
// Pure: AST in, query texts out. Named fragments are inlined first, so a deferred spread is handled like an inline one.
import {
  Kind,
  print,
  visit,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { cacheKey } from '../util/cacheKey';

/** Inlining named fragments copies them: a document that would grow past this is run without splitting. */
const MAX_INLINED_SELECTIONS = 20_000;

export interface DeferredPart {
  /** Stable within a split: path, label and ordinal, so the splits of two versions of one text can be matched. */
  id: string;
  label?: string;
  /** Response names from the root to the object the fragment applies to (list indices are not part of it). */
  path: string[];
  /** The fragment's type condition, when it has one. */
  typeCondition?: string;
  /** The operation selecting only the path and the fragment (nested @defer inside it delivered with it). */
  query: string;
  /** The same operation's root selection set, to tell which policy removals fall inside it. */
  selectionSet: SelectionSetNode;
}

export interface DeferSplit {
  /** The operation without its deferred fragments. */
  primary: string;
  primarySelectionSet: SelectionSetNode;
  parts: DeferredPart[];
}

/** True when the text may hold @defer: a cheap test before any AST work. */
export function mayDefer(query: string | undefined): boolean {
  return query !== undefined && query.includes('@defer');
}

/**
 * The split of `operation`, or undefined when no @defer is active (absent, or `if:` false for these variables).
 * Throws only on a fragment cycle or a document too large to inline, which validation refuses first anyway.
 */
export function splitDefer(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): DeferSplit | undefined {
  const inlined = inlineFragments(document, operation);
  const active = (directive: DirectiveNode) => isActiveDefer(directive, operation, variables);
  const parts: DeferredPart[] = [];
  const ordinals = new Map<string, number>();
  collectParts(inlined.selectionSet, [], [], active, (chain, path, fragment) => {
    const label = labelOf(fragment);
    const base = cacheKey(path.join('.'), label);
    const ordinal = ordinals.get(base) ?? 0;
    ordinals.set(base, ordinal + 1);
    const inner: InlineFragmentNode = { ...fragment, directives: withoutDefer(fragment.directives), selectionSet: stripDeferIn(fragment.selectionSet) };
    const selectionSet = nestChain(chain, inner);
    parts.push({ id: cacheKey(base, String(ordinal)), label, path, typeCondition: fragment.typeCondition?.name.value, query: printOperation(operation, selectionSet), selectionSet });
  });
  if (parts.length === 0) return undefined;
  const primarySelectionSet = withoutDeferred(inlined.selectionSet, active);
  return { primary: printOperation(operation, primarySelectionSet), primarySelectionSet, parts };
}

/** The operation with every @defer removed (its fragments inline): for clients without multipart, and mutations. */
export function stripDefer(document: DocumentNode, operation: OperationDefinitionNode): string {
  return printOperation(operation, stripDeferIn(inlineFragments(document, operation).selectionSet));
}

/** Whether `selectionSet` selects the response-name path `keys` (through inline fragments of any type). */
export function selectsPath(selectionSet: SelectionSetNode | undefined, keys: readonly string[], at = 0): boolean {
  if (at === keys.length) return true;
  if (!selectionSet) return false;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selectsPath(selection.selectionSet, keys, at)) return true;
    } else if (selection.kind === Kind.FIELD && (selection.alias ?? selection.name).value === keys[at]) {
      if (at === keys.length - 1 || selectsPath(selection.selectionSet, keys, at + 1)) return true;
    }
  }
  return false;
}

function isDefer(directive: DirectiveNode): boolean {
  return directive.name.value === 'defer';
}

/** `@defer(if: …)`: a literal, or a variable (its value, else its default, else the directive's default `true`). */
function isActiveDefer(directive: DirectiveNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): boolean {
  if (!isDefer(directive)) return false;
  const condition = directive.arguments?.find((a: ArgumentNode) => a.name.value === 'if')?.value;
  if (!condition) return true;
  if (condition.kind === Kind.BOOLEAN) return condition.value;
  if (condition.kind === Kind.VARIABLE) {
    const name = condition.name.value;
    const sent = variables && Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
    if (sent !== undefined && sent !== null) return sent !== false;
    const fallback = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
    return !(fallback?.kind === Kind.BOOLEAN && fallback.value === false);
  }
  return true;
}

function labelOf(fragment: InlineFragmentNode): string | undefined {
  const label = fragment.directives?.find(isDefer)?.arguments?.find((a) => a.name.value === 'label')?.value;
  return label?.kind === Kind.STRING ? label.value : undefined;
}

function withoutDefer(directives: readonly DirectiveNode[] | undefined): DirectiveNode[] | undefined {
  return directives?.filter((d) => !isDefer(d));
}

/** The operation's selections with every named spread replaced by an inline fragment (directives kept). */
function inlineFragments(document: DocumentNode, operation: OperationDefinitionNode): { selectionSet: SelectionSetNode } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let budget = MAX_INLINED_SELECTIONS;
  const inline = (selectionSet: SelectionSetNode, inside: ReadonlySet<string>): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of selectionSet.selections) {
      if (--budget < 0) throw new Error('the operation is too large to split for @defer');
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`unknown fragment "${name}"`);
        if (inside.has(name)) throw new Error(`fragment "${name}" spreads itself`);
        selections.push({ kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: selection.directives, selectionSet: inline(fragment.selectionSet, new Set([...inside, name])) });
      } else if (selection.selectionSet) {
        selections.push({ ...selection, selectionSet: inline(selection.selectionSet, inside) } as SelectionNode);
      } else {
        selections.push(selection);
      }
    }
    return { ...selectionSet, selections };
  };
  return { selectionSet: inline(operation.selectionSet, new Set()) };
}

type Ancestor = FieldNode | InlineFragmentNode;

/** Calls `found` for each active deferred fragment not inside another one, with its ancestors and response path. */
function collectParts(selectionSet: SelectionSetNode, chain: Ancestor[], path: string[], active: (d: DirectiveNode) => boolean, found: (chain: Ancestor[], path: string[], fragment: InlineFragmentNode) => void): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selection.directives?.some(active)) found(chain, path, selection);
      else collectParts(selection.selectionSet, [...chain, selection], path, active, found);
    } else if (selection.kind === Kind.FIELD && selection.selectionSet) {
      collectParts(selection.selectionSet, [...chain, selection], [...path, (selection.alias ?? selection.name).value], active, found);
    }
  }
}

/** Root selection set holding only `chain` (each ancestor keeping its arguments and directives) and `inner`. */
function nestChain(chain: readonly Ancestor[], inner: SelectionNode): SelectionSetNode {
  let selection: SelectionNode = inner;
  for (let i = chain.length - 1; i >= 0; i--) {
    const ancestor = chain[i];
    const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [selection] };
    selection = ancestor.kind === Kind.FIELD ? { ...ancestor, directives: withoutDefer(ancestor.directives), selectionSet } : { ...ancestor, directives: withoutDefer(ancestor.directives), selectionSet };
  }
  return { kind: Kind.SELECTION_SET, selections: [selection] };
}

/**
 * `selectionSet` without its active deferred fragments (inactive @defer directives dropped). A selection set left
 * empty keeps its object with a `__typename` that is never included, so the object is still answered, as `{}`.
 */
function withoutDeferred(selectionSet: SelectionSetNode, active: (d: DirectiveNode) => boolean): SelectionSetNode {
  const selections: SelectionNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selection.directives?.some(active)) continue;
      selections.push({ ...selection, directives: withoutDefer(selection.directives), selectionSet: withoutDeferred(selection.selectionSet, active) });
    } else if (selection.kind === Kind.FIELD && selection.selectionSet) {
      selections.push({ ...selection, selectionSet: withoutDeferred(selection.selectionSet, active) });
    } else {
      selections.push(selection);
    }
  }
  return { kind: Kind.SELECTION_SET, selections: selections.length > 0 ? selections : [NEVER_TYPENAME] };
}

const NEVER_TYPENAME: FieldNode = {
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: '__typename' },
  directives: [{ kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'skip' }, arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'if' }, value: { kind: Kind.BOOLEAN, value: true } }] }],
};

function stripDeferIn(selectionSet: SelectionSetNode): SelectionSetNode {
  return visit(selectionSet, {
    InlineFragment: (node) => (node.directives?.some(isDefer) ? { ...node, directives: withoutDefer(node.directives) } : undefined),
  });
}

/** The operation with `selectionSet`, keeping only the variable definitions it still uses (unused ones fail validation). */
function printOperation(operation: OperationDefinitionNode, selectionSet: SelectionSetNode): string {
  const used = new Set<string>();
  const collect = { Variable: (node: { name: { value: string } }) => void used.add(node.name.value) };
  visit(selectionSet, collect);
  for (const directive of operation.directives ?? []) visit(directive, collect);
  // A variable's default may itself not use variables, so one pass suffices.
  const variableDefinitions = operation.variableDefinitions?.filter((d) => used.has(d.variable.name.value));
  const definition: OperationDefinitionNode = { ...operation, variableDefinitions, selectionSet };
  return print({ kind: Kind.DOCUMENT, definitions: [definition] });
}
