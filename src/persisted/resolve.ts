// From what a request sent (text, an APQ hash, a `documentId`, or text and an id) to the text that runs, for one
// caller's mode. Follows the APQ protocol as Apollo Server answers it (so Apollo Client's persisted-query link
// works) and the GraphQL-over-HTTP persisted-documents proposal. Pure but for the APQ store lookup it is given.
import type { ErrorCode } from '../errors';
import type { PersistedMode } from './config';
import { LruCache } from '../util/lru';
import { isValidId, MAX_ID_LENGTH, sha256Hex, type Manifest, type ManifestOperation } from './manifest';
import { APQ_HASH } from './store/types';

export interface PersistedRequest {
  query?: string;
  extensions?: Record<string, unknown>;
  documentId?: string;
  /** The operation the client asked for: with a manifest entry that names its operation, it must be that one. */
  operationName?: string;
}

/** Where the text that runs came from. */
export type TextSource = 'text' | 'manifest' | 'apq' | 'registered';

export type Resolution =
  | {
      ok: true;
      query: string;
      /** The request's extensions without `persistedQuery` (the engine never sees it). */
      extensions?: Record<string, unknown>;
      /** The operation's persisted id (manifest id or APQ hash), for logs and metrics. */
      id?: string;
      source: TextSource;
      /** Audit mode: the text is not a manifest operation. */
      unlisted?: boolean;
      /** Store this APQ registration once the text has passed the parse stage. */
      register?: { hash: string; text: string };
    }
  | { ok: false; code: ErrorCode; message: string };

export interface ResolveContext {
  mode: PersistedMode;
  manifest?: Manifest;
  allowMatchingText: boolean;
  /** With `safelist`: a request must name an id; text alone is refused even when it matches a manifest body. */
  requireId?: boolean;
  apqGet: (hash: string) => Promise<string | undefined>;
}

type SentId = { id: string; apqHash?: string };

/** Texts whose SHA-256 is remembered: with a manifest loaded, plain text is hashed to look it up on every request. */
const HASHED_TEXTS = 512;
/** Longer texts are hashed each time rather than kept alive by the memo. */
const MAX_MEMO_TEXT = 8_192;
const textHashes = new LruCache<string, string>(HASHED_TEXTS);

/** sha256Hex of a sent text, memoized for repeated short texts (the map key is the text itself: no collisions). */
export function textHash(text: string): string {
  if (text.length > MAX_MEMO_TEXT) return sha256Hex(text);
  let hash = textHashes.get(text);
  if (hash === undefined) {
    hash = sha256Hex(text);
    textHashes.set(text, hash);
  }
  return hash;
}

export async function resolvePersisted(request: PersistedRequest, context: ResolveContext): Promise<Resolution> {
  const { mode, manifest } = context;
  const { persistedQuery, ...rest } = request.extensions ?? {};
  const extensions = request.extensions && 'persistedQuery' in request.extensions ? rest : request.extensions;
  const hasId = persistedQuery !== undefined || request.documentId !== undefined;
  // An empty query beside an id is no text (some clients send `query: ""` with a hash).
  const text = request.query !== undefined && request.query.trim() === '' && hasId ? undefined : request.query;

  if (mode === 'off') {
    // Text is run as sent; an id beside it is ignored rather than trusted (as before persisted operations existed).
    if (text !== undefined) return ran({ query: text, extensions, source: 'text' });
    return refused('PERSISTED_QUERY_NOT_SUPPORTED', 'PersistedQueryNotSupported: send the query text with every request.');
  }

  if (!hasId) {
    if (text === undefined) return refused('BAD_REQUEST', 'The request has no "query", "documentId" or persisted-query extension.');
    if (mode === 'safelist' && context.requireId) return idRequired();
    const listed = manifest?.byBodyHash.get(textHash(text));
    if (mode === 'safelist') {
      if (listed && context.allowMatchingText) return fromManifest(listed, request, extensions, mode);
      return notInList();
    }
    if (listed && namesOther(listed, request)) return ran({ query: text, extensions, source: 'text', unlisted: mode === 'audit' });
    return ran({ query: text, extensions, source: 'text', ...(listed ? { id: listed.id } : { unlisted: mode === 'audit' }) });
  }

  const sent = sentIdOf(persistedQuery, request.documentId);
  if ('message' in sent) return refused('BAD_REQUEST', sent.message);

  const entry = lookupManifest(manifest, sent);
  if (entry) {
    // Text sent with a manifest id must be that operation's text: nothing else may ride on a listed id.
    if (text !== undefined && text !== entry.body) return mismatch(`The query text is not the text of persisted operation ${quote(sent.id)}.`);
    return fromManifest(entry, request, extensions, mode);
  }

  if (mode === 'safelist') {
    if (text === undefined) return notFound();
    const listed = context.requireId ? undefined : manifest?.byBodyHash.get(textHash(text));
    if (listed && context.allowMatchingText && (sent.apqHash === undefined || sent.apqHash === listed.bodyHash)) {
      return fromManifest(listed, request, extensions, mode);
    }
    return notInList();
  }

  // apq or audit: registered texts by their SHA-256.
  if (text === undefined) {
    if (sent.apqHash === undefined) return notFound();
    const stored = await context.apqGet(sent.apqHash);
    if (stored === undefined) return notFound();
    return ran({ query: stored, extensions, id: sent.apqHash, source: 'apq', unlisted: mode === 'audit' && !manifest?.byBodyHash.has(sent.apqHash) });
  }
  const hash = textHash(text);
  if (sent.apqHash === undefined || hash !== sent.apqHash) return mismatch('provided sha does not match query');
  return ran({ query: text, extensions, id: hash, source: 'registered', unlisted: mode === 'audit' && !manifest?.byBodyHash.has(hash), register: { hash, text } });
}

