// GraphQL names for what an OpenAPI document calls things: snake_case or kebab-case JSON keys become camelCase
// field names, schema names become PascalCase type names, and anything GraphQL cannot spell is made spellable. Pure.

const GRAPHQL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Type names GraphQL, federation or Tollgate's REST spec already use: an imported schema must not take them. */
const RESERVED_TYPE_NAMES = new Set([
  'String', 'Int', 'Float', 'Boolean', 'ID', 'Query', 'Mutation', 'Subscription',
  '_Any', '_Entity', '_Service', 'FieldSet', 'Import', 'Purpose', 'link__Import', 'link__Purpose', 'federation__FieldSet',
]);

export function isGraphQLName(text: string): boolean {
  return GRAPHQL_NAME.test(text);
}

/** Words of a name: split on anything not a letter or digit, and between a lower-case letter and an upper-case one. */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/** A name that cannot start a GraphQL name (a digit, or nothing left) gets a prefix rather than being dropped. */
function spellable(name: string, prefix: string): string {
  if (name === '') return prefix;
  return /^[0-9]/.test(name) ? `${prefix}${name}` : name;
}

/** `amount_cents` → `amountCents`, `x-rate-limit` → `xRateLimit`, `ID` → `id`, `2fa` → `_2fa`. */
export function camelCase(text: string): string {
  const parts = words(text);
  const joined = parts.map((word, i) => (i === 0 ? word.toLowerCase() === word || word.toUpperCase() === word ? word.toLowerCase() : word[0].toLowerCase() + word.slice(1) : word[0].toUpperCase() + word.slice(1))).join('');
  return spellable(joined, '_');
}

/** `pet_store` → `PetStore`, `order.Item` → `OrderItem`, `String` → `StringType` (a built-in's name is taken). */
export function pascalCase(text: string): string {
  const joined = words(text).map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  const name = spellable(joined, 'T');
  return RESERVED_TYPE_NAMES.has(name) || name.startsWith('__') ? `${name}Type` : name;
}

/** The enum value for a JSON string, or undefined when GraphQL cannot spell it as is (the answer must round-trip). */
export function enumValueName(text: string): string | undefined {
  if (isGraphQLName(text) && !text.startsWith('__') && !['true', 'false', 'null'].includes(text)) return text;
  return undefined;
}

/** Hands out names unique within one namespace (types, or one type's fields): `Pet`, `Pet2`, `Pet3`. */
export class NameRegistry {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  claim(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.taken.has(name); i++) name = `${wanted}${i}`;
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}
