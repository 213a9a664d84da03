// Request bodies of REST writes: the body selection's value sent as JSON, or as an HTML form
// (application/x-www-form-urlencoded) for the legacy APIs that take one. Pure.

/** The body selection's value as a form, nested the way PHP, Rails and `qs` read it: `a[b]=1&list[0]=x`. */
export function encodeFormBody(value: unknown): string {
  const params = new URLSearchParams();
  const add = (name: string, item: unknown): void => {
    if (item === null || item === undefined) return;
    if (Array.isArray(item)) item.forEach((element, i) => add(`${name}[${i}]`, element));
    else if (typeof item === 'object') for (const [key, inner] of Object.entries(item)) add(name === '' ? key : `${name}[${key}]`, inner);
    else if (name === '') throw new TypeError(`a form body must be an object of fields, got ${typeof item}`);
    else params.append(name, String(item));
  };
  if (Array.isArray(value)) throw new TypeError('a form body must be an object of fields, got a list');
  add('', value);
  return params.toString();
}

/** The body text and its content-type, or undefined when the selection gave nothing to send. */
export function encodeBody(value: unknown, format: 'json' | 'form'): { text: string; contentType: string } {
  if (format === 'form') return { text: encodeFormBody(value ?? {}), contentType: 'application/x-www-form-urlencoded' };
  return { text: JSON.stringify(value ?? null), contentType: 'application/json' };
}
