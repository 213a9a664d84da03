// Persisted-operation manifests, parsed into one shape whatever tool wrote them: Apollo's
// `apollo-persisted-query-manifest` (format + version 1 + operations[{ id, name, type, body }]), Relay's
// `{ "<id>": "<text>" }` map and GraphQL Codegen's `persisted-documents.json` (`{ "<hash>": "<text>" }`, same shape).
// Pure: text in, a manifest or the reasons it is refused out. Validation against a schema is validate.ts.
import { sha256Hex } from '../util/sha256';

export type ManifestFormat = 'apollo' | 'map';

export interface ManifestOperation {
  id: string;
  /** The document text, byte for byte as the manifest has it (what runs, and what `allowMatchingText` compares). */
  body: string;
  /** Apollo manifests name each operation; maps don't. */
  name?: string;
  type?: string;
  /** SHA-256 (hex) of the body. */
  bodyHash: string;
}

export interface Manifest {
  format: ManifestFormat;
  /** SHA-256 (hex) of the manifest file as read: which version is served. */
  hash: string;
  operations: ReadonlyMap<string, ManifestOperation>;
  /** Operations by the SHA-256 of their body (sent text that matches one exactly; audit). */
  byBodyHash: ReadonlyMap<string, ManifestOperation>;
}

export type ManifestResult = { ok: true; manifest: Manifest } | { ok: false; errors: string[] };

/** Ids are echoed in logs, metrics and errors and used in keys: short printable ASCII, nothing else. */
export const MAX_ID_LENGTH = 256;
const ID_PATTERN = /^[\x21-\x7e]+$/;
/** A bound on what one manifest may hold (each operation is parsed and validated at every load). */
export const MAX_MANIFEST_OPERATIONS = 100_000;
/** Errors listed before the rest are only counted. */
const MAX_REPORTED_ERRORS = 20;

export function isValidId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && ID_PATTERN.test(id);
}

export { sha256Hex };

export function parseManifest(text: string): ManifestResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not JSON: ${(error as Error).message}`] };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, errors: ['a manifest is a JSON object'] };
  const record = json as Record<string, unknown>;
  const entries: Array<{ id: unknown; body: unknown; name?: unknown; type?: unknown; where: string }> = [];
  let format: ManifestFormat;
  if ('format' in record || 'operations' in record) {
    if (record.format !== 'apollo-persisted-query-manifest') return { ok: false, errors: [`unknown manifest format ${JSON.stringify(record.format)}; expected "apollo-persisted-query-manifest"`] };
    if (record.version !== 1) return { ok: false, errors: [`unsupported apollo-persisted-query-manifest version ${JSON.stringify(record.version)}; expected 1`] };
    if (!Array.isArray(record.operations)) return { ok: false, errors: ['"operations" must be an array'] };
    format = 'apollo';
    record.operations.forEach((op: unknown, index) => {
      const o = (op !== null && typeof op === 'object' ? op : {}) as Record<string, unknown>;
      entries.push({ id: o.id, body: o.body, name: o.name, type: o.type, where: `operations[${index}]` });
    });
  } else {
    format = 'map';
    for (const [id, body] of Object.entries(record)) entries.push({ id, body, where: `entry ${JSON.stringify(id.slice(0, 80))}` });
  }
  if (entries.length > MAX_MANIFEST_OPERATIONS) return { ok: false, errors: [`${entries.length} operations; at most ${MAX_MANIFEST_OPERATIONS}`] };

  const errors: string[] = [];
  const operations = new Map<string, ManifestOperation>();
  const byBodyHash = new Map<string, ManifestOperation>();
  for (const entry of entries) {
    if (typeof entry.id !== 'string' || !isValidId(entry.id)) {
      errors.push(`${entry.where}: the id must be 1–${MAX_ID_LENGTH} printable ASCII characters without spaces`);
      continue;
    }
    if (typeof entry.body !== 'string' || entry.body.trim() === '') {
      errors.push(`${entry.where}: the body must be a non-empty GraphQL document string`);
      continue;
    }
    const bodyHash = sha256Hex(entry.body);
    const existing = operations.get(entry.id);
    if (existing) {
      if (existing.bodyHash !== bodyHash) errors.push(`${entry.where}: id ${entry.id} appears twice with different bodies`);
      continue;
    }
    const operation: ManifestOperation = { id: entry.id, body: entry.body, bodyHash };
    if (typeof entry.name === 'string') operation.name = entry.name;
    if (typeof entry.type === 'string') operation.type = entry.type;
    operations.set(entry.id, operation);
    if (!byBodyHash.has(bodyHash)) byBodyHash.set(bodyHash, operation);
  }
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_REPORTED_ERRORS);
    if (errors.length > shown.length) shown.push(`… and ${errors.length - shown.length} more`);
    return { ok: false, errors: shown };
  }
  return { ok: true, manifest: { format, hash: sha256Hex(text), operations, byBodyHash } };
}
