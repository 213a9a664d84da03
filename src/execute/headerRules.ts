// Header rules for calls to subgraphs (propagate / rename / insert / remove), compiled once per subgraph.
// Pure: incoming headers in, outgoing headers out. `all` rules run before the subgraph's own, in order.
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRule } from './config';
import { cacheKey } from '../util/cacheKey';

export type OutgoingHeaders = Record<string, string>;
export type HeaderPlan = (incoming: IncomingHttpHeaders) => OutgoingHeaders;

/** Hop-by-hop and body-framing headers never leave with a subgraph call, whatever the rules say. */
const NEVER_PROPAGATED = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade',
  'te', 'trailer', 'proxy-authorization', 'proxy-authenticate', 'accept-encoding', 'expect',
]);

function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

export function compileHeaderRules(rules: readonly HeaderRule[]): HeaderPlan {
  if (rules.length === 0) return () => ({});
  return (incoming) => {
    const out: OutgoingHeaders = {};
    for (const rule of rules) {
      if ('propagate' in rule) {
        const p = rule.propagate;
        if ('named' in p) {
          const value = headerValue(incoming[p.named]) ?? p.default;
          if (value !== undefined && !NEVER_PROPAGATED.has(p.named)) out[p.rename ?? p.named] = value;
        } else {
          for (const name of Object.keys(incoming)) {
            if (!NEVER_PROPAGATED.has(name) && p.matching.test(name)) out[name] = headerValue(incoming[name])!;
          }
        }
      } else if ('insert' in rule) {
        out[rule.insert.name] = rule.insert.value;
      } else {
        const r = rule.remove;
        if ('named' in r) delete out[r.named];
        else for (const name of Object.keys(out)) if (r.matching.test(name)) delete out[name];
      }
    }
    return out;
  };
}

/**
 * The incoming header values that any subgraph could receive, as one string: two requests with the same
 * fingerprint send the same headers everywhere, so inbound deduplication may share their answer.
 */
export function compileHeaderFingerprint(ruleSets: ReadonlyArray<readonly HeaderRule[]>): (incoming: IncomingHttpHeaders) => string {
  const named = new Set<string>();
  const matching: RegExp[] = [];
  for (const rules of ruleSets) {
    for (const rule of rules) {
      if (!('propagate' in rule)) continue;
      if ('named' in rule.propagate) named.add(rule.propagate.named);
      else matching.push(rule.propagate.matching);
    }
  }
  const names = [...named].sort();
  if (names.length === 0 && matching.length === 0) return () => '';
  return (incoming) => {
    // Length-prefixed parts (src/util/cacheKey.ts): an absent header and an empty one differ, and no value can
    // pass for another header's boundary.
    let fingerprint = '';
    for (const name of names) fingerprint += cacheKey(name, headerValue(incoming[name]));
    if (matching.length > 0) {
      for (const name of Object.keys(incoming).sort()) {
        if (!named.has(name) && matching.some((m) => m.test(name))) fingerprint += cacheKey(name, headerValue(incoming[name]));
      }
    }
    return fingerprint;
  };
}
