// The legacy pricing service's own OpenAPI 3.0 document, served at GET /openapi.json (no API key needed, as public
// API docs usually are). It describes the API as it is — snake_case, envelopes — so `tollgate rest import` has a
// real document to start from (docs/rest.md, "Import an OpenAPI document").

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const envelope = (data: unknown, meta?: unknown) => ({
  type: 'object',
  required: ['data'],
  properties: { data, ...(meta ? { meta } : {}) },
});
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const errors = { '401': { $ref: '#/components/responses/Unauthorized' }, '404': { $ref: '#/components/responses/NotFound' } };
const pageParams = [{ $ref: '#/components/parameters/page' }, { $ref: '#/components/parameters/per_page' }];

export const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'Legacy Pricing API', version: '1.4.2', description: 'Prices, price history and suppliers of the legacy pricing system.' },
  servers: [{ url: '/' }],
  security: [{ apiKey: [] }],
  paths: {
    '/v1/prices': {
      get: {
        operationId: 'list_prices',
        summary: 'Prices by SKU (comma-separated, at most 50), or every price page by page',
        parameters: [{ name: 'skus', in: 'query', description: 'Comma-separated SKUs', schema: { type: 'string' } }, ...pageParams],
        responses: { '200': json(envelope({ type: 'array', items: ref('Price') }, ref('ListMeta'))), '400': { $ref: '#/components/responses/Error' }, '401': errors['401'] },
      },
    },
    '/v1/prices/{sku}': {
      parameters: [{ $ref: '#/components/parameters/sku' }],
      get: { operationId: 'get_price', summary: 'The current price of one SKU', responses: { '200': json(envelope(ref('Price'))), ...errors } },
    },
    '/v1/prices/{sku}/history': {
      parameters: [{ $ref: '#/components/parameters/sku' }],
      get: {
        operationId: 'get_price_history',
        summary: 'Earlier prices of one SKU, newest first',
        parameters: pageParams,
        responses: { '200': json(envelope({ type: 'array', items: ref('PricePoint') }, ref('PageMeta'))), ...errors },
      },
    },
    '/v1/suppliers': {
      get: { operationId: 'list_suppliers', parameters: pageParams, responses: { '200': json(envelope({ type: 'array', items: ref('Supplier') }, ref('PageMeta'))), '401': errors['401'] } },
    },
    '/v1/suppliers/{id}': {
      get: {
        operationId: 'get_supplier',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json(envelope(ref('Supplier'))), ...errors },
      },
    },
    '/v1/suppliers/{id}/products': {
      get: {
        operationId: 'list_supplier_products',
        summary: 'SKUs a supplier delivers',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json(envelope({ type: 'array', items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } } }, { type: 'object', properties: { count: { type: 'integer' } } })), ...errors },
      },
    },
    '/v1/quotes': {
      post: {
        operationId: 'create_quote',
        summary: 'A quote for a quantity of one SKU (5% off from 10 units)',
        requestBody: { required: true, content: { 'application/json': { schema: ref('QuoteRequest') } } },
        responses: { '201': json(envelope(ref('Quote')), 'Created'), '422': { $ref: '#/components/responses/Error' }, ...errors },
      },
    },
  },
  components: {
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
    parameters: {
      sku: { name: 'sku', in: 'path', required: true, schema: { type: 'string' } },
      page: { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
      per_page: { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
    },
    responses: {
      Error: json(ref('Error'), 'The request was refused'),
      Unauthorized: json(ref('Error'), 'Missing or wrong x-api-key'),
      NotFound: json(ref('Error'), 'No such record'),
    },
    schemas: {
      Price: {
        type: 'object',
        required: ['sku', 'amount_cents', 'currency', 'updated_at', 'supplier_id'],
        properties: {
          sku: { type: 'string' },
          amount_cents: { type: 'integer', description: 'Price in cents of the currency' },
          currency: ref('Currency'),
          updated_at: { type: 'string', format: 'date' },
          supplier_id: { type: 'string' },
        },
      },
      PricePoint: {
        type: 'object',
        required: ['amount_cents', 'currency', 'effective_from'],
        properties: { amount_cents: { type: 'integer' }, currency: ref('Currency'), effective_from: { type: 'string', format: 'date' } },
      },
      Currency: { type: 'string', enum: ['USD', 'EUR', 'SEK'] },
      Supplier: {
        type: 'object',
        required: ['id', 'name', 'country', 'onboarded_on', 'contact_email'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
          onboarded_on: { type: 'string', format: 'date' },
          contact_email: { type: 'string' },
          contact_phone: { type: 'string', nullable: true },
        },
      },
      QuoteRequest: { type: 'object', required: ['sku', 'quantity'], properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } } },
      Quote: {
        type: 'object',
        required: ['sku', 'quantity', 'unit_price_cents', 'total_cents', 'currency', 'valid_until'],
        properties: {
          sku: { type: 'string' },
          quantity: { type: 'integer' },
          unit_price_cents: { type: 'integer' },
          total_cents: { type: 'integer' },
          currency: ref('Currency'),
          valid_until: { type: 'string', format: 'date' },
        },
      },
      ListMeta: { type: 'object', properties: { count: { type: 'integer' }, missing: { type: 'array', items: { type: 'string' } }, page: { type: 'integer' }, per_page: { type: 'integer' }, total: { type: 'integer' }, total_pages: { type: 'integer' } } },
      PageMeta: { type: 'object', required: ['page', 'per_page', 'total', 'total_pages'], properties: { page: { type: 'integer' }, per_page: { type: 'integer' }, total: { type: 'integer' }, total_pages: { type: 'integer' } } },
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
} as const;
