// `extensions.cost` on a finished response. The engine serialises the response once (possibly shared by inbound
// dedupe) with a placeholder where the cost goes; each request then puts in its own values — the remaining budget
// is only known after its reconciliation — without parsing the body again.
import type { HttpAnswer } from '../../pipeline/request';

/** Unlikely in data, and replaced from the end of the body (Apollo serialises `extensions` last). */
export const COST_EXTENSION_PLACEHOLDER = '\u0000tollgate:cost\u0000';
const PLACEHOLDER_JSON = JSON.stringify(COST_EXTENSION_PLACEHOLDER);

export function withCostExtension(answer: HttpAnswer, cost: Record<string, unknown>): HttpAnswer {
  const at = answer.body.lastIndexOf(PLACEHOLDER_JSON);
  if (at !== -1) {
    // A new body: never the shared answer's `encoded` bytes, which hold another request's placeholder or values.
    return { ...answer, body: `${answer.body.slice(0, at)}${JSON.stringify(cost)}${answer.body.slice(at + PLACEHOLDER_JSON.length)}`, encoded: undefined };
  }
  // No placeholder (the engine answered before its plugins ran): add the extension to the parsed body.
  try {
    const parsed = JSON.parse(answer.body) as Record<string, unknown>;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return answer;
    const extensions = (parsed.extensions as Record<string, unknown> | undefined) ?? {};
    return { ...answer, body: JSON.stringify({ ...parsed, extensions: { ...extensions, cost } }), encoded: undefined };
  } catch {
    return answer;
  }
}
