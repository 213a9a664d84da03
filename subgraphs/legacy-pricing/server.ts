// The legacy pricing service: a plain JSON REST API on node:http (no GraphQL), with the warts real ones have —
// snake_case, { data, meta } envelopes, page/per_page, string dates, an API key, 404s, a batch endpoint for prices
// but none for suppliers, writes (price overrides: POST JSON with an idempotency key, PUT as a form, PATCH, DELETE)
// — plus a fault switch and a request log for tests. Tollgate serves it via pricing.graphql.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultData, type LegacyPricingData, type OverrideRecord, type PriceRecord } from './data';
import { OPENAPI_DOCUMENT } from './openapi';

export const DEFAULT_API_KEY = 'pricing-dev-key';
/** The batch endpoint refuses more SKUs than this per call, as the real one does. */
export const MAX_SKUS_PER_CALL = 50;

/** What the service does instead of answering normally, until cleared (or for `times` requests). */
export type Fault =
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'html'; status?: number }
  | { kind: 'body'; body: string; contentType?: string }
  | { kind: 'hang-up' }
  /** Does what the request asks, then drops the connection unanswered: a write whose answer is lost. */
  | { kind: 'hang-up-after-write' };

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /v1/prices. */
  path: string;
  /** Path and query string as sent, e.g. /v1/prices?skus=A,B. */
  url: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** The request body as received ("" for none). */
  body: string;
}

export interface LegacyPricingOptions {
  /** Required in `x-api-key`. @default "pricing-dev-key" */
  apiKey?: string;
  /** Records to serve. @default defaultData() */
  data?: LegacyPricingData;
}

export interface LegacyPricingServer {
  name: 'pricing';
  /** Base URL, e.g. http://127.0.0.1:4105 (no trailing slash). */
  url: string;
  port: number;
  data: LegacyPricingData;
  /** Every request received, oldest first (faulted ones included); tests count upstream calls with it. */
  requests: RecordedRequest[];
  /** Misbehave for requests whose path starts with `pathPrefix` (default: all), `times` times (default: until cleared). */
  setFault(fault: Fault, options?: { pathPrefix?: string; times?: number }): void;
  clearFault(): void;
  close(): Promise<void>;
}

type JsonAnswer = { status: number; body: unknown };

