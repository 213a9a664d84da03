// Reads rover's supergraph.yaml (https://www.apollographql.com/docs/rover/commands/supergraphs#yaml-configuration-file)
// into a validated, variable-expanded RoverConfig. Reading schema files and fetching SDL is left to compose.ts.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { expandTree, roverLookup, type PathSegment } from './envExpansion';

/** Only Federation 2 is composable here (@apollo/composition 2.x); `exact` is the pinned version, if any. */
export interface FederationVersion {
  major: 2;
  /** e.g. `2.9.3` for `=2.9.3` / `v2.9.3`; undefined for `2` / `latest-2`. */
  exact?: string;
  raw: string;
}

export type SchemaSource =
  | { kind: 'file'; /** absolute */ file: string }
  | { kind: 'subgraph_url'; subgraphUrl: string; introspectionHeaders: Record<string, string> }
  | { kind: 'sdl'; sdl: string };

export interface RoverSubgraph {
  name: string;
  /** Undefined only for `subgraph_url` sources, where rover routes to the introspection URL. */
  routingUrl: string | undefined;
  schema: SchemaSource;
}

export interface RoverConfig {
  federationVersion: FederationVersion | undefined;
  subgraphs: RoverSubgraph[];
}

export interface ParseRoverConfigOptions {
  /** Folder that relative `schema.file` and `${file.…}` paths are resolved against (the YAML file's folder). */
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a `${file.…}` reference; undefined means "does not exist". Defaults to a sync fs read. */
  readFile?: (absolutePath: string) => string | undefined;
  /** Names the config in error messages, e.g. its path. @default "supergraph config" */
  sourceName?: string;
}

/** Every problem found in one config, each as `key.path: what is wrong`. */
export class RoverConfigError extends Error {
  constructor(
    readonly issues: string[],
    readonly source = 'supergraph config',
  ) {
    super(`Invalid ${source}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'RoverConfigError';
  }
}

export const GRAPHREF_UNSUPPORTED = 'graphref sources need GraphOS; use schema.file or schema.subgraph_url';

const httpUrl = z.string().refine((value) => {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

const sourceSchemas = {
  file: z.strictObject({ file: z.string().min(1, 'must not be empty') }),
  subgraph_url: z.strictObject({
    subgraph_url: httpUrl,
    introspection_headers: z.record(z.string(), z.string()).optional(),
  }),
  sdl: z.strictObject({ sdl: z.string() }),
};
type RawSource =
  | { kind: 'file'; value: z.infer<typeof sourceSchemas.file> }
  | { kind: 'subgraph_url'; value: z.infer<typeof sourceSchemas.subgraph_url> }
  | { kind: 'sdl'; value: z.infer<typeof sourceSchemas.sdl> };

// Rover's SchemaSource is an untagged enum, so the key that is present picks the variant; we say which keys clash
// instead of zod's generic "no union member matched".
const schemaSource = z.unknown().transform((value, ctx): RawSource => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be a mapping with one of file, subgraph_url, sdl' });
    return z.NEVER;
  }
  const keys = Object.keys(value);
  if (keys.includes('graphref') || keys.includes('subgraph')) {
    ctx.addIssue({ code: 'custom', message: GRAPHREF_UNSUPPORTED });
    return z.NEVER;
  }
  const kinds = (['file', 'subgraph_url', 'sdl'] as const).filter((kind) => keys.includes(kind));
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        kinds.length === 0
          ? 'needs exactly one of file, subgraph_url, sdl'
          : `has ${kinds.join(' and ')}; use exactly one of file, subgraph_url, sdl`,
    });
    return z.NEVER;
  }
  const kind = kinds[0];
  const parsed = sourceSchemas[kind].safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }
  return { kind, value: parsed.data } as RawSource;
});

const subgraphSchema = z
  .strictObject({ routing_url: z.string().optional(), schema: schemaSource })
  .superRefine((subgraph, ctx) => {
    // Same rule as rover: only an introspection URL can stand in for a missing routing_url.
    if (subgraph.routing_url === undefined && subgraph.schema.kind !== 'subgraph_url') {
      ctx.addIssue({
        code: 'custom',
        path: ['routing_url'],
        message: `is required for schema.${subgraph.schema.kind} sources (only schema.subgraph_url can supply it)`,
      });
    }
  });

const federationVersion = z.union([z.string(), z.number()]).transform((value, ctx): FederationVersion => {
  const raw = String(value);
  const exact = /^[=v](\d+)\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(raw);
  const major = exact ? Number(exact[1]) : { '0': 0, '1': 1, '2': 2, '3': 3 }[raw.replace(/^latest-/, '')];
  if (major === 2) return exact ? { major: 2, exact: raw.slice(1), raw } : { major: 2, raw };
  ctx.addIssue({
    code: 'custom',
    message:
      major === undefined
        ? `"${raw}" is not a federation version: use 2, latest-2, or an exact version such as =2.9.3`
        : `"${raw}" is Federation ${major === 0 ? 1 : major}; Tollgate composes Federation 2 only ` +
          '(@apollo/composition 2.x): use 2 or =2.x.y',
  });
  return z.NEVER;
});

const configSchema = z.strictObject({
  federation_version: federationVersion.optional(),
  subgraphs: z
    .record(z.string(), subgraphSchema, { error: 'must be a mapping of subgraph name to { routing_url, schema }' })
    .refine((subgraphs) => Object.keys(subgraphs).length > 0, 'must list at least one subgraph'),
});

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`)
      : [`${formatPath(issue.path)}: ${issue.message}`],
  );
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Parses and validates supergraph.yaml text. Throws RoverConfigError listing every problem found. */
export function parseRoverConfig(text: string, options: ParseRoverConfigOptions): RoverConfig {
  const source = options.sourceName;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new RoverConfigError(doc.errors.map((e) => `YAML: ${e.message}`), source);
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RoverConfigError(['(root): must be a mapping with a `subgraphs` key'], source);
  }

  const expansionIssues: string[] = [];
  const lookup = roverLookup({
    env: options.env,
    baseDir: options.baseDir,
    readFile: options.readFile ?? readIfExists,
    resolvePath: resolve,
  });
  const expanded = expandTree(raw, lookup, (path: PathSegment[], err) =>
    expansionIssues.push(`${formatPath(path)}: ${err.message}`),
  );
  if (expansionIssues.length > 0) throw new RoverConfigError(expansionIssues, source);

  const parsed = configSchema.safeParse(expanded);
  if (!parsed.success) throw new RoverConfigError(formatIssues(parsed.error.issues), source);

  return {
    federationVersion: parsed.data.federation_version,
    subgraphs: Object.entries(parsed.data.subgraphs).map(([name, subgraph]): RoverSubgraph => {
      const { schema } = subgraph;
      const resolved: SchemaSource =
        schema.kind === 'file'
          ? { kind: 'file', file: resolve(options.baseDir, schema.value.file) }
          : schema.kind === 'sdl'
            ? { kind: 'sdl', sdl: schema.value.sdl }
            : {
                kind: 'subgraph_url',
                subgraphUrl: schema.value.subgraph_url,
                introspectionHeaders: schema.value.introspection_headers ?? {},
              };
      return { name, routingUrl: subgraph.routing_url, schema: resolved };
    }),
  };
}

/** Reads and parses a supergraph.yaml; relative paths in it are anchored at the file's folder. */
export function loadRoverConfig(path: string, env: NodeJS.ProcessEnv = process.env): RoverConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RoverConfigError([`cannot read ${path}: ${(err as Error).message}`], path);
  }
  return parseRoverConfig(text, { baseDir: dirname(resolve(path)), env, sourceName: path });
}
