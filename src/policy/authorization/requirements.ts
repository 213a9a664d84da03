// Reads Apollo's auth directives (@authenticated, @requiresScopes, @policy — Federation 2.5+) from the
// supergraph SDL. The API schema @apollo/gateway serves has dropped them, so the supergraph is the source.
// Directive names follow the supergraph's @link (an `as:` rename is honoured).
import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import { findLink, linkedName } from '../../util/specLinks';

/** What one schema element demands: all present parts must hold. Scopes/policies are OR-of-AND lists. */
export interface Requirement {
  authenticated: boolean;
  /** Any inner list fully held satisfies it: [["a","b"],["c"]] = (a AND b) OR c. */
  scopes?: string[][];
  policies?: string[][];
}

export interface AuthRequirements {
  /** By "Type.field". */
  fields: ReadonlyMap<string, Requirement>;
  /** By type name (object, interface, scalar, enum): any field returning the type carries it. */
  types: ReadonlyMap<string, Requirement>;
  /** Every @policy name used, so a missing rule is found at load, not at request time. */
  policyNames: ReadonlySet<string>;
  isEmpty: boolean;
}

const SPECS = { authenticated: 'authenticated', requiresScopes: 'requiresScopes', policy: 'policy' } as const;

export function readAuthRequirements(supergraphSdl: string): AuthRequirements {
  const document = parse(supergraphSdl, { noLocation: true });
  const names = directiveNames(document);
  const fields = new Map<string, Requirement>();
  const types = new Map<string, Requirement>();
  const policyNames = new Set<string>();

  const requirementOf = (directives: readonly ConstDirectiveNode[] | undefined): Requirement | undefined => {
    let requirement: Requirement | undefined;
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name === names.authenticated) {
        requirement = { ...(requirement ?? { authenticated: false }), authenticated: true };
      } else if (name === names.requiresScopes || name === names.policy) {
        const argName = name === names.requiresScopes ? 'scopes' : 'policies';
        const arg = directive.arguments?.find((a) => a.name.value === argName);
        const value = arg ? (valueFromASTUntyped(arg.value) as unknown) : [];
        const groups = Array.isArray(value) ? value.map((g) => (Array.isArray(g) ? g.map(String) : [String(g)])) : [];
        requirement = requirement ?? { authenticated: false };
        if (name === names.requiresScopes) requirement.scopes = [...(requirement.scopes ?? []), ...groups];
        else {
          requirement.policies = [...(requirement.policies ?? []), ...groups];
          for (const group of groups) for (const policy of group) policyNames.add(policy);
        }
      }
    }
    return requirement;
  };

  for (const definition of document.definitions) {
    if (
      definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
      definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      definition.kind === Kind.INTERFACE_TYPE_EXTENSION
    ) {
      for (const field of definition.fields ?? []) {
        const requirement = requirementOf(field.directives);
        if (requirement) fields.set(`${definition.name.value}.${field.name.value}`, requirement);
      }
    }
    // Objects, interfaces, scalars and enums can carry a type-level requirement.
    if (
      definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      definition.kind === Kind.SCALAR_TYPE_DEFINITION ||
      definition.kind === Kind.ENUM_TYPE_DEFINITION
    ) {
      const requirement = requirementOf(definition.directives);
      if (requirement) types.set(definition.name.value, requirement);
    }
  }
  return { fields, types, policyNames, isEmpty: fields.size === 0 && types.size === 0 };
}

/** The names the supergraph uses for the three directives: each is its spec's namesake (src/util/specLinks.ts). */
function directiveNames(document: DocumentNode): Record<keyof typeof SPECS, string | undefined> {
  const name = (spec: keyof typeof SPECS) => {
    const link = findLink(document, spec);
    return link && linkedName(link, `@${SPECS[spec]}`, SPECS[spec]);
  };
  return { authenticated: name('authenticated'), requiresScopes: name('requiresScopes'), policy: name('policy') };
}

/** Whether a principal with these scopes meets an OR-of-AND scope list. */
export function scopesSatisfy(required: readonly string[][], held: ReadonlySet<string>): boolean {
  return required.some((group) => group.every((scope) => held.has(scope)));
}
