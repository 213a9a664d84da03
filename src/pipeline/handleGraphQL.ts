// The GraphQL request pipeline: receive → parse → authenticate → policy → dedupe → execute → respond → record.
// Reads top to bottom; each stage either hands on or answers with a coded error (see stages.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { TollgateConfig } from '../config/schema';
import { httpStatusOf, rejectionBody, type ErrorCode } from '../errors';
import type { ExecutionEngine, GraphQLParams, HttpAnswer } from './request';
import { compileHeaderFingerprint } from '../execute/headerRules';
import { restFingerprintRules } from '../rest/sourceConfig';
import { InflightDeduper } from '../execute/inflight';
import { corsHeaders, preflightHeaders } from '../server/cors';
import { isPreflightedRequest } from '../server/csrf';
import { drainRequest, readBody } from '../server/readBody';
import { requestIdFrom } from '../server/requestId';
import { cacheKey } from '../util/cacheKey';
import { OperationAnalyzer } from './analyzeOperation';
import type { Authenticator } from '../identity/authenticate';
import { clientIpOf, compileTrustedProxies } from '../identity/clientIp';
import { withCostExtension } from '../policy/cost/extensions';
import type { PolicyStage, ResponseHeader } from '../policy/stage';
import { summarizeErrors } from '../telemetry/errorSummary';
import type { RecordStage } from '../telemetry/recordStage';
import { clientOf, type UsageRecorder } from '../telemetry/usage/recorder';
import type { TollgateContext } from './context';
import { paramsFromJsonBody, paramsFromSearch } from './graphqlParams';
import { MAX_MESSAGE_LENGTH, truncate } from '../util/bounded';
import type { PersistedOperations } from '../persisted/registry';
import { DeferPlanner } from '../incremental/defer';
import { answerDeferred } from '../incremental/deferResponse';
import type { MultipartEntry } from '../subscriptions/multipart';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** How much of an oversized upload is read and discarded, at least, so the client can read its 413. */
const MIN_DRAIN_BYTES = 8 * 1024 * 1024;

export interface PipelineDeps {
  config: TollgateConfig;
  logger: Logger;
  /** The engine once a supergraph is loaded; undefined before. */
  engine: () => ExecutionEngine | undefined;
  authenticate: Authenticator;
  policies: PolicyStage;
  /** Counts executed operations per client for `tollgate check` (record stage); absent when usage.enabled is false. */
  usage?: UsageRecorder;
  /** The record stage (src/telemetry/): metrics, access log, metering, live windows, traces. */
  record: RecordStage;
  /** Persisted operations (src/persisted/): turns ids into text per the caller's mode. */
  persisted: PersistedOperations;
  /** Apollo's multipart HTTP subscriptions (src/subscriptions/multipart.ts); absent when subscriptions are off. */
  subscriptions?: MultipartEntry;
}

export type GraphQLHandler = (req: IncomingMessage, res: ServerResponse, search: string) => Promise<void>;

