// Answers an operation with @defer as multipart/mixed incremental delivery: the primary operation and every deferred
// part are started at once through the engine (each a whole plan: root fetch, entity fetches); the initial payload
// goes out when the primary is done, each part's items when it is done (and the initial payload was sent). The
// policy stage already ran on the whole operation; its removals are applied to the piece that selects them, and the
// cost is measured on all pieces together and settled once, at the end (docs/defer.md).
import type { ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';
import type { TollgateContext } from '../pipeline/context';
import type { ExecutionEngine, GraphQLParams, HttpAnswer } from '../pipeline/request';
import { measureActualCost } from '../policy/cost/policy';
import type { PolicyRemoval } from '../policy/stage';
import { stripHelper, type JsonObject } from '../policy/patchResponse';
import { summarizeErrors } from '../telemetry/errorSummary';
import { deepMerge } from '../execute/plan/entities';
import { DEFER_CONTENT_TYPE, MultipartWriter } from './multipart';
import { incrementalItems, type ClassifiedRemovals } from './payloads';
import type { DeferSplit, DeferredPart } from './splitDefer';

type JsonMap = Record<string, unknown>;

interface PieceResult {
  status: number;
  answer?: HttpAnswer;
  data?: JsonMap | null;
  errors?: GraphQLFormattedError[];
}

export interface DeferredRun {
  engine: ExecutionEngine;
  /** The request as executed (after policy rewrites); `query` is replaced per piece. */
  params: GraphQLParams;
  context: TollgateContext;
  split: DeferSplit;
  removals?: ClassifiedRemovals;
  typenameHelper: boolean;
  /** Reconciles the cost budget (PolicyStage.settle); its result becomes the last payload's `extensions.cost`. */
  settle?: (actual: number | undefined) => Promise<Record<string, unknown> | undefined>;
  /** Sets the response's status and headers (request id, CORS, policy headers) before the first byte. */
  writeHead: (status: number, headers: ReadonlyArray<readonly [string, string]>) => void;
}

/**
 * Runs and writes the answer. When the primary is refused (not a 200: validation, supergraph not ready) that answer
 * is returned unsent, for the caller to send as usual; otherwise the record of what was streamed.
 */
export async function answerDeferred(res: ServerResponse, run: DeferredRun): Promise<{ streamed: false; answer: HttpAnswer } | { streamed: true; answer: HttpAnswer }> {
  const { split } = run;
  const primaryRun = runPiece(run, split.primary, run.removals?.primary ?? []);
  const partRuns = split.parts.map((part) => runPiece(run, part.query, run.removals?.parts.get(part.id) ?? []).then((result) => ({ part, result })));
  const primary = await primaryRun;
  if (primary.status !== 200 || !primary.answer || primary.data === undefined) {
    // The parts ran the same document's pieces: they fail the same way, and nobody waits for them.
    for (const p of partRuns) p.catch(() => undefined);
    return { streamed: false, answer: primary.answer ?? internalError('the @defer primary operation failed') };
  }

  run.writeHead(200, [
    ['content-type', DEFER_CONTENT_TYPE],
    ['cache-control', 'no-store'],
  ]);
  const writer = new MultipartWriter(res);
  const allErrors: GraphQLFormattedError[] = [...(primary.errors ?? [])];
  const merged: JsonMap = {};
  if (primary.data) deepMerge(merged, structuredCloneJson(primary.data));
  // A null root (a non-null root field failed): nothing can be deferred into it.
  const hasNext = primary.data !== null && split.parts.length > 0;
  writer.part(withErrors({ data: primary.data }, primary.errors, { hasNext }));

  let last: { part: DeferredPart; result: PieceResult } | undefined;
  if (hasNext) {
    let remaining = partRuns.length;
    await Promise.all(
      partRuns.map(async (running) => {
        const done = await running;
        remaining--;
        if (done.result.errors) allErrors.push(...done.result.errors);
        if (done.result.data) deepMerge(merged, done.result.data);
        // The last one waits for the cost settlement, whose result goes in it.
        if (remaining === 0) last = done;
        else writeItems(writer, primary.data, done.part, done.result, true);
      }),
    );
  }
  const cost = run.context.cost;
  const actual = cost ? measureActualCost(cost, merged) : undefined;
  if (cost) cost.actual = actual;
  const extension = run.settle ? await run.settle(actual) : undefined;
  const extensions = extension ? { cost: extension } : undefined;
  if (last) writeItems(writer, primary.data, last.part, last.result, false, extensions);
  else if (extensions) writer.part({ hasNext: false, extensions });
  writer.end();
  const summary = allErrors.length > 0 ? summarizeErrors(allErrors, true) : undefined;
  return { streamed: true, answer: { status: 200, headers: [['content-type', DEFER_CONTENT_TYPE]], body: '', actualCost: actual, errors: summary } };
}

function writeItems(writer: MultipartWriter, initialData: unknown, part: DeferredPart, result: PieceResult, hasNext: boolean, extensions?: JsonMap): void {
  const items = incrementalItems(initialData, part, result.data, result.errors);
  const payload: JsonMap = items.length > 0 ? { incremental: items, hasNext } : { hasNext };
  if (extensions) payload.extensions = extensions;
  // Nothing to say and more to come: no empty part.
  if (items.length === 0 && hasNext) return;
  writer.part(payload);
}

function withErrors(payload: JsonMap, errors: GraphQLFormattedError[] | undefined, rest: JsonMap): JsonMap {
  return errors && errors.length > 0 ? { errors, ...payload, ...rest } : { ...payload, ...rest };
}

/** Runs one piece through the engine as a plain JSON request, with its own share of the policy removals. */
async function runPiece(run: DeferredRun, query: string, removals: readonly PolicyRemoval[]): Promise<PieceResult> {
  // Per piece: its own removals, no cost (measured once over all pieces), its own error summary.
  const context: TollgateContext = { ...run.context, policy: removals.length > 0 ? { removals: [...removals], typenameHelper: run.typenameHelper } : undefined, cost: undefined, telemetry: {} };
  let answer: HttpAnswer;
  try {
    answer = await run.engine.execute({ ...run.params, query }, context, 'application/json');
  } catch (error) {
    const failed = internalError((error as Error).message);
    return { status: 500, answer: failed, errors: [{ message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
  }
  let parsed: { data?: JsonMap | null; errors?: GraphQLFormattedError[] };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    return { status: 500, answer: internalError('an engine answer was not JSON'), errors: [{ message: 'an engine answer was not JSON', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
  }
  if (run.typenameHelper && parsed.data) stripHelper(parsed.data as JsonObject);
  return { status: answer.status, answer, data: parsed.data, errors: parsed.errors };
}

/** The merge for cost measurement must not alias the initial payload's objects (the parts merge into it). */
function structuredCloneJson(value: JsonMap): JsonMap {
  return JSON.parse(JSON.stringify(value)) as JsonMap;
}

function internalError(message: string): HttpAnswer {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  return { status: 500, headers: [['content-type', 'application/json; charset=utf-8']], body, rejection: 'INTERNAL_SERVER_ERROR' };
}
