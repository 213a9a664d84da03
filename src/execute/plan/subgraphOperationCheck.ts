// Checks a plan's subgraph operations against the subgraphs' own schemas (extracted from the supergraph), once per
// plan: Hive's planner (0.0.38) sometimes sends an operation the subgraph must refuse (a client alias over a field
// the plan needs), which only this shows before anything is sent, so `planner: hive` can plan it with Apollo's.
import { Kind, parse, specifiedRules, validate, visit, NoUnusedFragmentsRule, NoUnusedVariablesRule, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { findInPlan, type ExecPlan, type Rewrite } from './planNodes';

/**
 * graphql-js's rules but the two about unused definitions: a planner may declare a variable a fetch does not use
 * (the subgraph accepts that in practice, and it changes no answer), and that must not cost a fallback.
 */
const RULES: readonly ValidationRule[] = specifiedRules.filter((rule) => rule !== NoUnusedVariablesRule && rule !== NoUnusedFragmentsRule);

/**
 * The first reason a subgraph would refuse one of the plan's operations (`<subgraph>: <message>`), or undefined when
 * every one validates. A subgraph whose schema could not be extracted (`schemaOf` gives undefined) is not checked.
 */
export function subgraphOperationProblem(plan: ExecPlan, schemaOf: (serviceName: string) => GraphQLSchema | undefined): string | undefined {
  return findInPlan(plan, (node) => {
    if (node.kind !== 'Fetch' && node.kind !== 'BatchFetch') return undefined;
    const schema = schemaOf(node.serviceName);
    if (!schema) return undefined;
    let errors: readonly { message: string }[];
    let document: DocumentNode;
    try {
      document = parse(node.operation);
      errors = validate(schema, document, RULES, { maxErrors: 1 });
    } catch (error) {
      return `${node.serviceName}: ${(error as Error).message}`;
    }
    if (errors.length > 0) return `${node.serviceName}: ${errors[0].message}`;
    const rewrites = node.kind === 'Fetch' ? node.outputRewrites : node.aliases.flatMap((alias) => alias.outputRewrites ?? []);
    const collision = renameCollision(document, rewrites);
    return collision ? `${node.serviceName}: ${collision}` : undefined;
  });
}

/**
 * An output KeyRenamer whose target name the same selection set also fetches: renaming would overwrite that field
 * in the merged data. Hive 0.0.38 plans this where a client alias takes a key's name (`sku: weight` beside the key
 * `sku`): it fetches the alias as `_internal_qp_alias_0: weight` next to `sku`, then renames it to `sku`, so the
 * next entity fetch is sent the weight as the key.
 */
export function renameCollision(document: DocumentNode, rewrites: readonly Rewrite[] | undefined): string | undefined {
  const renames: Array<[string, string]> = [];
  for (const rewrite of rewrites ?? []) {
    const last = rewrite.path[rewrite.path.length - 1];
    if (rewrite.kind === 'KeyRenamer' && typeof last === 'string') renames.push([last, rewrite.renameKeyTo]);
  }
  if (renames.length === 0) return undefined;
  let found: string | undefined;
  visit(document, {
    SelectionSet(node) {
      if (found) return;
      const names = new Set<string>();
      for (const selection of node.selections) if (selection.kind === Kind.FIELD) names.add((selection.alias ?? selection.name).value);
      for (const [from, to] of renames) {
        if (from !== to && names.has(from) && names.has(to)) {
          found = `an output rewrite renames "${from}" to "${to}", which the same selection also fetches`;
          return;
        }
      }
    },
  });
  return found;
}