export function createGraphQLHandler({ config, logger, engine, authenticate, policies, usage, record, persisted, subscriptions }: PipelineDeps): GraphQLHandler {
  const { server } = config;
  const analyzer = new OperationAnalyzer(config.limits);
  const inbound = new InflightDeduper<HttpAnswer>();
  const headerFingerprint = compileHeaderFingerprint([config.headers.all, ...Object.values(config.headers.subgraphs), ...restFingerprintRules(config.rest.sources)]);
  const trustedProxy = compileTrustedProxies(server.trustedProxies);
  const deferPlanner = new DeferPlanner();

  return async function handleGraphQL(req, res, search) {
    const requestId = requestIdFrom(req.headers[server.requestIdHeader]);
    const cors = corsHeaders(server.cors, req.headers.origin);
    if (req.method === 'OPTIONS') return respondPreflight(res, cors ? { ...cors, ...preflightHeaders(server.cors) } : undefined);
    const draft = record.begin(requestId, req.headers);
    const respond = (answer: HttpAnswer, extra: readonly ResponseHeader[] = []) => {
      draft.answer = answer;
      writeAnswer(res, answer, server.requestIdHeader, requestId, cors, extra);
    };
    try {
      // ── receive ──────────────────────────────────────────────────────────────
      if (req.method !== 'GET' && req.method !== 'POST') {
        return respond(reject('METHOD_NOT_ALLOWED', `${req.method} is not supported; use GET or POST.`, [['allow', 'GET, POST']]));
      }
      if (server.csrfPrevention.enabled && !isPreflightedRequest(req.headers, server.csrfPrevention.requiredHeaders)) {
        return respond(reject('CSRF_PREVENTED', csrfMessage(server.csrfPrevention.requiredHeaders)));
      }
      let received;
      if (req.method === 'POST') {
        const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
        if (mediaType !== 'application/json' && mediaType !== 'application/graphql-response+json') {
          req.resume();
          return respond(reject('UNSUPPORTED_MEDIA_TYPE', 'POST requests must have content-type: application/json.'));
        }
        const body = await readBody(req, server.bodyLimit, server.bodyTimeout);
        if (!body.ok) {
          if (body.reason === 'aborted') {
            draft.aborted = true;
            return void res.destroy();
          }
          res.shouldKeepAlive = false;
          if (body.reason === 'timeout') {
            return respond(reject('REQUEST_TIMEOUT', `The request body did not arrive within ${server.bodyTimeout} ms (server.bodyTimeout).`));
          }
          // Send the 413 at once, then let a client that is still uploading finish (a bounded amount, within
          // bodyTimeout) before the connection closes, so it reads the answer instead of a reset.
          const tooLarge = reject('PAYLOAD_TOO_LARGE', `The request body exceeds ${server.bodyLimit} bytes (server.bodyLimit).`);
          draft.answer = tooLarge;
          writeAnswer(res, tooLarge, server.requestIdHeader, requestId, cors, [], false);
          await drainRequest(req, Math.max(4 * server.bodyLimit, MIN_DRAIN_BYTES), server.bodyTimeout);
          return void res.end();
        }
        received = paramsFromJsonBody(body.body, config.limits.maxVariablesDepth);
      } else {
        received = paramsFromSearch(new URLSearchParams(search), config.limits.maxVariablesDepth);
      }
      if (!received.ok) return respond(reject('BAD_REQUEST', received.message));

      // ── Apollo multipart subscriptions: past receive (CSRF, body), served by src/subscriptions/ ──
      // Its own authenticate, policy and caps, as over WebSocket and SSE; recorded here like a streamed @defer answer.
      if (subscriptions && req.method === 'POST' && subscriptions.takes(req.headers.accept, received.params)) {
        draft.operationType = 'subscription';
        draft.answer = { status: 200, headers: [], body: '' };
        const { query, operationName, variables, extensions } = received.params;
        const head: Record<string, string> = { [server.requestIdHeader]: requestId, ...cors };
        return await subscriptions.handle(req, res, { query, operationName, variables, extensions }, head, requestId);
      }

      // ── persisted operations: the text this request runs (src/persisted/) ───
      // An id becomes its text here, per the caller's mode; from here on the text is judged like sent text.
      // With per-plan or per-client modes the caller must be known first, so authentication runs now.
      const early = persisted.dependsOnCaller ? await authenticate(req.headers) : undefined;
      if (early && !early.ok) return respond(reject('UNAUTHENTICATED', early.message, [['www-authenticate', 'Bearer error="invalid_token"']]));
      const { extensions: sentExtensions, ...sentRest } = received.params;
      const resolution = await persisted.resolve({ query: sentRest.query, extensions: sentExtensions, documentId: received.documentId, operationName: sentRest.operationName }, early?.principal);
      if (!resolution.ok) {
        // A miss must not be cached by a CDN in front of GET requests (Apollo Server sends the same header).
        const headers: Array<[string, string]> = resolution.code === 'PERSISTED_QUERY_NOT_FOUND' ? [['cache-control', 'private, no-cache, must-revalidate']] : [];
        return respond(reject(resolution.code, resolution.message, headers));
      }
      draft.operationId = resolution.id;
      // Recorded only when an id was resolved: a plain text request's log line and metrics stay as they were.
      if (resolution.source !== 'text') draft.persisted = resolution.source;
      draft.unlisted = resolution.unlisted;
      const sent: GraphQLParams = { ...sentRest, query: resolution.query, ...(resolution.extensions ? { extensions: resolution.extensions } : {}) };
      const maxNameLength = config.limits.maxOperationNameLength;
      if (maxNameLength > 0 && sent.operationName !== undefined && sent.operationName.length > maxNameLength) {
        return respond(reject('OPERATION_NAME_TOO_LONG', `"operationName" is longer than ${maxNameLength} characters (limits.maxOperationNameLength).`));
      }
      draft.operationName = sent.operationName;

      // ── parse ────────────────────────────────────────────────────────────────
      const query = resolution.query;
      const analysis = analyzer.analyze(query, sent.operationName);
      if (analysis.kind === 'rejected') {
        const where = analysis.locations ? { locations: analysis.locations } : {};
        return respond(rejectWithDetails(analysis.code, analysis.message, analysis.extensions, where));
      }
      // From here on the request names the operation the analysis resolved, so the engine runs exactly the
      // operation the policies judged, whatever name (or none) the client sent.
      const operationName = analysis.operation.name?.value;
      const { operationName: _sentName, ...rest } = sent;
      const params: GraphQLParams = operationName === undefined ? { ...rest, query } : { ...rest, query, operationName };
      const operationType = analysis.operationType;
      draft.operationHash = analysis.hash;
      draft.operationType = operationType;
      draft.operationName = operationName;
      if (req.method === 'GET' && operationType !== 'query') {
        return respond(reject('METHOD_NOT_ALLOWED', `A ${operationType} must be sent with POST.`, [['allow', 'POST']]));
      }

      // ── authenticate ─────────────────────────────────────────────────────────
      const authenticated = early ?? (await authenticate(req.headers));
      if (!authenticated.ok) {
        return respond(reject('UNAUTHENTICATED', authenticated.message, [['www-authenticate', 'Bearer error="invalid_token"']]));
      }
      const clientIp = clientIpOf(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxy);
      const context: TollgateContext = { requestId, headers: req.headers, principal: authenticated.principal, clientIp, telemetry: {} };
      draft.principal = context.principal;
      draft.context = context;
      // An APQ registration is kept once its text parses to one operation the method allows and the caller's
      // credentials are good (a 401 or 405 stores nothing); every later request by its hash is still authenticated
      // and judged by the policies below, like this one.
      if (resolution.register) await persisted.register(resolution.register);
      if (resolution.unlisted) persisted.audit(analysis.hash, operationName, context.principal.client);

      // ── policy ───────────────────────────────────────────────────────────────
      // Every request that gets past parse has exactly one resolved operation, and every one is judged here.
      let executed: GraphQLParams = params;
      const outcome = await policies.run({
        query,
        operationName,
        variables: params.variables,
        document: analysis.document,
        operation: analysis.operation,
        principal: context.principal,
        clientIp,
        wantsCost: params.extensions?.cost === true,
        requestId,
      });
      if (outcome.kind === 'reject') {
        const body = JSON.stringify(outcome.extensions ? { errors: outcome.errors, extensions: outcome.extensions } : { errors: outcome.errors });
        return respond({ status: outcome.status, headers: [['content-type', JSON_CONTENT_TYPE]], body, rejection: outcome.code, errors: summarizeErrors(outcome.errors, false) }, outcome.headers);
      }
      const policyHeaders = outcome.headers;
      context.cost = outcome.cost;
      if (outcome.removals.length > 0) {
        executed = { ...params, query: outcome.query };
        context.policy = { removals: outcome.removals, typenameHelper: outcome.typenameHelper };
      }

      // ── @defer (src/incremental/): split and streamed as multipart, or run whole without it ──
      const running = engine();
      if (!running) return respond(reject('SUPERGRAPH_NOT_READY', 'No supergraph is loaded yet; see /ready.'));
      const accept = req.headers.accept;
      const deferred = deferPlanner.decide({
        query,
        document: analysis.document,
        operation: analysis.operation,
        operationName,
        variables: params.variables,
        executed: executed.query ?? query,
        removals: outcome.removals,
        accept,
      });
      if (deferred.kind === 'whole') executed = { ...executed, query: deferred.query };
      if (deferred.kind === 'stream') {
        const cost = context.cost;
        const streamed = await answerDeferred(res, {
          engine: running,
          params: executed,
          context,
          split: deferred.split,
          removals: deferred.removals,
          typenameHelper: outcome.typenameHelper,
          settle: cost ? (actual) => policies.settle(cost, actual) : undefined,
          writeHead: (status, headers) => writeHead(res, status, [...headers, ...policyHeaders], server.requestIdHeader, requestId, cors),
        });
        if (!streamed.streamed) {
          // Answered whole (e.g. the primary part was refused): the charge is reconciled as on the plain path.
          if (cost) await policies.settle(cost, streamed.answer.actualCost);
          return respond(streamed.answer, policyHeaders);
        }
        draft.answer = streamed.answer;
        if (usage) usage.record(query, operationName, clientOf(context.principal));
        return;
      }

      // ── dedupe + plan + execute ──────────────────────────────────────────────
      const span = draft.span;
      // With tracing on, execution runs inside the request span, so @apollo/gateway's spans become its children.
      const execute = span ? () => span.run(() => running.execute(executed, context, accept)) : () => running.execute(executed, context, accept);
      // The key holds the executed (policy-rewritten) query and the principal: callers share an answer only
      // when they would get the very same one.
      let answer =
        config.dedupe.inbound && operationType === 'query'
          ? await inbound.run(inboundKey(executed, context, headerFingerprint(req.headers), accept), execute)
          : await execute();

      // ── respond ──────────────────────────────────────────────────────────────
      // Per request even when the execution was shared: each request was charged, each is reconciled.
      if (context.cost) {
        const extension = await policies.settle(context.cost, answer.actualCost);
        if (extension) answer = withCostExtension(answer, extension);
      }
      respond(answer, policyHeaders);

      // ── record (operation usage for `tollgate check`) ────────────────────────
      // A map update, after the answer is written; flushing to Redis runs on a timer, never in a request.
      if (usage && answer.status === 200) usage.record(query, operationName, clientOf(context.principal));
    } catch (error) {
      logger.error({ err: error, requestId }, 'request failed inside the gateway');
      if (!res.headersSent) respond(reject('INTERNAL_SERVER_ERROR', `Internal error; request id ${requestId}.`));
      else res.destroy();
    } finally {
      // ── record ───────────────────────────────────────────────────────────────
      // Once per request, after the answer is written (no per-request 'finish' listener); never throws.
      record.finish(draft, res.statusCode);
    }
  };
}

