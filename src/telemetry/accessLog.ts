// The access log: one JSON line per GraphQL request at level info (pino). The request's headers are added
// only at debug level, and always pass the same redaction as the main logger, whatever logger the gateway got.
import type { Logger } from 'pino';
import { REDACT_CENSOR, redactPaths } from './logger';
import type { RequestRecord, TelemetryConsumer } from './record';

export class AccessLog implements TelemetryConsumer {
  private readonly log: Logger;
  private readonly withHeaders: boolean;

  constructor(logger: Logger, headersToRedact: Iterable<string>) {
    this.log = logger.child({ log: 'access' }, { redact: { paths: redactPaths(headersToRedact), censor: REDACT_CENSOR } });
    this.withHeaders = this.log.isLevelEnabled('debug');
  }

  request(record: RequestRecord): void {
    if (!this.log.isLevelEnabled('info')) return;
    const line: Record<string, unknown> = {
      requestId: record.requestId,
      client: record.client,
      plan: record.plan,
      operationName: record.operationName,
      operationType: record.operationType,
      operationHash: record.operationHash,
      operationId: record.operationId,
      persisted: record.persisted,
      status: record.status,
      outcome: record.outcome,
      durationMs: Math.round(record.durationMs * 1000) / 1000,
    };
    if (record.rejectionCode) line.rejectionCode = record.rejectionCode;
    if (record.errors) {
      line.errors = record.errors.bySubgraph;
      line.errorCodes = record.errors.byCode;
    }
    if (record.cost) line.cost = record.cost;
    if (this.withHeaders) line.headers = record.headers;
    this.log.info(line, 'request');
  }
}
