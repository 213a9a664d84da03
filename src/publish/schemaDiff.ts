// Classifies the differences between two API schemas (what clients see) as breaking, dangerous or safe.
// Breaking and dangerous come from graphql-js 16 (findBreakingChanges / findDangerousChanges); additions are ours.
import {
  findBreakingChanges,
  findDangerousChanges,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  level: ChangeLevel;
  /** graphql-js's BreakingChangeType / DangerousChangeType, or TYPE_ADDED / FIELD_ADDED for additions. */
  type: string;
  /** Schema coordinate the change is about (`Product.weight`, `Query.product(upc:)`, `Color.RED`, `@cached`). */
  coordinate?: string;
  message: string;
}

export interface SchemaDiff {
  breaking: SchemaChange[];
  dangerous: SchemaChange[];
  safe: SchemaChange[];
}

const NAME = '[_A-Za-z][_0-9A-Za-z]*';

/**
 * graphql-js describes each change in prose only; these patterns (one per wording in its findBreakingChanges.js)
 * recover the schema coordinate, so reports and usage checks can point at it.
 */
const COORDINATE_PATTERNS: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [new RegExp(`^(${NAME})\\.(${NAME}) arg (${NAME}) `), (m) => `${m[1]}.${m[2]}(${m[3]}:)`],
  [new RegExp(`^A required arg (${NAME}) on directive (${NAME}) was added`), (m) => `@${m[2]}(${m[1]}:)`],
  [new RegExp(`^An? (?:required|optional) arg (${NAME}) on (${NAME})\\.(${NAME}) was added`), (m) => `${m[2]}.${m[3]}(${m[1]}:)`],
  [new RegExp(`^An? (?:required|optional) field (${NAME}) on input type (${NAME}) was added`), (m) => `${m[2]}.${m[1]}`],
  [new RegExp(`^(${NAME}) was (?:added to|removed from) enum type (${NAME})`), (m) => `${m[2]}.${m[1]}`],
  [new RegExp(`^(${NAME}) was (?:added to|removed from) union type (${NAME})`), (m) => m[2]],
  [new RegExp(`^(${NAME}) added to interfaces implemented by (${NAME})`), (m) => m[2]],
  [new RegExp(`^(${NAME}) no longer implements interface (${NAME})`), (m) => m[1]],
  [new RegExp(`^Standard scalar (${NAME}) was removed`), (m) => m[1]],
  [new RegExp(`^(${NAME})\\.(${NAME}) `), (m) => `${m[1]}.${m[2]}`],
  [new RegExp(`^(${NAME}) changed from `), (m) => m[1]],
];

const DIRECTIVE_PATTERNS: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [new RegExp(`^(${NAME}) was removed from (${NAME})\\.$`), (m) => `@${m[2]}(${m[1]}:)`],
  [new RegExp(`^Repeatable flag was removed from (${NAME})`), (m) => `@${m[1]}`],
  [new RegExp(`^(${NAME}) was removed\\.$`), (m) => `@${m[1]}`],
];

/** The schema coordinate a graphql-js change description is about, when its wording is known. */
export function coordinateOf(type: string, description: string): string | undefined {
  const patterns = type.startsWith('DIRECTIVE_') || type === 'REQUIRED_DIRECTIVE_ARG_ADDED' ? [...DIRECTIVE_PATTERNS, ...COORDINATE_PATTERNS] : COORDINATE_PATTERNS;
  for (const [pattern, coordinate] of patterns) {
    const match = pattern.exec(description);
    if (match) return coordinate(match);
  }
  if (type === 'TYPE_REMOVED') return new RegExp(`^(${NAME}) was removed`).exec(description)?.[1];
  return undefined;
}

function change(level: ChangeLevel, type: string, message: string, coordinate = coordinateOf(type, message)): SchemaChange {
  return coordinate === undefined ? { level, type, message } : { level, type, coordinate, message };
}

/**
 * What graphql-js leaves out because it breaks nothing: added types and output fields, and type changes clients
 * can't notice (an output field made non-null, an argument made nullable). Listed so a history entry says what
 * a version changed; `breaking` and `dangerous` already hold every other change.
 */
export function findSafeChanges(oldSchema: GraphQLSchema, newSchema: GraphQLSchema, reported: ReadonlySet<string> = new Set()): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const oldTypes = oldSchema.getTypeMap();
  for (const [name, type] of Object.entries(newSchema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    const old = oldTypes[name];
    if (!old) {
      changes.push(change('safe', 'TYPE_ADDED', `${name} was added.`, name));
      continue;
    }
    if (!((isObjectType(type) && isObjectType(old)) || (isInterfaceType(type) && isInterfaceType(old)))) continue;
    const oldFields = old.getFields();
    for (const [fieldName, field] of Object.entries(type.getFields())) {
      const coordinate = `${name}.${fieldName}`;
      const oldField = oldFields[fieldName];
      if (!oldField) {
        changes.push(change('safe', 'FIELD_ADDED', `${coordinate} was added.`, coordinate));
        continue;
      }
      // A type change graphql-js did not report (by coordinate) is one it deems safe.
      if (String(oldField.type) !== String(field.type) && !reported.has(coordinate)) {
        changes.push(change('safe', 'FIELD_TYPE_NARROWED', `${coordinate} changed type from ${String(oldField.type)} to ${String(field.type)}.`, coordinate));
      }
      for (const arg of field.args) {
        const oldArg = oldField.args.find((a) => a.name === arg.name);
        const argCoordinate = `${coordinate}(${arg.name}:)`;
        if (oldArg && String(oldArg.type) !== String(arg.type) && !reported.has(argCoordinate)) {
          changes.push(change('safe', 'ARG_TYPE_WIDENED', `${coordinate} arg ${arg.name} changed type from ${String(oldArg.type)} to ${String(arg.type)}.`, argCoordinate));
        }
      }
    }
  }
  return changes;
}

/** Every difference between two API schemas, most severe first. Pure. */
export function diffSchemas(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): SchemaDiff {
  const breaking = findBreakingChanges(oldSchema, newSchema).map((c) => change('breaking', c.type, c.description));
  const dangerous = findDangerousChanges(oldSchema, newSchema).map((c) => change('dangerous', c.type, c.description));
  const reported = new Set([...breaking, ...dangerous].flatMap((c) => (c.coordinate ? [c.coordinate] : [])));
  return { breaking, dangerous, safe: findSafeChanges(oldSchema, newSchema, reported) };
}

export function isAddition(change: SchemaChange): boolean {
  return change.type === 'TYPE_ADDED' || change.type === 'FIELD_ADDED';
}

/** One line per kind, e.g. `2 breaking, 1 addition` — for history entries and logs. */
export function summarizeDiff(diff: SchemaDiff): string {
  const parts: string[] = [];
  if (diff.breaking.length > 0) parts.push(`${diff.breaking.length} breaking`);
  if (diff.dangerous.length > 0) parts.push(`${diff.dangerous.length} dangerous`);
  const additions = diff.safe.filter(isAddition).length;
  if (additions > 0) parts.push(`${additions} addition${additions === 1 ? '' : 's'}`);
  const otherSafe = diff.safe.length - additions;
  if (otherSafe > 0) parts.push(`${otherSafe} safe change${otherSafe === 1 ? '' : 's'}`);
  return parts.length === 0 ? 'no API change' : parts.join(', ');
}
