// Decides, per request, what an operation with @defer runs as: nothing to do (no active @defer), the whole
// operation at once without @defer (a client that does not accept multipart, as Apollo Router does; or a mutation,
// which must run once), or a split streamed as multipart (./deferResponse.ts). Splits are cached per text; what a
// document's @defer needs is found once per parsed document.
import { Kind, parse, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { PolicyRemoval } from '../policy/stage';
import { MAX_CACHED_QUERY_LENGTH } from '../pipeline/analyzeOperation';
import { cacheKey } from '../util/cacheKey';
import { LruCache } from '../util/lru';
import { acceptsMultipart } from './multipart';
import { classifyRemovals, type ClassifiedRemovals } from './payloads';
import { mayDefer, splitDefer, stripDefer, type DeferSplit } from './splitDefer';

const CACHE_SIZE = 500;
/**
 * Deferred fragments one request may stream. Each part runs as its own execution, and the policy stage charged the
 * operation once: past this, the answer is sent whole (no error), so @defer can't multiply a request's work.
 */
export const MAX_DEFERRED_PARTS = 16;

export type DeferDecision = { kind: 'none' } | { kind: 'whole'; query: string } | { kind: 'stream'; split: DeferSplit; removals?: ClassifiedRemovals };

export interface DeferInput {
  /** The text the policies judged, its document and operation. */
  query: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  /** The text to execute (the policy stage's rewrite, or `query`). */
  executed: string;
  removals: readonly PolicyRemoval[];
  accept: string | undefined;
}

/** `multipart/mixed;deferSpec=20220824` in accept: the incremental delivery format Apollo Client reads. */
export function acceptsDefer(accept: string | undefined): boolean {
  return acceptsMultipart(accept, 'deferSpec', '20220824');
}

/** What a document's @defer directives need, found once per parsed document (analysis caches documents per text). */
interface DeferFacts {
  hasDefer: boolean;
  /** The variables read by `@defer(if: $x)`, sorted. */
  variables: string[];
}

export class DeferPlanner {
  private readonly facts = new WeakMap<OperationDefinitionNode, DeferFacts>();
  private readonly splits = new LruCache<string, { split?: DeferSplit; stripped: string } | { error: true }>(CACHE_SIZE);
  private readonly documents = new LruCache<string, { document: DocumentNode; operation: OperationDefinitionNode }>(CACHE_SIZE);

  decide(input: DeferInput): DeferDecision {
    if (!mayDefer(input.executed) || !this.factsOf(input.operation, input.document).hasDefer) return { kind: 'none' };
    const streams = input.operation.operation === 'query' && acceptsDefer(input.accept);
    const executed = this.splitOf(input.executed, input.operationName, input.variables, () => this.documentOf(input.executed, input));
    if ('error' in executed) return { kind: 'none' };
    if (!streams || !executed.split) return { kind: 'whole', query: executed.stripped };
    if (input.removals.length === 0) return { kind: 'stream', split: executed.split };
    // Removals are placed by the split of the text the policies walked, where the removed fields still are.
    const original = this.splitOf(input.query, input.operationName, input.variables, () => ({ document: input.document, operation: input.operation }));
    if ('error' in original || !original.split) return { kind: 'whole', query: executed.stripped };
    return { kind: 'stream', split: executed.split, removals: classifyRemovals(original.split, input.removals) };
  }

  private splitOf(text: string, operationName: string | undefined, variables: Record<string, unknown> | undefined, load: () => { document: DocumentNode; operation: OperationDefinitionNode } | undefined) {
    const loaded = load();
    if (!loaded) return { error: true as const };
    // Only the variables a @defer(if:) reads change the split.
    const conditions = this.factsOf(loaded.operation, loaded.document).variables.map((name) => JSON.stringify(variables?.[name] ?? null));
    const key = cacheKey(text, operationName, ...conditions);
    let entry = this.splits.get(key);
    if (!entry) {
      try {
        const split = splitDefer(loaded.document, loaded.operation, variables);
        entry = { split: split && split.parts.length <= MAX_DEFERRED_PARTS ? split : undefined, stripped: stripDefer(loaded.document, loaded.operation) };
      } catch {
        // A fragment cycle or an oversized document: validation refuses it, with its own error, when it runs as is.
        entry = { error: true };
      }
      if (text.length <= MAX_CACHED_QUERY_LENGTH) this.splits.set(key, entry);
    }
    return entry;
  }

  /** Keyed by the operation node (identity, no text key): the same cached document object recurs per text. */
  private factsOf(operation: OperationDefinitionNode, document: DocumentNode): DeferFacts {
    let facts = this.facts.get(operation);
    if (!facts) {
      facts = { hasDefer: hasDefer(operation, document), variables: deferVariables(operation, document) };
      this.facts.set(operation, facts);
    }
    return facts;
  }

  private documentOf(text: string, input: DeferInput) {
    if (text === input.query) return { document: input.document, operation: input.operation };
    let entry = this.documents.get(text);
    if (!entry) {
      const document = parse(text);
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      if (!operation) return undefined;
      entry = { document, operation };
      if (text.length <= MAX_CACHED_QUERY_LENGTH) this.documents.set(text, entry);
    }
    return entry;
  }
}

function hasDefer(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  let found = false;
  const check = { Directive: (node: { name: { value: string } }) => void (node.name.value === 'defer' && (found = true)) };
  visit(operation, check);
  for (const definition of document.definitions) if (!found && definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, check);
  return found;
}

/** The variables read by `@defer(if: $x)` anywhere in the operation or its fragments. */
function deferVariables(operation: OperationDefinitionNode, document: DocumentNode): string[] {
  const names = new Set<string>();
  const check = {
    Directive: (node: { name: { value: string }; arguments?: ReadonlyArray<{ name: { value: string }; value: { kind: string; name?: { value: string } } }> }) => {
      if (node.name.value !== 'defer') return;
      for (const arg of node.arguments ?? []) if (arg.name.value === 'if' && arg.value.kind === Kind.VARIABLE && arg.value.name) names.add(arg.value.name.value);
    },
  };
  visit(operation, check);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, check);
  return [...names].sort();
}
