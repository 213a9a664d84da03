// Cache and dedupe keys built from client-controlled strings. Joining parts with a separator is not safe: any
// separator can appear inside a part (a NUL is legal in a GraphQL comment), so two different inputs could share
// an entry and one request could be answered, or judged, as another. Each part is written with its length in
// front (`undefined` as `~`), which makes the encoding prefix-free: two different part lists never give one key.

export type KeyPart = string | number | undefined;

export function cacheKey(...parts: readonly KeyPart[]): string {
  let key = '';
  for (const part of parts) {
    if (part === undefined) key += '~';
    else {
      const text = typeof part === 'number' ? String(part) : part;
      key += `${text.length}:${text}`;
    }
  }
  return key;
}

/** Reads a key back into its parts (for tests: the encoding must be reversible, hence injective). */
export function parseCacheKey(key: string): Array<string | undefined> {
  const parts: Array<string | undefined> = [];
  let at = 0;
  while (at < key.length) {
    if (key[at] === '~') {
      parts.push(undefined);
      at += 1;
      continue;
    }
    const colon = key.indexOf(':', at);
    const length = Number(key.slice(at, colon));
    if (colon === -1 || !Number.isInteger(length) || length < 0) throw new Error(`not a cache key at ${at}`);
    parts.push(key.slice(colon + 1, colon + 1 + length));
    at = colon + 1 + length;
  }
  return parts;
}