/** Everything that can change the answer to a query: two requests with the same key may share one execution. */
function inboundKey(params: GraphQLParams, context: TollgateContext, headerFingerprint: string, accept: string | undefined): string {
  const variables = params.variables ? JSON.stringify(params.variables) : undefined;
  const extensions = params.extensions ? JSON.stringify(params.extensions) : undefined;
  return cacheKey(context.principal.key, headerFingerprint, accept, params.operationName, variables, extensions, params.query);
}

function reject(code: ErrorCode, message: string, headers: Array<[string, string]> = []): HttpAnswer {
  const body = rejectionBody(code, truncate(message, MAX_MESSAGE_LENGTH));
  return { status: httpStatusOf(code), headers: [['content-type', JSON_CONTENT_TYPE], ...headers], body, rejection: code };
}

function rejectWithDetails(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, error: { locations?: unknown } = {}): HttpAnswer {
  // Parse errors quote the offending token, which the client chose: bounded like every echoed string.
  const body = JSON.stringify({ errors: [{ message: truncate(message, MAX_MESSAGE_LENGTH), ...error, extensions: { code, ...extensions } }] });
  return { status: httpStatusOf(code), headers: [['content-type', JSON_CONTENT_TYPE]], body, rejection: code };
}

function csrfMessage(requiredHeaders: readonly string[]): string {
  return `This request could have been sent by a browser without a CORS preflight. Send content-type: application/json, or one of these headers: ${requiredHeaders.join(', ')}.`;
}

