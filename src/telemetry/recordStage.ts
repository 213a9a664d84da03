// The record stage: the last stage of every request. The pipeline fills a RequestDraft as it goes (operation,
// principal, answer) and hands it here once the answer is written; this turns it into one RequestRecord for the hub
// and ends the request span. It never throws into the pipeline.
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpAnswer } from '../pipeline/request';
import type { Principal } from '../identity/principal';
import type { TollgateContext } from '../pipeline/context';
import { rejectionSummary } from './errorSummary';
import { ANONYMOUS_CLIENT, type CostRecord, type RequestOutcome, type RequestRecord, type TelemetryHub } from './record';
import type { ActiveSpan, Tracing } from './spans';
import { MAX_LABEL_LENGTH, truncate } from '../util/bounded';

export interface RequestDraft {
  requestId: string;
  /** Epoch ms and performance.now() at arrival. */
  startedAt: number;
  start: number;
  headers: IncomingHttpHeaders;
  operationName?: string;
  operationType?: string;
  operationHash?: string;
  /** The persisted id the request named (manifest id or APQ hash), and where its text came from (src/persisted/). */
  operationId?: string;
  persisted?: string;
  /** Audit mode: the operation is not in the manifest. */
  unlisted?: boolean;
  principal?: Principal;
  context?: TollgateContext;
  answer?: HttpAnswer;
  /** The client went away before an answer was written. */
  aborted?: boolean;
  span?: ActiveSpan<RequestRecord>;
}

export interface RecordStage {
  /** Present when tracing is on: the pipeline runs execution inside the request span. */
  readonly tracing?: Tracing;
  begin(requestId: string, headers: IncomingHttpHeaders): RequestDraft;
  finish(draft: RequestDraft, status: number): void;
}

/** The plan of callers whose credentials name none (`clients` in the config), as the limits see it. */
export type PlanDefaults = { anonymousPlan: string; defaultPlan: string };

/** The plan the limits applied: the credentials' own, else the configured default for signed-in or anonymous callers. */
export function planOf(principal: Principal | undefined, plans: PlanDefaults): string {
  return principal?.plan ?? (principal?.authenticated ? plans.defaultPlan : plans.anonymousPlan);
}

export function createRecordStage(hub: TelemetryHub, tracing: Tracing | undefined, plans: PlanDefaults, onError: (error: unknown) => void): RecordStage {
  return {
    tracing,
    begin(requestId, headers) {
      const draft: RequestDraft = { requestId, startedAt: Date.now(), start: performance.now(), headers };
      if (tracing) draft.span = tracing.startRequest(headers);
      return draft;
    },
    finish(draft, status) {
      try {
        const record = toRecord(draft, status, plans);
        hub.request(record);
        draft.span?.end(record);
      } catch (error) {
        onError(error);
      }
    },
  };
}

function toRecord(draft: RequestDraft, status: number, plans: PlanDefaults): RequestRecord {
  const answer = draft.answer;
  const rejectionCode = answer?.rejection ?? (status >= 400 && answer?.errors ? firstCode(answer.errors.byCode) : undefined);
  const errors = answer?.errors ?? (answer?.rejection ? rejectionSummary(answer.rejection) : undefined);
  let outcome: RequestOutcome;
  if (draft.aborted || !answer || status >= 500) outcome = 'error';
  else if (status >= 400) outcome = 'rejected';
  else if (errors) outcome = errors.hasData ? 'partial' : 'error';
  else outcome = 'success';
  const principal = draft.principal;
  return {
    requestId: draft.requestId,
    startedAt: draft.startedAt,
    durationMs: performance.now() - draft.start,
    operationName: draft.operationName,
    operationType: draft.operationType,
    operationHash: draft.operationHash,
    ...(draft.operationId !== undefined ? { operationId: draft.operationId } : {}),
    ...(draft.persisted !== undefined ? { persisted: draft.persisted } : {}),
    ...(draft.unlisted ? { unlisted: true } : {}),
    client: principal?.client === undefined ? ANONYMOUS_CLIENT : truncate(principal.client, MAX_LABEL_LENGTH),
    plan: planOf(principal, plans),
    status,
    outcome,
    rejectionCode,
    errors,
    cost: costOf(draft),
    headers: draft.headers,
  };
}

/** The cost policy's units, when it ran: estimated per request, actual from the (possibly shared) answer. */
function costOf(draft: RequestDraft): CostRecord | undefined {
  const cost = draft.context?.cost;
  if (!cost) return undefined;
  const actual = draft.answer?.actualCost ?? cost.actual;
  return actual === undefined ? { estimated: cost.estimated } : { estimated: cost.estimated, actual };
}

function firstCode(byCode: Readonly<Record<string, number>>): string | undefined {
  for (const code in byCode) return code;
  return undefined;
}
