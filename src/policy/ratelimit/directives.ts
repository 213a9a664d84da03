// Reads @rateLimit from the supergraph SDL. Subgraphs declare it with graphql-rate-limit's arguments, link it
// (https://tollgate.dev/rateLimit/v1.0) and compose it with @composeDirective; @apollo/gateway's API schema drops
// it, so the supergraph is the source. The link's `as:` and import renames are honoured.
import { Kind, parse, valueFromASTUntyped, type DocumentNode } from 'graphql';
import { parseDuration } from '../../config/units';
import { findLink, linkedName } from '../../util/specLinks';

/** The directive's arguments, as graphql-rate-limit defines them. */
export interface RateLimitDirective {
  max?: number;
  windowMs?: number;
  identityArgs?: string[];
  arrayLengthField?: string;
  uncountRejected?: boolean;
  message?: string;
}

export interface DirectiveProblem {
  coordinate: string;
  message: string;
}

/** @rateLimit by field coordinate ("Type.field"), and what could not be read. */
export function readRateLimitDirectives(supergraphSdl: string): { fields: Map<string, RateLimitDirective>; problems: DirectiveProblem[] } {
  const document = parse(supergraphSdl, { noLocation: true });
  const fields = new Map<string, RateLimitDirective>();
  const problems: DirectiveProblem[] = [];
  const name = directiveName(document);
  if (!name) return { fields, problems };
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === name);
      if (!directive) continue;
      const coordinate = `${definition.name.value}.${field.name.value}`;
      const args = Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)])) as Record<string, unknown>;
      const windowMs = typeof args.window === 'string' || typeof args.window === 'number' ? parseDuration(args.window) : undefined;
      if (args.window !== undefined && windowMs === undefined) problems.push({ coordinate, message: `window ${JSON.stringify(args.window)} is not a duration like "10s" or "1m"` });
      fields.set(coordinate, {
        max: typeof args.max === 'number' ? args.max : undefined,
        windowMs,
        identityArgs: Array.isArray(args.identityArgs) ? args.identityArgs.map(String) : undefined,
        arrayLengthField: typeof args.arrayLengthField === 'string' ? args.arrayLengthField : undefined,
        uncountRejected: typeof args.uncountRejected === 'boolean' ? args.uncountRejected : undefined,
        message: typeof args.message === 'string' ? args.message : undefined,
      });
    }
  }
  return { fields, problems };
}

/** The name the supergraph uses for @rateLimit (src/util/specLinks.ts resolves the link's renames). */
function directiveName(document: DocumentNode): string | undefined {
  const link = findLink(document, 'rateLimit');
  return link && linkedName(link, '@rateLimit', 'rateLimit');
}
