// What a value from a client (an argument, an entity key) may become in a REST request: a path segment, a query
// value or a header value that can never change the request's structure. Pure. The rule, and why, is documented in
// docs/rest.md ("Path templates"); pathTemplate.ts applies it, service.ts checks headers with it.
//
// The rule:
// - Every character but RFC 3986 §2.3's unreserved ones (A-Z a-z 0-9 - . _ ~) is percent-encoded as UTF-8. That is
//   stricter than encodeURIComponent, which also keeps ! ' ( ) * (sub-delims some routers give a meaning to).
//   `/ ? # % \` and every non-ASCII character are therefore data, never delimiters.
// - A path segment made only of dots — "." or ".." — is refused, not encoded: RFC 3986 §5.2.4 removes dot segments,
//   and the WHATWG URL parser (new URL() in a Node service, browsers, many proxies) also treats "%2e" / "%2E" as a
//   dot, so `/v1/suppliers/%2E%2E` is `/v1/` to such a server. No spelling of "." or ".." is safe; no id needs one.
// - An empty path value is refused: `/v1/suppliers/{id}` with "" is the collection, `/v1/suppliers/`.
// - Control characters (C0, DEL, C1) are refused in paths and query values: no identifier or query value needs
//   one, and servers disagree on %00 and %0A (truncation, log injection). Lone UTF-16 surrogates cannot be encoded
//   as UTF-8 at all and are refused too. A POST body is JSON and carries any string.
// - A header value with a character undici would refuse (CR, LF, NUL and other controls but tab, or above U+00FF) is
//   refused before any call: a header can never be split or smuggled.

/** A value that cannot be put into the request without changing its structure: REST_MAPPING_ERROR, no call. */
export class UnsafeValueError extends Error {}

const KEPT_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** "." or ".." in any spelling a URL parser resolves (RFC 3986 and WHATWG both decode %2e). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
/** What undici accepts in a header value (its headerCharRegex, inverted): tab, visible ASCII, space, Latin-1. */
const UNSENDABLE_IN_HEADER = /[^\t\x20-\x7e\x80-\xff]/;

/** Percent-encodes `text` as a query value (or part of one): only unreserved characters stay as they are. */
export function encodeQueryValue(text: string, what: string): string {
  if (LONE_SURROGATE.test(text)) throw new UnsafeValueError(`${what} is not well-formed Unicode (a lone surrogate); it cannot be sent`);
  const control = CONTROL.exec(text);
  if (control) throw new UnsafeValueError(`${what} contains a control character (U+${codePoint(control[0])}); it cannot be sent`);
  return encodeURIComponent(text).replace(KEPT_BY_ENCODE_URI_COMPONENT, (c) => `%${codePoint(c).slice(2)}`);
}

/** Percent-encodes `text` as (part of) one path segment; an empty value is refused. */
export function encodePathValue(text: string, what: string): string {
  if (text === '') throw new UnsafeValueError(`${what} is empty; the path needs a value`);
  return encodeQueryValue(text, what);
}

/** True for a segment a URL parser would resolve as "." or "..". */
export function isDotSegment(segment: string): boolean {
  return DOT_SEGMENT.test(segment);
}

/** The name of the first header whose value cannot be sent as is, or undefined. */
export function unsendableHeader(headers: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(headers).find((name) => UNSENDABLE_IN_HEADER.test(headers[name]));
}

function codePoint(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
