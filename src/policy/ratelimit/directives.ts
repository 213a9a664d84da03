// Reads @rateLimit from the supergraph SDL. Subgraphs declare it with graphql-rate-limit's arguments, link it
// (https://tollgate.dev/rateLimit/v1.0) and compose it with @composeDirective; @apollo/gateway's API schema drops
// it, so the supergraph is the source. The link's `as:` and import renames are honoured.
import { Kind, parse, valueFromASTUntyped, type DocumentNode } from 'graphql';
import { parseDuration } from '../../config/units';

export const RATE_LIMIT_SPEC = 'https://tollgate.dev/rateLimit/v1.0';

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

/** The name the supergraph uses for @rateLimit: from the spec link's import (`{ name, as }`), else `as:`, else the spec name. */
function directiveName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const args = Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)])) as Record<string, unknown>;
      if (typeof args.url !== 'string' || !args.url.startsWith('https://tollgate.dev/rateLimit/')) continue;
      for (const entry of Array.isArray(args.import) ? args.import : []) {
        if (entry === '@rateLimit') return 'rateLimit';
        if (entry && typeof entry === 'object' && (entry as { name?: unknown }).name === '@rateLimit') {
          const as = (entry as { as?: unknown }).as;
          return typeof as === 'string' ? as.replace(/^@/, '') : 'rateLimit';
        }
      }
      return `${typeof args.as === 'string' ? args.as : 'rateLimit'}__rateLimit`;
    }
  }
  return undefined;
}
