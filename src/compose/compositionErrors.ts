// Turns @apollo/composition's GraphQLErrors and hints into plain records attributed to subgraphs.
// Apollo says which subgraph is at fault in three ways; we read all three (see describeCompositionError).

import { type CompositionSuccess, errorCauses } from '../apollo';
import { getLocation, type ASTNode, type GraphQLError } from 'graphql';

export interface ErrorLocation {
  /** The subgraph whose SDL the line/column refer to, when known. */
  subgraph?: string;
  line: number;
  column: number;
}

export interface ComposeError {
  /** The single subgraph at fault; unset when the error is about several (see `subgraphs`) or the whole graph. */
  subgraph?: string;
  /** Every subgraph an error involves when there is more than one (e.g. a field type mismatch between two). */
  subgraphs?: string[];
  /** Apollo's code (FIELD_TYPE_MISMATCH, INVALID_GRAPHQL, …) or one of COMPOSE_ERROR_CODES. */
  code: string;
  message: string;
  locations?: ErrorLocation[];
}

export interface ComposeHint {
  code: string;
  message: string;
  /** Schema coordinate the hint is about, e.g. `T.x`, when Apollo gives one. */
  coordinate?: string;
}

type CompositionHint = CompositionSuccess['hints'][number];

function nodeSubgraph(node: ASTNode): string | undefined {
  // federation-internals' addSubgraphToASTNode tags nodes with the subgraph they were parsed from.
  const tagged = node as ASTNode & { subgraph?: unknown };
  return typeof tagged.subgraph === 'string' ? tagged.subgraph : undefined;
}

/** `… in subgraph "a" but … in subgraph "b"`, `from subgraphs "a" and "b"`, `subgraphs "a", "b" and "c"`. */
function subgraphsNamedInMessage(message: string, known: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const mention of message.matchAll(/subgraphs?\s+("[^"]+"(?:\s*(?:,|and|, and)\s*"[^"]+")*)/g)) {
    for (const [, name] of mention[1].matchAll(/"([^"]+)"/g)) if (known.has(name)) found.push(name);
  }
  return found;
}

function locationsOf(error: GraphQLError, owner: string | undefined, known: ReadonlySet<string>): ErrorLocation[] | undefined {
  const fromNodes = (error.nodes ?? []).flatMap((node): ErrorLocation[] => {
    if (!node.loc) return [];
    const { line, column } = getLocation(node.loc.source, node.loc.start);
    // Merge errors (INVALID_FIELD_SHARING, …) carry untagged nodes; their source is named after the subgraph.
    const sourceName = node.loc.source.name;
    const subgraph = nodeSubgraph(node) ?? (known.has(sourceName) ? sourceName : owner);
    return [subgraph === undefined ? { line, column } : { subgraph, line, column }];
  });
  if (fromNodes.length > 0) return fromNodes;
  const plain = error.locations?.map(({ line, column }) => (owner === undefined ? { line, column } : { subgraph: owner, line, column }));
  return plain && plain.length > 0 ? plain : undefined;
}

/**
 * Attributes one composition error. Apollo (1) prefixes errors found while validating a single subgraph with
 * `[name] `, (2) tags AST nodes in `error.nodes` with their subgraph, and (3) for merge errors such as
 * INVALID_FIELD_SHARING names the subgraphs only in the message, with untagged nodes.
 */
export function describeCompositionError(error: GraphQLError, known: ReadonlySet<string>): ComposeError {
  const code = typeof error.extensions.code === 'string' ? error.extensions.code : 'UNKNOWN';
  const prefix = /^\[([^\]]+)\] /.exec(error.message);
  const owner = prefix && known.has(prefix[1]) ? prefix[1] : undefined;
  const message = owner ? error.message.slice(prefix![0].length) : error.message;

  const involved = [
    ...new Set([
      ...(owner ? [owner] : []),
      ...(error.nodes ?? []).map(nodeSubgraph).filter((name): name is string => name !== undefined && known.has(name)),
      ...subgraphsNamedInMessage(message, known),
    ]),
  ];
  const subgraph = owner ?? (involved.length === 1 ? involved[0] : undefined);
  const locations = locationsOf(error, subgraph, known);
  return {
    ...(subgraph !== undefined ? { subgraph } : {}),
    ...(involved.length > 1 ? { subgraphs: involved } : {}),
    code,
    message,
    ...(locations ? { locations } : {}),
  };
}

/**
 * One line per error: `CODE: message (at where:line:column, …)`. `labelOf` names a location's subgraph, e.g. by its
 * file (the compose CLI) — by default its name. The one formatter of the CLI, the check report and start-up errors.
 */
export function formatComposeError(error: ComposeError, labelOf: (subgraph: string) => string = (name) => name): string {
  const where = (error.locations ?? []).map(({ subgraph, line, column }) => `${subgraph === undefined ? '?' : labelOf(subgraph)}:${line}:${column}`);
  return `${error.code}: ${error.message}${where.length > 0 ? ` (at ${where.join(', ')})` : ''}`;
}

/** Flattens Apollo's aggregate errors (a GraphQLError whose `causes` are the real errors) before attributing. */
export function describeCompositionErrors(errors: readonly GraphQLError[], known: ReadonlySet<string>): ComposeError[] {
  return errors.flatMap((error) => errorCauses(error) ?? [error]).map((cause) => describeCompositionError(cause, known));
}

export function describeHint(hint: CompositionHint): ComposeHint {
  return {
    code: hint.definition.code,
    message: hint.message,
    ...(hint.coordinate !== undefined ? { coordinate: hint.coordinate } : {}),
  };
}
