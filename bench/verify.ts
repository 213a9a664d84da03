// Checks every response body against the expected JSON without parsing 87 KB per response: the first body of
// each distinct serialization is compared as parsed JSON (whitespace and key order ignored), then remembered.
import { isDeepStrictEqual } from 'node:util';

/** How many distinct correct (or wrong) serializations are remembered; a gateway normally produces one. */
const MEMO_LIMIT = 4;
const SAMPLE_LIMIT = 3;
const SAMPLE_CHARS = 300;

export interface VerifyStats {
  ok: number;
  /** Status other than 200. */
  badStatus: number;
  /** Status 200 but a body that is not the expected JSON. */
  badBody: number;
  /** Status → count, non-200 only. */
  statuses: Record<string, number>;
  /** The first few failures, truncated. */
  samples: string[];
  /**
   * Each distinct correct serialization received, compared with the expected file's bytes: "identical",
   * "identical + whitespace at the ends" or "same JSON, different bytes". One entry = stable output.
   */
  serializations: string[];
}

export interface BodyVerifier {
  check(status: number, body: string): void;
  stats(): VerifyStats;
}

/** Deep equality on parsed JSON; isDeepStrictEqual ignores object key order, which canonical JSON also does. */
export function sameJson(body: string, expected: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(body), expected);
  } catch {
    return false;
  }
}

export function createBodyVerifier(expected: unknown, expectedText: string | undefined): BodyVerifier {
  const good: string[] = expectedText === undefined ? [] : [expectedText];
  const bad: string[] = [];
  const stats: VerifyStats = { ok: 0, badStatus: 0, badBody: 0, statuses: {}, samples: [], serializations: [] };
  // Which remembered good bodies have actually been received (the expected file's text may never be).
  const received: boolean[] = [];

  /** Adds body to list unless full; says whether it did. */
  function remember(list: string[], body: string): boolean {
    if (list.length >= MEMO_LIMIT) return false;
    list.push(body);
    return true;
  }

  function sample(text: string): void {
    if (stats.samples.length < SAMPLE_LIMIT) stats.samples.push(text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text);
  }

  function isGood(body: string): boolean {
    // === on equal-length strings is a memcmp; only a new serialization pays for JSON.parse.
    for (let i = 0; i < good.length; i++) {
      if (body === good[i]) {
        if (received[i] !== true) noteReceived(i);
        return true;
      }
    }
    if (bad.includes(body)) return false;
    if (sameJson(body, expected)) {
      // Past MEMO_LIMIT a new serialization is still correct, just not remembered or counted.
      if (remember(good, body)) noteReceived(good.length - 1);
      return true;
    }
    remember(bad, body);
    return false;
  }

  function noteReceived(index: number): void {
    received[index] = true;
    const body = good[index];
    stats.serializations.push(
      body === expectedText ? 'identical' : body.trim() === expectedText?.trim() ? 'identical + whitespace at the ends' : 'same JSON, different bytes',
    );
  }

  return {
    check(status, body) {
      if (status !== 200) {
        stats.badStatus++;
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        sample(`HTTP ${status}: ${body}`);
      } else if (isGood(body)) {
        stats.ok++;
      } else {
        stats.badBody++;
        sample(`HTTP 200, wrong body: ${body}`);
      }
    },
    stats: () => ({ ...stats, statuses: { ...stats.statuses }, samples: [...stats.samples], serializations: [...stats.serializations] }),
  };
}
