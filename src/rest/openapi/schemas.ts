// OpenAPI schema objects (3.0 and 3.1, after bundling: every $ref internal) → GraphQL object, input and enum types
// and the selections that map JSON onto them. Pure. What a schema cannot become (free-form maps, unions of
// unlike things) is left out with a note the importer writes as a comment, never guessed.
import { camelCase, enumValueName, isGraphQLName, NameRegistry, pascalCase } from './names';

/** A JSON Schema as OpenAPI writes it; only the keywords the importer reads. */
export interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  additionalProperties?: boolean | SchemaObject;
  description?: string;
  readOnly?: boolean;
  writeOnly?: boolean;
}

export type TypeRef = { kind: 'named'; name: string; nonNull: boolean } | { kind: 'list'; of: TypeRef; nonNull: boolean };

export interface FieldDef {
  name: string;
  /** The JSON property it comes from (or goes to, for an input field). */
  jsonKey: string;
  type: TypeRef;
  description?: string;
}

export interface ObjectDef {
  kind: 'object' | 'input';
  name: string;
  fields: FieldDef[];
  description?: string;
  /** Properties left out, each with why: written as comments in the type. */
  skipped: string[];
}

export interface EnumDef {
  kind: 'enum';
  name: string;
  values: string[];
  description?: string;
}

export type TypeDef = ObjectDef | EnumDef;

const COMPONENT_PREFIX = '#/components/schemas/';
/** How deep a generated selection goes into nested objects before it stops (cycles stop earlier). */
const MAX_SELECTION_DEPTH = 8;

type Resolved = { ok: true; type: TypeRef } | { ok: false; reason: string };

/** Builds GraphQL types from one bundled document's schemas, on demand, each component once per direction. */
export class SchemaTypes {
  readonly types = new Map<string, TypeDef>();
  private readonly names: NameRegistry;
  private readonly componentNames = new Map<string, string>();
  /** Fields some selection could not reach (a cycle, the depth limit): they must be nullable to be honest. */
  private readonly unreached = new Set<string>();

  constructor(private readonly document: Record<string, unknown>, reservedNames: Iterable<string> = []) {
    this.names = new NameRegistry(reservedNames);
  }

  /** Follows internal $refs (any JSON pointer in the document); undefined for a missing or external one. */
  deref(schema: SchemaObject | undefined, seen = new Set<string>()): SchemaObject | undefined {
    let current = schema;
    while (current?.$ref !== undefined) {
      const ref: string = current.$ref;
      if (seen.has(ref) || !ref.startsWith('#/')) return undefined;
      seen.add(ref);
      current = pointer(this.document, ref) as SchemaObject | undefined;
    }
    return current;
  }

  /** The GraphQL type for a schema; `suggested` names an inline object or enum; input: for arguments and bodies. */
  typeOf(schema: SchemaObject | undefined, suggested: string, input: boolean, required: boolean): Resolved {
    if (!schema) return { ok: false, reason: 'no schema' };
    if (schema.$ref?.startsWith(COMPONENT_PREFIX)) {
      const target = this.deref(schema);
      if (!target) return { ok: false, reason: `${schema.$ref} cannot be resolved` };
      const component = decodeURIComponent(schema.$ref.slice(COMPONENT_PREFIX.length)).replace(/~1/g, '/').replace(/~0/g, '~');
      const inner = this.typeOf(target, component, input, required);
      // A component that is only a scalar (an id format, a date) is that scalar; objects and enums keep the name.
      return inner.ok && this.isNamedByComponent(target) ? { ok: true, type: { ...inner.type, nonNull: required && !isNullable(target) } } : inner;
    }
    if (schema.$ref !== undefined) return this.typeOf(this.deref(schema), suggested, input, required);

    const nonNull = required && !isNullable(schema);
    if (schema.allOf) return this.objectType(schema, suggested, input, nonNull);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) return this.variantType(variants, schema, suggested, input, nonNull);