export function startLegacyPricing(port = 0, host = '127.0.0.1', options: LegacyPricingOptions = {}): Promise<LegacyPricingServer> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const data = options.data ?? defaultData();
  const requests: RecordedRequest[] = [];
  let fault: { fault: Fault; pathPrefix: string; remaining: number } | undefined;
  /** Answers already given per idempotency key: a repeated POST gets the first answer, and writes nothing. */
  const idempotent = new Map<string, JsonAnswer>();

  const server = createServer({ keepAlive: true }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://legacy.invalid');
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, url: req.url ?? '/', query: Object.fromEntries(url.searchParams), headers: req.headers, body: '' };
    requests.push(recorded);
    const active = fault && url.pathname.startsWith(fault.pathPrefix) ? fault : undefined;
    if (active && --active.remaining <= 0) fault = undefined;
    readBody(req).then(
      (body) => {
        recorded.body = body;
        if (active && active.fault.kind !== 'slow' && active.fault.kind !== 'hang-up-after-write') return misbehave(res, active.fault);
        // The API's description is public, as API docs usually are; everything else needs the key.
        const answer =
          recorded.method === 'GET' && url.pathname === '/openapi.json'
            ? { status: 200, body: OPENAPI_DOCUMENT }
            : req.headers['x-api-key'] !== apiKey
              ? unauthorized()
              : route(data, recorded.method, url, body, req.headers, idempotent);
        if (active?.fault.kind === 'hang-up-after-write') return void res.socket?.destroy();
        if (active?.fault.kind === 'slow') {
          // A caller that gave up (a timeout) closes the request: the late answer is dropped, and no timer outlives it.
          const late = setTimeout(() => sendJson(res, answer), active.fault.delayMs);
          res.once('close', () => clearTimeout(late));
        } else sendJson(res, answer);
      },
      () => res.destroy(),
    );
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      let closing: Promise<void> | undefined;
      resolve({
        name: 'pricing',
        url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${bound}`,
        port: bound,
        data,
        requests,
        setFault(next, { pathPrefix = '/', times = Infinity } = {}) {
          fault = { fault: next, pathPrefix, remaining: times };
        },
        clearFault() {
          fault = undefined;
        },
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}

function route(data: LegacyPricingData, method: string, url: URL, body: string, headers: IncomingMessage['headers'], idempotent: Map<string, JsonAnswer>): JsonAnswer {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const query = url.searchParams;
  if (parts[0] !== 'v1') return notFound(`no route ${url.pathname}`);
  const [, collection, id, sub] = parts;
  if (method === 'POST' && collection === 'quotes' && id === undefined) return quote(data, body);
  if (method === 'POST' && collection === 'prices' && id !== undefined && sub === 'overrides') {
    const key = headers['idempotency-key'];
    const key1 = Array.isArray(key) ? key[0] : key;
    const seen = key1 === undefined ? undefined : idempotent.get(key1);
    if (seen) return seen;
    const answer = createOverride(data, id, parseBody(body, headers));
    if (key1 !== undefined && answer.status < 300) idempotent.set(key1, answer);
    return answer;
  }
  if (collection === 'overrides' && id !== undefined && sub === undefined && method !== 'GET') return writeOverride(data, method, id, parseBody(body, headers));
  if (method !== 'GET') return { status: 405, body: { error: { code: 'method_not_allowed', message: `${method} ${url.pathname}` } } };

  if (collection === 'prices') {
    if (id === undefined) {
      const skus = query.get('skus');
      if (skus === null) return page(data.prices, query);
      const wanted = skus.split(',').filter(Boolean);
      if (wanted.length > MAX_SKUS_PER_CALL) return { status: 400, body: { error: { code: 'too_many_skus', message: `at most ${MAX_SKUS_PER_CALL} skus per request` } } };
      // Unknown SKUs are left out, and the order is the store's, not the request's: callers must match by sku.
      const found = data.prices.filter((p) => wanted.includes(p.sku));
      return { status: 200, body: { data: found, meta: { count: found.length, missing: wanted.filter((sku) => !found.some((p) => p.sku === sku)) } } };
    }
    const price = data.prices.find((p) => p.sku === id);
    if (!price) return notFound(`no price for sku ${id}`);
    if (sub === undefined) return { status: 200, body: { data: price } };
    if (sub === 'history') return page(data.history[id] ?? [], query);
    if (sub === 'overrides') return { status: 200, body: { data: (data.overrides ?? []).filter((o) => o.sku === id) } };
  }
  if (collection === 'overrides' && id !== undefined && sub === undefined) {
    const override = (data.overrides ?? []).find((o) => o.id === id);
    return override ? { status: 200, body: { data: override } } : notFound(`no override ${id}`);
  }
  if (collection === 'suppliers') {
    if (id === undefined) return page(data.suppliers, query);
    const supplier = data.suppliers.find((s) => s.id === id);
    if (!supplier) return notFound(`no supplier ${id}`);
    if (sub === undefined) return { status: 200, body: { data: supplier } };
    if (sub === 'products') {
      const skus = data.prices.filter((p) => p.supplier_id === id).map((p) => ({ sku: p.sku }));
      return { status: 200, body: { data: skus, meta: { count: skus.length } } };
    }
  }
  return notFound(`no route ${url.pathname}`);
}

/** page/per_page pagination with a { data, meta } envelope, as the legacy API does it. */
function page<T>(records: readonly T[], query: URLSearchParams): JsonAnswer {
  const pageNumber = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 20) || 20));
  const start = (pageNumber - 1) * perPage;
  return {
    status: 200,
    body: {
      data: records.slice(start, start + perPage),
      meta: { page: pageNumber, per_page: perPage, total: records.length, total_pages: Math.ceil(records.length / perPage) },
    },
  };
}

function quote(data: LegacyPricingData, body: string): JsonAnswer {
  let request: { sku?: unknown; quantity?: unknown };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return { status: 422, body: { error: { code: 'invalid_body', message: 'body must be JSON' } } };
  }
  const price: PriceRecord | undefined = data.prices.find((p) => p.sku === request.sku);
  if (!price) return notFound(`no price for sku ${String(request.sku)}`);
  const quantity = Number(request.quantity);
  if (!Number.isInteger(quantity) || quantity < 1) return { status: 422, body: { error: { code: 'invalid_quantity', message: 'quantity must be a positive integer' } } };
  // Volume discount: 5% from 10 units. The legacy system writes validity as a date string.
  const unit = quantity >= 10 ? Math.round(price.amount_cents * 0.95) : price.amount_cents;
  return { status: 201, body: { data: { sku: price.sku, quantity, unit_price_cents: unit, total_cents: unit * quantity, currency: price.currency, valid_until: '2026-12-31' } } };
}

/** A JSON or a form body (the legacy PUT takes a form, as the old PHP front end sent it); undefined when unreadable. */
function parseBody(body: string, headers: IncomingMessage['headers']): Record<string, unknown> | undefined {
  if ((headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function invalid(code: string, message: string): JsonAnswer {
  return { status: 422, body: { error: { code, message } } };
}

/** Checks the fields an override write sends; `partial` (PATCH) allows any of them to be absent. */
function overrideFields(fields: Record<string, unknown>, partial: boolean): Partial<OverrideRecord> | JsonAnswer {
  const out: Partial<OverrideRecord> = {};
  if (fields.amount_cents != null || !partial) {
    const amount = Number(fields.amount_cents);
    if (!Number.isInteger(amount) || amount < 0) return invalid('invalid_amount', 'amount_cents must be a whole number of cents, 0 or more');
    out.amount_cents = amount;
  }
  if (fields.reason != null || !partial) {
    if (typeof fields.reason !== 'string' || fields.reason.trim() === '' || fields.reason.length > 200) return invalid('invalid_reason', 'reason must be 1 to 200 characters');
    out.reason = fields.reason;
  }
  if (fields.valid_until !== undefined && fields.valid_until !== null && fields.valid_until !== '') {
    if (typeof fields.valid_until !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(fields.valid_until)) return invalid('invalid_date', 'valid_until must be YYYY-MM-DD');
    out.valid_until = fields.valid_until;
  } else if (!partial || fields.valid_until !== undefined) out.valid_until = null;
  return out;
}

const isAnswer = (value: unknown): value is JsonAnswer => typeof (value as JsonAnswer).status === 'number';

function createOverride(data: LegacyPricingData, sku: string, fields: Record<string, unknown> | undefined): JsonAnswer {
  const price = data.prices.find((p) => p.sku === sku);
  if (!price) return notFound(`no price for sku ${sku}`);
  if (!fields) return invalid('invalid_body', 'body must be a JSON object');
  const checked = overrideFields(fields, false);
  if (isAnswer(checked)) return checked;
  const overrides = (data.overrides ??= []);
  const override: OverrideRecord = { id: `OV-${overrides.length + 1}`, sku, currency: price.currency, amount_cents: 0, reason: '', valid_until: null, ...checked };
  overrides.push(override);
  return { status: 201, body: { data: override } };
}

/** PUT replaces (every field), PATCH changes the fields sent, DELETE removes. */
function writeOverride(data: LegacyPricingData, method: string, id: string, fields: Record<string, unknown> | undefined): JsonAnswer {
  const overrides = (data.overrides ??= []);
  const at = overrides.findIndex((o) => o.id === id);
  if (method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE') return { status: 405, body: { error: { code: 'method_not_allowed', message: `${method} /v1/overrides/${id}` } } };
  if (at === -1) return notFound(`no override ${id}`);
  if (method === 'DELETE') {
    overrides.splice(at, 1);
    return { status: 200, body: { data: { id, deleted: true } } };
  }
  if (!fields) return invalid('invalid_body', 'body must be a JSON object or a form');
  const checked = overrideFields(fields, method === 'PATCH');
  if (isAnswer(checked)) return checked;
  overrides[at] = { ...overrides[at], ...checked };
  return { status: 200, body: { data: overrides[at] } };
}

function notFound(message: string): JsonAnswer {
  return { status: 404, body: { error: { code: 'not_found', message } } };
}

function unauthorized(): JsonAnswer {
  return { status: 401, body: { error: { code: 'unauthorized', message: 'missing or wrong x-api-key' } } };
}

function misbehave(res: ServerResponse, fault: Exclude<Fault, { kind: 'slow' } | { kind: 'hang-up-after-write' }>): void {
  switch (fault.kind) {
    case 'hang-up':
      res.socket?.destroy();
      return;
    case 'status':
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8' }).end(fault.body ?? JSON.stringify({ error: { code: 'internal', message: 'legacy failure' } }));
      return;
    case 'html':
      res.writeHead(fault.status ?? 500, { 'content-type': 'text/html' }).end('<html><body><h1>Service Unavailable</h1></body></html>');
      return;
    case 'body':
      res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json; charset=utf-8' }).end(fault.body);
      return;
  }
}

function sendJson(res: ServerResponse, answer: JsonAnswer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer.body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
