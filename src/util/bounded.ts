// Bounds for client-controlled strings on their way to a log line, a metric label, an error message or the
// dashboard: an attacker must not be able to turn one request into megabytes of log (issue 10, log amplification).

/** Longest client-controlled text kept in an error message. */
export const MAX_MESSAGE_LENGTH = 1_024;
/** Longest client-controlled label (client id, error code) kept in records, metrics and the dashboard. */
export const MAX_LABEL_LENGTH = 128;

/** `text` if it fits in `max` UTF-16 units, else its start and how much was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Don't split a surrogate pair: a lone half is not valid UTF-8 on the way out.
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}
