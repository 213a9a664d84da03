// Config section `rest`: per REST source, its `$config` values, header rules and the headers `$context` may read.
// docs/configuration.md#rest and docs/rest.md mirror it.
import { z } from 'zod';
import { headerName } from '../config/fields';
import { headerRule } from '../execute/config';

/** A REST source's header rule: a subgraph header rule, or a verified claim sent as a header (docs/rest.md). */
const restHeaderRule = z.union([headerRule, z.strictObject({ claim: z.strictObject({ name: z.string().min(1), header: headerName }) })]);
export type RestHeaderRule = z.infer<typeof restHeaderRule>;

/** tollgate.yaml settings of one REST source, by its @restSource name. */
const restSourceConfig = z.strictObject({
  /** What the source's mappings read as `$config` (a key per value, any JSON). */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Header rules for this source's calls, after `headers.all` and `headers.subgraphs.<subgraph>`. */
  headers: z.array(restHeaderRule).default([]),
  /** Request headers the source's mappings may read as `$context.headers.<name>` (and inbound dedupe keys on). */
  contextHeaders: z.array(headerName).default([]),
});
export type RestSourceConfig = z.infer<typeof restSourceConfig>;

/** REST descriptions (docs/rest.md). Their sources, headers and timeouts are in the description files themselves. */
export const restConfig = z
  .strictObject({
    /** With supergraph.file: the folder relative `rest:` routing URLs resolve against (rover.yaml's folder at compose time). Default: cwd. */
    baseDir: z.string().optional(),
    /** Per source, by its @restSource name: `$config` values, header rules, headers `$context` may read. */
    sources: z.record(z.string(), restSourceConfig).default({}),
  })
  .prefault({});
