// Which recently used operations a schema change would break: each one valid against the current API schema is
// validated (graphql-js `validate`, the spec's rules) against the candidate; the ones that fail are listed.
import { parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { OperationUsage } from '../telemetry/usage/types';

export interface BrokenOperation {
  /** undefined for an anonymous operation. */
  name?: string;
  queryHash: string;
  client: string;
  count: number;
  lastSeen: number;
  /** What validation says about it against the candidate, e.g. `Cannot query field "weight" on type "Product".` */
  errors: string[];
}

/** Stop validating a document after this many errors: one is enough to know it breaks. */
const MAX_ERRORS = 5;

function errorsAgainst(schema: GraphQLSchema, document: DocumentNode): string[] {
  return validate(schema, document, undefined, { maxErrors: MAX_ERRORS }).map((error) => error.message);
}

/**
 * Operations (per client) that validate today and would not against the candidate, most used first.
 * Operations that already fail today are left out: the change is not what breaks them. Pure.
 */
export function findBrokenOperations(usage: readonly OperationUsage[], current: GraphQLSchema, candidate: GraphQLSchema): BrokenOperation[] {
  // Many clients send the same text; validate each text once.
  const verdicts = new Map<string, string[]>();
  const verdictFor = (op: OperationUsage): string[] => {
    let errors = verdicts.get(op.queryHash);
    if (errors === undefined) {
      try {
        const document = parse(op.query);
        errors = errorsAgainst(current, document).length > 0 ? [] : errorsAgainst(candidate, document);
      } catch {
        errors = [];
      }
      verdicts.set(op.queryHash, errors);
    }
    return errors;
  };

  const broken: BrokenOperation[] = [];
  for (const op of usage) {
    const errors = verdictFor(op);
    if (errors.length === 0) continue;
    broken.push({ ...(op.name !== undefined ? { name: op.name } : {}), queryHash: op.queryHash, client: op.client, count: op.count, lastSeen: op.lastSeen, errors });
  }
  return broken.sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
}