/** The id a request names: `documentId` (optionally `sha256:<hex>`) or the APQ extension's `sha256Hash`. */
function sentIdOf(persistedQuery: unknown, documentId: string | undefined): SentId | { message: string } {
  let fromExtension: string | undefined;
  if (persistedQuery !== undefined) {
    if (persistedQuery === null || typeof persistedQuery !== 'object' || Array.isArray(persistedQuery)) return { message: '"extensions.persistedQuery" must be an object.' };
    const { version, sha256Hash } = persistedQuery as Record<string, unknown>;
    if (version !== 1) return { message: 'Unsupported persisted query version (only version 1 is).' };
    if (typeof sha256Hash !== 'string') return { message: '"extensions.persistedQuery.sha256Hash" must be a string.' };
    fromExtension = sha256Hash;
  }
  const ids = [documentId, fromExtension].filter((id): id is string => id !== undefined).map(parseId);
  for (const id of ids) if (!isValidId(id.id)) return { message: `A persisted operation id is 1–${MAX_ID_LENGTH} printable ASCII characters without spaces.` };
  // Both forms may name the same operation (`sha256:<HEX>` beside `<hex>`, as some clients send); never two.
  if (ids.length === 2 && ids[0].id !== ids[1].id && (ids[0].apqHash === undefined || ids[0].apqHash !== ids[1].apqHash)) {
    return { message: '"documentId" and "extensions.persistedQuery.sha256Hash" name different operations.' };
  }
  return ids[0];
}

function parseId(id: string): SentId {
  const hex = id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
  const lower = hex.toLowerCase();
  return APQ_HASH.test(lower) ? { id, apqHash: lower } : { id };
}

/**
 * A manifest operation runs as listed. Apollo's manifest names the one operation each entry ships; a body that holds
 * more than one (hand-written or merged manifests) must not let `operationName` pick an operation the entry does not
 * list. Map manifests (Relay, Codegen) name nothing: every operation of a listed document was shipped.
 */
function fromManifest(entry: ManifestOperation, request: PersistedRequest, extensions: Record<string, unknown> | undefined, mode: PersistedMode): Resolution {
  if (namesOther(entry, request)) {
    if (mode === 'safelist') return refused('PERSISTED_QUERY_NOT_IN_LIST', `Persisted operation ${quote(entry.id)} is ${quote(entry.name!)}; "operationName" may not select another operation of its document.`);
    return ran({ query: entry.body, extensions, id: entry.id, source: 'manifest', unlisted: mode === 'audit' });
  }
  return ran({ query: entry.body, extensions, id: entry.id, source: 'manifest' });
}

function namesOther(entry: ManifestOperation, request: PersistedRequest): boolean {
  return entry.name !== undefined && request.operationName !== undefined && request.operationName !== entry.name;
}

function lookupManifest(manifest: Manifest | undefined, sent: SentId): ManifestOperation | undefined {
  if (!manifest) return undefined;
  return manifest.operations.get(sent.id) ?? (sent.apqHash !== undefined && sent.apqHash !== sent.id ? manifest.operations.get(sent.apqHash) : undefined);
}

function ran(resolution: Omit<Extract<Resolution, { ok: true }>, 'ok'>): Resolution {
  const result: Extract<Resolution, { ok: true }> = { ok: true, query: resolution.query, source: resolution.source };
  if (resolution.extensions !== undefined) result.extensions = resolution.extensions;
  if (resolution.id !== undefined) result.id = resolution.id;
  if (resolution.unlisted) result.unlisted = true;
  if (resolution.register) result.register = resolution.register;
  return result;
}

function refused(code: ErrorCode, message: string): Resolution {
  return { ok: false, code, message };
}

/** Message and code as Apollo Server sends them: Apollo Client matches either to retry with the text. */
function notFound(): Resolution {
  return refused('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound');
}

function mismatch(message: string): Resolution {
  return refused('PERSISTED_QUERY_HASH_MISMATCH', message);
}

/** Apollo Router's code and meaning for `safelist.require_id`. */
function idRequired(): Resolution {
  return refused('PERSISTED_QUERY_ID_REQUIRED', 'This endpoint runs persisted operations by id only: send "documentId" (or "doc_id", or extensions.persistedQuery) instead of the query text (persistedOperations.requireId).');
}

function notInList(): Resolution {
  return refused('PERSISTED_QUERY_NOT_IN_LIST', 'Only operations of the persisted-operation manifest may run here (persistedOperations.mode: safelist).');
}

/** Ids are validated printable ASCII up to 256 characters; quoted as JSON so they read unambiguously. */
function quote(id: string): string {
  return JSON.stringify(id);
}
