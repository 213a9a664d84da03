// What `tollgate check | publish | rollback | history --gateway` accept from a gateway's /admin endpoint: each reply
// is validated (zod) against the shape the formatters read, so a proxy's page or another version's JSON is a clear
// error instead of a crash deep inside a formatter. The shapes are the ones src/publish/ writes.
import { z } from 'zod';
import type { CheckReport } from '../publish/check';
import type { HistoryEntry, HistoryView } from '../publish/history';
import type { PublishOutcome, RollbackOutcome } from '../publish/publish';

const change = z.looseObject({ level: z.enum(['breaking', 'dangerous', 'safe']), type: z.string(), coordinate: z.string().optional(), message: z.string() });
const diff = z.looseObject({ breaking: z.array(change), dangerous: z.array(change), safe: z.array(change) });
const location = z.looseObject({ subgraph: z.string().optional(), line: z.number(), column: z.number() });
const composeError = z.looseObject({
  subgraph: z.string().optional(),
  subgraphs: z.array(z.string()).optional(),
  code: z.string(),
  message: z.string(),
  locations: z.array(location).optional(),
});
const composeHint = z.looseObject({ code: z.string(), message: z.string(), coordinate: z.string().optional() });
const brokenOperation = z.looseObject({ name: z.string().optional(), queryHash: z.string(), client: z.string(), count: z.number(), lastSeen: z.number(), errors: z.array(z.string()) });

const checkReport: z.ZodType<CheckReport> = z.looseObject({
  subgraph: z.string(),
  newSubgraph: z.boolean(),
  base: z.looseObject({ version: z.number().optional(), hash: z.string() }),
  ok: z.boolean(),
  unchanged: z.boolean(),
  composition: z.looseObject({ ok: z.boolean(), errors: z.array(composeError), hints: z.array(composeHint) }),
  changes: diff,
  operations: z.looseObject({ since: z.string(), checked: z.number(), broken: z.array(brokenOperation) }).optional(),
  supergraph: z.looseObject({ hash: z.string() }).optional(),
});

const entry: z.ZodType<HistoryEntry> = z.looseObject({
  version: z.number(),
  hash: z.string(),
  at: z.string(),
  by: z.string(),
  action: z.enum(['baseline', 'publish', 'rollback']),
  subgraph: z.string().optional(),
  restored: z.number().optional(),
  summary: z.string(),
  changes: z.array(change),
  subgraphs: z.record(z.string(), z.looseObject({ url: z.string(), sdl: z.string() })),
});

const publishOutcome: z.ZodType<PublishOutcome> = z.union([
  z.looseObject({ status: z.literal('published'), report: checkReport, entry, baseline: entry.optional() }),
  z.looseObject({ status: z.literal('unchanged'), report: checkReport, baseline: entry.optional() }),
  z.looseObject({ status: z.literal('refused'), reason: z.enum(['composition', 'breaking']), report: checkReport }),
]);

const rollbackOutcome: z.ZodType<RollbackOutcome> = z.looseObject({ entry, target: entry, changes: diff });

const historyView: z.ZodType<HistoryView> = z.looseObject({
  served: z.looseObject({ hash: z.string(), version: z.number().nullable() }).nullable(),
  entries: z.array(z.intersection(entry, z.looseObject({ current: z.boolean() }))),
});

const REPLIES = { checkReport, publishOutcome, rollbackOutcome, historyView };

/** The reply as its type, or an error naming what did not fit (the first problem's path). */
export function readAdminReply<K extends keyof typeof REPLIES>(kind: K, json: unknown, url: string): z.output<(typeof REPLIES)[K]> {
  const parsed = REPLIES[kind].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${url} answered with JSON that is not a ${kind}: ${issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'unexpected shape'}`);
  }
  return parsed.data as z.output<(typeof REPLIES)[K]>;
}
