// `http.queryParams` (Apollo Connectors v0.2+, and @rest): a selection whose result object becomes query parameters
// appended to the path — null left out, a list repeated (`?tag=a&tag=b`), names and values encoded like template
// values (encode.ts). Pure.
import { encodeQueryValue, UnsafeValueError } from './encode';

/** Appends the parameters of `params` (the evaluated selection) to `path`, after any query the path already has. */
export function appendQueryParams(path: string, params: unknown): string {
  if (params === null || params === undefined) return path;
  if (typeof params !== 'object' || Array.isArray(params)) throw new UnsafeValueError(`http.queryParams must give an object of parameters, got ${describe(params)}`);
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (name === '') throw new UnsafeValueError('http.queryParams: a parameter name is empty');
    const key = encodeQueryValue(name, `query parameter name ${JSON.stringify(name.slice(0, 40))}`);
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue;
      if (typeof item === 'object') throw new UnsafeValueError(`query parameter "${name}" is ${describe(item)}; a parameter is a string, number or boolean (or a list of them)`);
      pairs.push(`${key}=${encodeQueryValue(String(item), `query parameter "${name}"`)}`);
    }
  }
  if (pairs.length === 0) return path;
  const separator = !path.includes('?') ? '?' : path.endsWith('?') || path.endsWith('&') ? '' : '&';
  return path + separator + pairs.join('&');
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
