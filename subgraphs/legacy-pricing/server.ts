// The legacy pricing service: a plain JSON REST API on node:http (no GraphQL), with the warts real ones have —
// snake_case, { data, meta } envelopes, page/per_page, string dates, an API key, 404s, a batch endpoint for prices
// but none for suppliers — plus a fault switch and a request log for tests. Tollgate serves it via pricing.graphql.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultData, type LegacyPricingData, type PriceRecord } from './data';
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
  | { kind: 'hang-up' };

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /v1/prices. */
  path: string;
  /** Path and query string as sent, e.g. /v1/prices?skus=A,B. */
  url: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
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

  const server = createServer({ keepAlive: true }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://legacy.invalid');
    const recorded = { method: req.method ?? 'GET', path: url.pathname, url: req.url ?? '/', query: Object.fromEntries(url.searchParams), headers: req.headers };
    requests.push(recorded);
    const active = fault && url.pathname.startsWith(fault.pathPrefix) ? fault : undefined;
    if (active && --active.remaining <= 0) fault = undefined;
    readBody(req).then(
      (body) => {
        if (active && active.fault.kind !== 'slow') return misbehave(res, active.fault);
        // The API's description is public, as API docs usually are; everything else needs the key.
        const answer = recorded.method === 'GET' && url.pathname === '/openapi.json' ? { status: 200, body: OPENAPI_DOCUMENT } : req.headers['x-api-key'] !== apiKey ? unauthorized() : route(data, recorded.method, url, body);
        if (active?.fault.kind === 'slow') setTimeout(() => sendJson(res, answer), active.fault.delayMs);
        else sendJson(res, answer);
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

function route(data: LegacyPricingData, method: string, url: URL, body: string): JsonAnswer {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const query = url.searchParams;
  if (parts[0] !== 'v1') return notFound(`no route ${url.pathname}`);
  const [, collection, id, sub] = parts;
  if (method === 'POST' && collection === 'quotes' && id === undefined) return quote(data, body);
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

function notFound(message: string): JsonAnswer {
  return { status: 404, body: { error: { code: 'not_found', message } } };
}

function unauthorized(): JsonAnswer {
  return { status: 401, body: { error: { code: 'unauthorized', message: 'missing or wrong x-api-key' } } };
}

function misbehave(res: ServerResponse, fault: Exclude<Fault, { kind: 'slow' }>): void {
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
