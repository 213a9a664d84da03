// Reads the cost spec's @cost and @listSize (https://specs.apollo.dev/cost/v0.1, imported in subgraphs from
// federation v2.9+) from the supergraph SDL — @apollo/gateway's API schema drops them — plus each field's
// @join__field(requires:), whose selection the estimate adds (the planner fetches it even when not asked for).
import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import { findLink, linkedName } from '../../util/specLinks';

export interface ListSize {
  assumedSize?: number;
  slicingArguments?: readonly string[];
  sizedFields?: readonly string[];
  /** The spec's default is true: exactly one slicing argument must have a value. */
  requireOneSlicingArgument: boolean;
}

export interface CostDirectives {
  /** @cost on fields, by "Type.field". */
  fields: ReadonlyMap<string, number>;
  /** @cost on objects, scalars and enums: the weight of any field returning the type (unless the field has its own). */
  types: ReadonlyMap<string, number>;
  /** @cost on arguments, by "Type.field(arg:)". */
  arguments: ReadonlyMap<string, number>;
  /** @cost on input fields, by "Input.field". */
  inputFields: ReadonlyMap<string, number>;
  listSizes: ReadonlyMap<string, ListSize>;
  /** @requires field sets, by "Type.field". */
  requires: ReadonlyMap<string, string>;
}

export function readCostDirectives(supergraphSdl: string): CostDirectives {
  const document = parse(supergraphSdl, { noLocation: true });
  const names = costDirectiveNames(document);
  const fields = new Map<string, number>();
  const types = new Map<string, number>();
  const args = new Map<string, number>();
  const inputFields = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const requires = new Map<string, string>();

  const weightOf = (directives: readonly ConstDirectiveNode[] | undefined): number | undefined => {
    const directive = directives?.find((d) => d.name.value === names.cost);
    const weight = directive && argumentValues(directive).weight;
    // A weight lowers nothing: a negative @cost counts as 0 (a total must never be talked down field by field).
    return typeof weight === 'number' && Number.isFinite(weight) ? Math.max(0, weight) : undefined;
  };

  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const typeWeight = weightOf(definition.directives);
        if (typeWeight !== undefined) types.set(definition.name.value, typeWeight);
        for (const field of definition.fields ?? []) {
          const coordinate = `${definition.name.value}.${field.name.value}`;
          const weight = weightOf(field.directives);
          if (weight !== undefined) fields.set(coordinate, weight);
          const listSize = field.directives?.find((d) => d.name.value === names.listSize);
          if (listSize) listSizes.set(coordinate, readListSize(listSize));
          for (const join of field.directives ?? []) {
            if (join.name.value !== 'join__field') continue;
            const fieldSet = argumentValues(join).requires;
            if (typeof fieldSet === 'string') requires.set(coordinate, fieldSet);
          }
          for (const arg of field.arguments ?? []) {
            const argWeight = weightOf(arg.directives);
            if (argWeight !== undefined) args.set(`${coordinate}(${arg.name.value}:)`, argWeight);
          }
        }
        break;
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        for (const field of definition.fields ?? []) {
          const weight = weightOf(field.directives);
          if (weight !== undefined) inputFields.set(`${definition.name.value}.${field.name.value}`, weight);
        }
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION: {
        const weight = weightOf(definition.directives);
        if (weight !== undefined) types.set(definition.name.value, weight);
        break;
      }
      default:
        break;
    }
  }
  return { fields, types, arguments: args, inputFields, listSizes, requires };
}

function readListSize(directive: ConstDirectiveNode): ListSize {
  const args = argumentValues(directive);
  const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : undefined);
  return {
    // Not a size (negative, fractional): as if absent, so `cost.listSize` applies.
    assumedSize: typeof args.assumedSize === 'number' && Number.isInteger(args.assumedSize) && args.assumedSize >= 0 ? args.assumedSize : undefined,
    slicingArguments: strings(args.slicingArguments),
    sizedFields: strings(args.sizedFields),
    requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
  };
}

function argumentValues(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

/**
 * The names the supergraph uses: @cost is the cost spec's namesake (its link's `as:` renames it), @listSize is
 * imported (possibly `{ name: "@listSize", as: … }`). Without a cost link, the plain names (plain SDL in tests).
 */
function costDirectiveNames(document: DocumentNode): { cost: string; listSize: string } {
  const link = findLink(document, 'cost');
  if (!link) return { cost: 'cost', listSize: 'listSize' };
  return { cost: linkedName(link, '@cost', 'cost'), listSize: linkedName(link, '@listSize', 'cost') };
}
