// The spec URLs Tollgate reads and the one resolution of `@link` renames (https://specs.apollo.dev/link/v1.0):
// which local name a schema gives a spec's directive. Authorization, cost, rate limits and REST descriptions all
// find their directives through here; what the directives mean stays with them.
import { Kind, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';

/** URL prefixes (up to the version) of the specs Tollgate links or reads. */
export const SPEC_URLS = {
  link: 'https://specs.apollo.dev/link/',
  federation: 'https://specs.apollo.dev/federation/v2.',
  authenticated: 'https://specs.apollo.dev/authenticated/v',
  requiresScopes: 'https://specs.apollo.dev/requiresScopes/v',
  policy: 'https://specs.apollo.dev/policy/v',
  cost: 'https://specs.apollo.dev/cost/v',
  connect: 'https://specs.apollo.dev/connect/',
  rateLimit: 'https://tollgate.dev/rateLimit/',
  rest: 'https://specs.tollgate.dev/rest/',
} as const;

export type SpecName = keyof typeof SPEC_URLS;

/** One `@link` on the schema: its URL, `as:` and imports (`"@name"` → the local name, without `@`). */
export interface SpecLink {
  url: string;
  as?: string;
  imports: ReadonlyMap<string, string>;
  node: ConstDirectiveNode;
}

/** The schema's first `@link` to `spec` (any version), read from `schema { … }` / `extend schema`. */
export function findLink(document: DocumentNode, spec: SpecName): SpecLink | undefined {
  const prefix = SPEC_URLS[spec];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const link = readLink(directive);
      if (link?.url.startsWith(prefix)) return link;
    }
  }
  return undefined;
}

/** Reads one `@link` directive; undefined when it has no string `url`. */
export function readLink(directive: ConstDirectiveNode): SpecLink | undefined {
  const args = Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)])) as Record<string, unknown>;
  if (typeof args.url !== 'string') return undefined;
  const imports = new Map<string, string>();
  for (const entry of Array.isArray(args.import) ? (args.import as unknown[]) : []) {
    if (typeof entry === 'string') imports.set(entry, entry.replace(/^@/, ''));
    else if (entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') {
      const { name, as } = entry as { name: string; as?: unknown };
      imports.set(name, (typeof as === 'string' ? as : name).replace(/^@/, ''));
    }
  }
  return { url: args.url, as: typeof args.as === 'string' ? args.as : undefined, imports, node: directive };
}

/**
 * The local name of `directive` (e.g. `"@listSize"`) of the spec `specName` linked by `link`: its import (with
 * rename) if imported; else the spec's namesake directive is the spec's name (or `as:`), and any other is
 * `<as or spec name>__<directive>` — the link spec's rules. `bareWhenUnimported`: Tollgate's REST spec has always
 * accepted its directives unimported under their own names (docs/rest.md); kept for those files.
 */
export function linkedName(link: SpecLink, directive: `@${string}`, specName: string, options: { bareWhenUnimported?: boolean } = {}): string {
  const imported = link.imports.get(directive);
  if (imported) return imported;
  const bare = directive.slice(1);
  if (options.bareWhenUnimported) return bare;
  if (bare === specName) return link.as ?? specName;
  return `${link.as ?? specName}__${bare}`;
}
