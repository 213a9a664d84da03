// Converts a Hive Router query plan (@graphql-hive/router-query-planner) into the executor's plan (./planNodes.ts),
// once per plan: Flatten paths `{Field}` / "@" / `{TypeCondition}`, rewrites `{ValueSetter}` / `{KeyRenamer}` (or
// the `kind:` form) with `{Key}` / `{TypenameEquals}` steps, `requires` aliases (Hive reads `data[name]` and writes
// `representation[alias]`, the opposite of Apollo), BatchFetch. What the executor cannot run throws here, before
// anything is sent.
import type { BatchFetchNode, EntityBatchAlias, ExecNode, ExecPlan, FetchNode, PathSegment, RequiresSelection, Rewrite } from './planNodes';

type Json = Record<string, unknown>;

export class UnsupportedHivePlan extends Error {}

export function fromHivePlan(plan: { node?: unknown }): ExecPlan {
  return plan.node ? { node: node(plan.node as Json) } : {};
}

/**
 * A Hive plan of a subscription: `Subscription{primary}` alone, or `Sequence[Subscription{primary}, …rest]` (the
 * entity fetches that complete each event). Hive's `primary` is a fetch without a `kind`. Undefined for any other shape.
 */
export function fromHiveSubscriptionPlan(plan: { node?: unknown }): { primary: FetchNode; rest?: ExecNode } | undefined {
  const root = plan.node as Json | undefined;
  if (!root) return undefined;
  const subscription = (value: unknown) => {
    const v = value as Json | undefined;
    return v?.kind === 'Subscription' && v.primary && typeof v.primary === 'object' ? fetchNode(v.primary as Json) : undefined;
  };
  const alone = subscription(root);
  if (alone) return { primary: alone, rest: (root.rest as Json | undefined) ? node(root.rest as Json) : undefined };
  if (root.kind !== 'Sequence' || !Array.isArray(root.nodes) || root.nodes.length === 0) return undefined;
  const primary = subscription(root.nodes[0]);
  if (!primary) return undefined;
  const rest = (root.nodes as Json[]).slice(1).map(node);
  return { primary, rest: rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'Sequence', nodes: rest } };
}

function node(value: Json): ExecNode {
  switch (value.kind) {
    case 'Fetch':
      return fetchNode(value);
    case 'BatchFetch':
      return batchFetch(value);
    case 'Sequence':
    case 'Parallel':
      return { kind: value.kind, nodes: (value.nodes as Json[]).map(node) };
    case 'Flatten':
      return { kind: 'Flatten', path: flattenPath(value.path as unknown[]), node: node(value.node as Json) };
    case 'Condition':
      return {
        kind: 'Condition',
        condition: String(value.condition),
        ifClause: value.ifClause ? node(value.ifClause as Json) : undefined,
        elseClause: value.elseClause ? node(value.elseClause as Json) : undefined,
      };
    case 'Defer':
    case 'Subscription':
      // Kept as is: unsupportedNode() answers them with their codes.
      return { kind: value.kind };
    default:
      throw new UnsupportedHivePlan(`Unknown Hive plan node kind ${JSON.stringify(value.kind)}`);
  }
}

/** What a Fetch and a BatchFetch both carry: the subgraph, its operation and the variables it reads. */
function operationOf(value: Json) {
  return {
    serviceName: String(value.serviceName),
    operation: String(value.operation),
    operationName: (value.operationName as string | undefined) ?? undefined,
    variableUsages: value.variableUsages as string[] | undefined,
  };
}

function fetchNode(value: Json): FetchNode {
  return {
    kind: 'Fetch',
    ...operationOf(value),
    requires: value.requires ? requires(value.requires as Json[]) : undefined,
    inputRewrites: rewrites(value.inputRewrites),
    outputRewrites: rewrites(value.outputRewrites),
  };
}

function batchFetch(value: Json): BatchFetchNode {
  const batch = value.entityBatch as { aliases: Json[] };
  const aliases: EntityBatchAlias[] = batch.aliases.map((a) => ({
    alias: String(a.alias),
    representationsVariableName: String(a.representationsVariableName),
    paths: (a.paths as unknown[][]).map(flattenPath),
    requires: requires(a.requires as Json[]),
    inputRewrites: rewrites(a.inputRewrites),
    outputRewrites: rewrites(a.outputRewrites),
  }));
  return { kind: 'BatchFetch', ...operationOf(value), aliases };
}

/** `{Field: name}` → name, "@" → "@", `{TypeCondition: [types]}` → a TypeCondition. */
export function flattenPath(path: readonly unknown[]): PathSegment[] {
  return path.map((segment) => {
    if (segment === '@') return '@';
    if (segment && typeof segment === 'object') {
      const s = segment as Json;
      if (typeof s.Field === 'string') return s.Field;
      if (Array.isArray(s.TypeCondition)) return { types: s.TypeCondition.map(String) };
    }
    throw new UnsupportedHivePlan(`Unknown Hive Flatten path segment ${JSON.stringify(segment)}`);
  });
}

/** `{Key: name}` → name, `{TypenameEquals: [types]}` → a TypeCondition. */
function rewritePath(path: readonly unknown[]): PathSegment[] {
  return path.map((segment) => {
    if (typeof segment === 'string') return segment;
    if (segment && typeof segment === 'object') {
      const s = segment as Json;
      if (typeof s.Key === 'string') return s.Key;
      if (Array.isArray(s.TypenameEquals)) return { types: s.TypenameEquals.map(String) };
    }
    throw new UnsupportedHivePlan(`Unknown Hive rewrite path segment ${JSON.stringify(segment)}`);
  });
}

export function rewrites(list: unknown): Rewrite[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.map((entry: Json) => {
    // `{ValueSetter: {...}}`, `{KeyRenamer: {...}}`, or the flat `{kind: 'ValueSetter', ...}` form.
    const kind = typeof entry.kind === 'string' ? entry.kind : entry.ValueSetter ? 'ValueSetter' : entry.KeyRenamer ? 'KeyRenamer' : undefined;
    const body = (typeof entry.kind === 'string' ? entry : (entry[kind ?? ''] as Json | undefined)) ?? {};
    const path = rewritePath((body.path as unknown[] | undefined) ?? []);
    if (kind === 'ValueSetter') return { kind, path, setValueTo: body.setValueTo };
    if (kind === 'KeyRenamer') return { kind, path, renameKeyTo: String(body.renameKeyTo) };
    throw new UnsupportedHivePlan(`Unknown Hive rewrite ${JSON.stringify(entry)}`);
  });
}

/** Hive's `{name, alias}`: read `data[name]`, write `representation[alias ?? name]`. */
export function requires(list: readonly Json[]): RequiresSelection[] {
  return list.map((s): RequiresSelection => {
    const selections = s.selections ? requires(s.selections as Json[]) : undefined;
    if (s.kind === 'Field') {
      const name = String(s.name);
      const write = typeof s.alias === 'string' ? s.alias : name;
      return write === name ? { kind: 'Field', name, selections } : { kind: 'Field', name: write, read: name, selections };
    }
    if (s.kind === 'InlineFragment') {
      if (s.skipIf !== undefined || s.includeIf !== undefined) throw new UnsupportedHivePlan('A conditional (@skip/@include) fragment in `requires` is not supported');
      return { kind: 'InlineFragment', typeCondition: s.typeCondition as string | undefined, selections: selections ?? [] };
    }
    throw new UnsupportedHivePlan(`A ${String(s.kind)} in \`requires\` is not supported`);
  });
}