    const type = mainType(schema);
    if (schema.enum) return this.enumType(schema, suggested, nonNull);
    if (type === 'array') {
      if (!schema.items) return { ok: false, reason: 'an array without items' };
      const item = this.typeOf(schema.items, `${suggested}Item`, input, !isNullable(this.deref(schema.items) ?? {}));
      return item.ok ? { ok: true, type: { kind: 'list', of: item.type, nonNull } } : { ok: false, reason: `a list of ${item.reason}` };
    }
    if (type === 'object' || (type === undefined && schema.properties)) return this.objectType(schema, suggested, input, nonNull);
    const scalar = scalarOf(type, schema.format);
    if (scalar) return { ok: true, type: { kind: 'named', name: scalar, nonNull } };
    return { ok: false, reason: type === undefined ? 'a schema without a type' : `type "${type}"` };
  }

  /** Whether the field `typeName.fieldName` was reached by every selection of its type (else it stays nullable). */
  markUnreached(typeName: string, fieldName: string): void {
    this.unreached.add(`${typeName}.${fieldName}`);
  }

  isUnreached(typeName: string, fieldName: string): boolean {
    return this.unreached.has(`${typeName}.${fieldName}`);
  }

  /**
   * The selection that maps a JSON value onto `type`'s fields: `id name photoUrls: photo_urls owner { id }`.
   * Undefined for a scalar or enum (the value is used as it is). Cycles and the depth limit leave fields out.
   */
  selectionFor(type: TypeRef, path: readonly string[] = []): string | undefined {
    const named = namedOf(type);
    const def = this.types.get(named);
    if (!def || def.kind !== 'object') return undefined;
    const items: string[] = [];
    for (const field of def.fields) {
      const key = selectionKey(field);
      const inner = this.types.get(namedOf(field.type));
      if (inner?.kind === 'object') {
        if (path.includes(inner.name) || path.length >= MAX_SELECTION_DEPTH) {
          this.markUnreached(def.name, field.name);
          continue;
        }
        items.push(`${key} { ${this.selectionFor(field.type, [...path, def.name]) ?? ''} }`);
      } else items.push(key);
    }
    return items.join(' ');
  }

  /** The body selection for an input value at `$args.<arg>`: JSON keys on the left, GraphQL names on the right. */
  bodyFor(type: TypeRef, from: string, path: readonly string[] = []): string | undefined {
    const def = this.types.get(namedOf(type));
    if (!def || def.kind !== 'input') return undefined;
    const items: string[] = [];
    for (const field of def.fields) {
      // A body key must be a GraphQL name on the selection's left side; others are listed as skipped.
      if (!isGraphQLName(field.jsonKey)) continue;
      const inner = this.types.get(namedOf(field.type));
      if (inner?.kind === 'input') {
        if (path.includes(inner.name) || path.length >= MAX_SELECTION_DEPTH) continue;
        items.push(`${field.jsonKey}: ${field.name} { ${this.bodyFor(field.type, field.name, [...path, def.name]) ?? ''} }`);
      } else items.push(field.jsonKey === field.name ? field.name : `${field.jsonKey}: ${field.name}`);
    }
    return path.length === 0 ? `${from} { ${items.join(' ')} }` : items.join(' ');
  }

  private isNamedByComponent(target: SchemaObject): boolean {
    return target.enum !== undefined || mainType(target) === 'object' || target.properties !== undefined || target.allOf !== undefined || (target.oneOf ?? target.anyOf) !== undefined;
  }

  private typeName(suggested: string, input: boolean): string {
    const key = `${input ? 'input' : 'output'}:${suggested}`;
    const known = this.componentNames.get(key);
    if (known) return known;
    const name = this.names.claim(pascalCase(suggested) + (input ? 'Input' : ''));
    this.componentNames.set(key, name);
    return name;
  }

  private enumType(schema: SchemaObject, suggested: string, nonNull: boolean): Resolved {
    const values = (schema.enum ?? []).filter((value) => value !== null);
    if (values.every((value) => typeof value === 'string')) {
      const names = values.map((value) => enumValueName(value as string));
      // A value GraphQL cannot spell ("in stock", "1") would not round-trip: the field stays a String.
      if (names.some((name) => name === undefined) || names.length === 0) return { ok: true, type: { kind: 'named', name: 'String', nonNull } };
      const key = `enum:${suggested}`;
      let name = this.componentNames.get(key);
      if (!name) {
        name = this.names.claim(pascalCase(suggested));
        this.componentNames.set(key, name);
        this.types.set(name, { kind: 'enum', name, values: [...new Set(names as string[])], description: schema.description });
      }
      return { ok: true, type: { kind: 'named', name, nonNull } };
    }
    const scalar = scalarOf(mainType(schema) ?? (values.every((v) => Number.isInteger(v)) ? 'integer' : values.every((v) => typeof v === 'number') ? 'number' : undefined), schema.format);
    return scalar ? { ok: true, type: { kind: 'named', name: scalar, nonNull } } : { ok: false, reason: 'an enum of mixed values' };
  }

  private objectType(schema: SchemaObject, suggested: string, input: boolean, nonNull: boolean): Resolved {
    const merged = this.mergeAllOf(schema);
    if (Object.keys(merged.properties).length === 0) return { ok: false, reason: merged.additional ? 'a free-form map (no named properties)' : 'an object without properties' };
    const key = `${input ? 'input' : 'output'}:${suggested}`;
    const existing = this.componentNames.get(key);
    if (existing && this.types.has(existing)) return { ok: true, type: { kind: 'named', name: existing, nonNull } };
    const name = this.typeName(suggested, input);
    const def: ObjectDef = { kind: input ? 'input' : 'object', name, fields: [], description: schema.description, skipped: [] };
    // Registered before its fields are read, so a schema that refers to itself finds its own name.
    this.types.set(name, def);
    const fieldNames = new NameRegistry();
    for (const [jsonKey, property] of Object.entries(merged.properties)) {
      const target = this.deref(property) ?? property;
      if (input ? target.readOnly : target.writeOnly) continue;
      const fieldName = fieldNames.claim(camelCase(jsonKey));
      const resolved = this.typeOf(property, `${suggested}_${jsonKey}`, input, merged.required.has(jsonKey));
      if (!resolved.ok) {
        def.skipped.push(`${jsonKey}: ${resolved.reason}`);
        continue;
      }
      // The selection language quotes a key with " or ' and has no escapes: a key holding both cannot be written.
      if ((jsonKey.includes('"') && jsonKey.includes("'")) || /[\n\r]/.test(jsonKey)) {
        def.skipped.push(`${JSON.stringify(jsonKey)}: a key the selection language cannot quote`);
        continue;
      }
      def.fields.push({ name: fieldName, jsonKey, type: resolved.type, description: target.description });
    }
    if (def.fields.length === 0) {
      this.types.delete(name);
      return { ok: false, reason: `an object none of whose properties can be mapped (${def.skipped.join('; ')})` };
    }
    return { ok: true, type: { kind: 'named', name, nonNull } };
  }

  /** allOf parts (and the schema's own properties) as one object; a part's required list counts. */
  private mergeAllOf(schema: SchemaObject, seen = new Set<SchemaObject>()): { properties: Record<string, SchemaObject>; required: Set<string>; additional: boolean } {
    // Later parts refine earlier ones (a generic envelope, then its typed `data`); the schema's own properties last.
    const properties: Record<string, SchemaObject> = {};
    const required = new Set(schema.required ?? []);
    let additional = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
    for (const part of schema.allOf ?? []) {
      const resolved = this.deref(part);
      if (!resolved || seen.has(resolved)) continue;
      seen.add(resolved);
      const inner = this.mergeAllOf(resolved, seen);
      Object.assign(properties, inner.properties);
      for (const r of inner.required) required.add(r);
      additional ||= inner.additional;
    }
    Object.assign(properties, schema.properties ?? {});
    return { properties, required, additional };
  }

  /**
   * oneOf/anyOf: `T | null` is a nullable T; variants of one scalar type are that scalar; objects merge into one
   * type whose fields are all nullable (Tollgate's connectors cannot fill unions). Anything else is left out.
   */
  private variantType(variants: SchemaObject[], schema: SchemaObject, suggested: string, input: boolean, nonNull: boolean): Resolved {
    const real = variants.filter((variant) => mainType(this.deref(variant) ?? {}) !== 'null');
    const nullable = real.length < variants.length;
    if (real.length === 1) return this.typeOf(real[0], suggested, input, nonNull && !nullable);
    const resolved = real.map((variant) => this.deref(variant) ?? {});
    if (resolved.every((variant) => mainType(variant) === 'object' || variant.properties !== undefined || variant.allOf !== undefined)) {
      const properties: Record<string, SchemaObject> = { ...(schema.properties ?? {}) };
      for (const variant of resolved) for (const [k, v] of Object.entries(this.mergeAllOf(variant).properties)) properties[k] ??= v;
      return this.objectType({ type: 'object', properties, description: schema.description }, suggested, input, nonNull && !nullable);
    }
    const scalars = new Set(resolved.map((variant) => scalarOf(mainType(variant), variant.format)));
    if (scalars.size === 1 && !scalars.has(undefined)) return { ok: true, type: { kind: 'named', name: [...scalars][0] as string, nonNull: nonNull && !nullable } };
    return { ok: false, reason: 'a oneOf/anyOf of unlike types (no GraphQL union from a connector yet)' };
  }
}

