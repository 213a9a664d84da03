// The in-flight dedupe key of one subgraph fetch: URL, the headers sent (minus per-caller ones) and the body.
// Header values can carry anything a verified claim or a config default holds (newlines, NUL, ":"), so no separator
// is safe: every part is length-prefixed, which makes the key injective by construction (read it back part by part:
// each length says exactly where its part ends; the body is always the last part).

/** `skip` names headers that differ per caller without changing the answer (request id, trace context). */
export function subgraphFetchKey(url: string, headers: Readonly<Record<string, string>>, body: string, skip: (name: string) => boolean): string {
  let key = `${url.length}:${url}`;
  for (const name in headers) {
    if (skip(name)) continue;
    const value = headers[name];
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  return `${key}${body.length}:${body}`;
}