function writeAnswer(
  res: ServerResponse,
  answer: HttpAnswer,
  requestIdHeader: string,
  requestId: string,
  cors: Record<string, string> | undefined,
  extra: readonly ResponseHeader[],
  /** false: write the whole answer but leave the response open (the caller ends it). */
  end = true,
): void {
  writeHead(res, answer.status, answer.headers, requestIdHeader, requestId, cors, extra);
  // Encoding an 87 KB answer is not free: a shared (deduplicated) answer is encoded once for all its requests.
  const encoded = (answer.encoded ??= Buffer.from(answer.body, 'utf8'));
  if (end) return void res.end(encoded);
  res.setHeader('content-length', encoded.length);
  res.write(encoded);
}

/** Status and headers for a streamed answer (multipart), with the same request id and CORS headers as writeAnswer. */
function writeHead(
  res: ServerResponse,
  status: number,
  headers: readonly ResponseHeader[],
  requestIdHeader: string,
  requestId: string,
  cors: Record<string, string> | undefined,
  extra: readonly ResponseHeader[] = [],
): void {
  res.statusCode = status;
  for (const [name, value] of headers) res.setHeader(name, value);
  for (const [name, value] of extra) res.setHeader(name, value);
  res.setHeader(requestIdHeader, requestId);
  if (cors) for (const name in cors) res.setHeader(name, cors[name]);
}

function respondPreflight(res: ServerResponse, headers: Record<string, string> | undefined): void {
  res.statusCode = 204;
  if (headers) for (const name in headers) res.setHeader(name, headers[name]);
  res.end();
}
