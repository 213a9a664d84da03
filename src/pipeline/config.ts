// Config sections the request pipeline reads before execution: operation `limits` and inbound `dedupe`.
// docs/configuration.md mirrors them.
import { z } from 'zod';
import { bool, int } from '../config/fields';

/** Operation limits, checked once per distinct query text before anything else runs. 0 turns one off. */
export const limitsConfig = z
  .strictObject({
    maxDepth: int(0).default(15),
    maxAliases: int(0).default(30),
    maxRootFields: int(0).default(20),
    maxTokens: int(0).default(15_000),
    /** Field selections after expanding fragments (stops fragment fan-out bombs that stay shallow and short). */
    maxFields: int(0).default(10_000),
    /** Longest accepted `operationName`: it reaches logs, metrics and errors, so it is bounded (GraphQL names are short). */
    maxOperationNameLength: int(0).default(256),
    /** Deepest nesting of `variables` and `extensions` JSON (arrays and objects); deeper input is refused before anything walks it. */
    maxVariablesDepth: int(1).default(64),
  })
  .prefault({});

/** Identical queries in flight at once (same document, operation, variables, identity and forwarded headers) run once. */
export const dedupeConfig = z.strictObject({ inbound: bool.default(true) }).prefault({});