/** `type: ["string", "null"]` (3.1) → "string"; 3.0's single type as is. */
function mainType(schema: SchemaObject): string | undefined {
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    return types.length === 1 ? types[0] : types.length === 0 ? 'null' : undefined;
  }
  return schema.type;
}

export function isNullable(schema: SchemaObject): boolean {
  return schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null')) || (schema.oneOf ?? schema.anyOf ?? []).some((v) => v.type === 'null');
}

/** int64 is a Float: GraphQL's Int is 32-bit, and a Float holds integers exactly up to 2^53. */
function scalarOf(type: string | undefined, format: string | undefined): string | undefined {
  switch (type) {
    case 'string':
      return 'String';
    case 'integer':
      return format === 'int64' ? 'Float' : 'Int';
    case 'number':
      return 'Float';
    case 'boolean':
      return 'Boolean';
    default:
      return undefined;
  }
}

export function namedOf(type: TypeRef): string {
  return type.kind === 'named' ? type.name : namedOf(type.of);
}

export function printType(type: TypeRef): string {
  const inner = type.kind === 'named' ? type.name : `[${printType(type.of)}]`;
  return type.nonNull ? `${inner}!` : inner;
}

/** `name`, `amountCents: amount_cents`, or `atType: "@type"` for a key that is not a GraphQL name. */
function selectionKey(field: FieldDef): string {
  if (field.jsonKey === field.name) return field.name;
  return isGraphQLName(field.jsonKey) ? `${field.name}: ${field.jsonKey}` : `${field.name}: ${field.jsonKey.includes('"') ? `'${field.jsonKey}'` : `"${field.jsonKey}"`}`;
}

/** RFC 6901 JSON pointer (`#/components/schemas/Pet`) into the document. */
export function pointer(document: unknown, ref: string): unknown {
  let value = document;
  for (const raw of ref.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
