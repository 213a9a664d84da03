// Checks a mapped REST answer against the GraphQL type it must fill, so a value that does not fit becomes one coded
// REST_MAPPING_ERROR with a path ("listPrice.amount: expected Int, got string \"12.5\"") instead of graphql-js's
// uncoded coercion error. Pure. Only what the value holds is checked; unselected fields are graphql-js's business.
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLString,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { describeJson, MappingError } from './selection';

const MAX_INT = 2 ** 31 - 1;
const MIN_INT = -(2 ** 31);

/** Throws MappingError at the first place `value` cannot be served as `type`. */
export function conformToType(value: unknown, type: GraphQLOutputType, where = '', schema?: GraphQLSchema): void {
  if (isNonNullType(type)) {
    if (value === null || value === undefined) throw new MappingError(where, `is null, but ${type.toString()} is non-null`);
    conformToType(value, type.ofType, where, schema);
    return;
  }
  if (value === null || value === undefined) return;
  if (isListType(type)) {
    if (!Array.isArray(value)) throw new MappingError(where, `expected a list (${type.toString()}), got ${describeJson(value)}`);
    value.forEach((element, i) => conformToType(element, type.ofType, `${where}[${i}]`, schema));
    return;
  }
  if (isAbstractType(type) && schema) {
    // Resolved from the mapped __typename (the discriminator): it must name a possible type, whose fields then apply.
    if (typeof value !== 'object' || Array.isArray(value)) throw new MappingError(where, `expected an object (${type.name}), got ${describeJson(value)}`);
    const typename = (value as Record<string, unknown>).__typename;
    const possible = schema.getPossibleTypes(type);
    const concrete = possible.find((candidate) => candidate.name === typename);
    if (!concrete) throw new MappingError(where ? `${where}.__typename` : '__typename', `expected one of ${possible.map((t) => t.name).join(', ')} for ${type.name}, got ${describeJson(typename)}`);
    conformToType(value, concrete, where, schema);
    return;
  }
  if (isObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) throw new MappingError(where, `expected an object (${type.name}), got ${describeJson(value)}`);
    const fields = type.getFields();
    for (const [name, fieldValue] of Object.entries(value)) {
      const field = fields[name];
      if (field) conformToType(fieldValue, field.type, where ? `${where}.${name}` : name, schema);
    }
    return;
  }
  if (isEnumType(type)) {
    if (typeof value !== 'string' || !type.getValue(value)) throw new MappingError(where, `expected one of ${type.getValues().map((v) => v.name).join(', ')}, got ${describeJson(value)}`);
    return;
  }
  if (isScalarType(type) && !fitsScalar(value, type.name)) throw new MappingError(where, `expected ${type.name}, got ${describeJson(value)}`);
}

/** Built-in scalars as graphql-js serializes them (String and ID also take numbers); custom scalars take anything. */
function fitsScalar(value: unknown, name: string): boolean {
  switch (name) {
    case GraphQLInt.name:
      return typeof value === 'number' && Number.isInteger(value) && value <= MAX_INT && value >= MIN_INT;
    case GraphQLFloat.name:
      return typeof value === 'number' && Number.isFinite(value);
    case GraphQLString.name:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    case GraphQLBoolean.name:
      return typeof value === 'boolean';
    case GraphQLID.name:
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
    default:
      return true;
  }
}
