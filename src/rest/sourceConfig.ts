// tollgate.yaml's settings of one REST source (`rest.sources.<name>`), compiled once: its header rules (the subgraph
// header rules of src/execute/headerRules.ts, plus verified claims), the `$config` it maps with, and the `$context`
// its mappings see (the caller, and only the request headers the source allows). Pure.
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRule } from '../execute/config';
import type { RestHeaderRule, RestSourceConfig } from './config';
import { compileHeaderRules, type OutgoingHeaders } from '../execute/headerRules';
import type { Principal } from '../identity/principal';
import { setClaimHeader } from '../identity/forwardClaims';

export interface CompiledSourceConfig {
  config: Readonly<Record<string, unknown>>;
  /** Applies this source's rules for one caller to `out` (which holds the subgraph rules' headers already). */
  headers(incoming: IncomingHttpHeaders, principal: Principal | undefined, out: OutgoingHeaders): OutgoingHeaders;
  /** `$context` for one caller. */
  context(incoming: IncomingHttpHeaders, principal: Principal | undefined): Record<string, unknown>;
}

const EMPTY: RestSourceConfig = { config: {}, headers: [], contextHeaders: [] };

/**
 * `claimHeaders` is `authentication.forwardClaims` (sent to every subgraph, so to REST sources too); a source's own
 * `claim` rules come after it. A claim header is always removed first: a client-sent header never poses as a claim.
 */
export function compileSourceConfig(settings: RestSourceConfig | undefined, claimHeaders: Readonly<Record<string, string>> = {}): CompiledSourceConfig {
  const { config, headers: rules, contextHeaders } = settings ?? EMPTY;
  const claims: Array<{ name: string; header: string }> = Object.entries(claimHeaders).map(([name, header]) => ({ name, header }));
  // Runs of plain rules between claim rules keep their order relative to the claims.
  const steps: Array<{ kind: 'rules'; plan: ReturnType<typeof compileHeaderRules> } | { kind: 'claim'; name: string; header: string }> = [];
  let run: HeaderRule[] = [];
  const flush = () => {
    if (run.length > 0) steps.push({ kind: 'rules', plan: compileHeaderRules(run) });
    run = [];
  };
  for (const rule of rules) {
    if (isClaimRule(rule)) {
      flush();
      steps.push({ kind: 'claim', ...rule.claim });
    } else run.push(rule);
  }
  flush();
  return {
    config,
    headers(incoming, principal, out) {
      for (const claim of claims) setClaim(out, claim, principal);
      for (const step of steps) {
        if (step.kind === 'rules') Object.assign(out, step.plan(incoming));
        else setClaim(out, step, principal);
      }
      return out;
    },
    context(incoming, principal) {
      const headers: Record<string, string | null> = {};
      for (const name of contextHeaders) headers[name] = headerText(incoming[name]) ?? null;
      return {
        subject: principal?.subject ?? null,
        client: principal?.client ?? null,
        plan: principal?.plan ?? null,
        kind: principal?.kind ?? 'anonymous',
        authenticated: principal?.authenticated ?? false,
        scopes: [...(principal?.scopes ?? [])].sort(),
        claims: principal?.claims ?? {},
        headers,
      };
    },
  };
}

/** Rule sets whose propagated headers inbound deduplication must key on: the sources' rules and context headers. */
export function restFingerprintRules(sources: Readonly<Record<string, RestSourceConfig>>): HeaderRule[][] {
  return Object.values(sources).map((source) => [
    ...source.headers.filter((rule): rule is HeaderRule => !isClaimRule(rule)),
    ...source.contextHeaders.map((named): HeaderRule => ({ propagate: { named } })),
  ]);
}

function isClaimRule(rule: RestHeaderRule): rule is Extract<RestHeaderRule, { claim: unknown }> {
  return 'claim' in rule;
}

function setClaim(out: OutgoingHeaders, claim: { name: string; header: string }, principal: Principal | undefined): void {
  // Sent as is: a value a header cannot carry (CR, LF) is refused by the caller with a coded error, never sent.
  setClaimHeader(out, claim.header, principal?.claims[claim.name]);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
