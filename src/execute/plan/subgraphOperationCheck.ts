// Checks a plan's subgraph operations against the subgraphs' own schemas (extracted from the supergraph), once per
// plan: Hive's planner (0.0.38) sometimes sends an operation the subgraph must refuse (a client alias over a field
// the plan needs), which only this shows before anything is sent, so `planner: hive` can plan it with Apollo's.
import { parse, specifiedRules, validate, NoUnusedFragmentsRule, NoUnusedVariablesRule, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { ExecNode, ExecPlan } from './planNodes';

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
  const visit = (node: ExecNode | undefined): string | undefined => {
    if (!node) return undefined;
    switch (node.kind) {
      case 'Fetch':
      case 'BatchFetch': {
        const schema = schemaOf(node.serviceName);
        if (!schema) return undefined;
        let errors: readonly { message: string }[];
        try {
          errors = validate(schema, parse(node.operation), RULES, { maxErrors: 1 });
        } catch (error) {
          return `${node.serviceName}: ${(error as Error).message}`;
        }
        return errors.length > 0 ? `${node.serviceName}: ${errors[0].message}` : undefined;
      }
      case 'Sequence':
      case 'Parallel':
        for (const child of node.nodes) {
          const found = visit(child);
          if (found) return found;
        }
        return undefined;
      case 'Flatten':
        return visit(node.node);
      case 'Condition':
        return visit(node.ifClause) ?? visit(node.elseClause);
      default:
        return undefined;
    }
  };
  return visit(plan.node);
}
