// Reads an OpenAPI document from a file or an http(s) URL, YAML or JSON, and bundles every $ref — including ones
// into other files or URLs — into it with @apidevtools/json-schema-ref-parser, so generate.ts sees internal refs only.
import { $RefParser } from '@apidevtools/json-schema-ref-parser';
import { resolve } from 'node:path';

export interface LoadedDocument {
  document: Record<string, unknown>;
  /** The URL it came from (a relative server URL resolves against it), when it came from one. */
  url?: string;
}

export async function loadOpenApiDocument(location: string, cwd = process.cwd()): Promise<LoadedDocument> {
  const isUrl = /^https?:\/\//i.test(location);
  const target = isUrl ? location : resolve(cwd, location);
  let document: unknown;
  try {
    document = await new $RefParser().bundle(target, {
      // The operator names the document, often an internal service's (http://pricing.internal/openapi.json): the
      // parser's guard against private addresses, meant for documents from strangers, would refuse exactly that.
      resolve: { http: { safeUrlResolver: false, timeout: 30_000 } },
    });
  } catch (error) {
    throw new Error(`cannot read the OpenAPI document ${location}: ${(error as Error).message}`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new Error(`${location} is not an OpenAPI document`);
  return { document: document as Record<string, unknown>, url: isUrl ? location : undefined };
}
