// Which manifest operations no longer validate against the served API schema: checked at every manifest load and
// every supergraph change, and reported (log, /ready, `tollgate check`) instead of failing at request time unseen.
import { parse, validate, type GraphQLSchema } from 'graphql';
import type { Manifest } from './manifest';

export interface InvalidOperation {
  id: string;
  name?: string;
  /** graphql-js messages, e.g. `Cannot query field "weight" on type "Product".` */
  errors: string[];
}

/** One document with more errors than this is no more broken; stop early. */
const MAX_ERRORS = 5;

/** Pure. Each distinct body is parsed and validated once, however many ids share it. */
export function findInvalidOperations(manifest: Manifest, schema: GraphQLSchema): InvalidOperation[] {
  const verdicts = new Map<string, string[]>();
  const invalid: InvalidOperation[] = [];
  for (const operation of manifest.operations.values()) {
    let errors = verdicts.get(operation.bodyHash);
    if (errors === undefined) {
      try {
        errors = validate(schema, parse(operation.body), undefined, { maxErrors: MAX_ERRORS }).map((e) => e.message);
      } catch (error) {
        errors = [(error as Error).message];
      }
      verdicts.set(operation.bodyHash, errors);
    }
    if (errors.length > 0) invalid.push({ id: operation.id, ...(operation.name !== undefined ? { name: operation.name } : {}), errors });
  }
  return invalid;
}
