// The issue's table (gateway | dedupe | gateway CPU ms/req | req/s | peak RSS MB, with ratios vs plain
// @apollo/gateway) and its performance targets, each judged PASS / MISS / n/a on one run's summaries. Pure; informative
// only — the bench's exit code never depends on it. Targets compare CPU ms per request, the figure that stays stable
// when the machine is shared; req/s is shown beside it.
import type { TargetName } from './args';
import type { TargetSummary } from './report';
import { dedupeLabel, TARGETS, type DedupeMode, type TargetSpec } from './targetSpecs';

/** ≥ this many times less CPU per request than plain @apollo/gateway, with no dedupe at all. */
export const NO_DEDUPE_FACTOR = 6;
/** Every policy on keeps at least this share of Tollgate's throughput without them (CPU per request). */
export const POLICIES_SHARE = 0.9;

export type CheckStatus = 'PASS' | 'MISS' | 'n/a';

export interface TargetCheck {
  /** The issue's wording of the target. */
  goal: string;
  target: TargetName;
  status: CheckStatus;
  detail: string;
}

const DEDUPE_ORDER: Array<DedupeMode | undefined> = ['none', 'subgraph', 'inbound+subgraph', undefined];
const KIND_ORDER: Array<TargetSpec['kind']> = ['apollo', 'tollgate', 'hive-gateway', 'no-gateway'];

const fixed = (value: number | undefined, digits: number): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));
const times = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}×`);

/** Rows in the issue's order: by dedupe mode (none, subgraph, inbound), Apollo then Tollgate then Hive, the ceiling last. */
export function issueRows(summaries: TargetSummary[]): TargetSummary[] {
  const rank = (s: TargetSummary) => {
    const spec = TARGETS[s.target];
    return DEDUPE_ORDER.indexOf(spec.dedupe) * 10 + KIND_ORDER.indexOf(spec.kind);
  };
  // Array.prototype.sort is stable: within a group, the run's own target order stays.
  return [...summaries].sort((a, b) => rank(a) - rank(b));
}

export function renderIssueTable(summaries: TargetSummary[]): string {
  const apollo = summaries.find((s) => s.target === 'apollo');
  const header = ['gateway', 'target', 'dedupe', 'gateway CPU ms/req', 'req/s', 'peak RSS MB', 'CPU/req vs apollo', 'req/s vs apollo', 'subgraph calls/req'];
  const rows = issueRows(summaries).map((s) => {
    const spec = TARGETS[s.target];
    return [
      spec.label,
      s.target,
      dedupeLabel(spec.dedupe),
      fixed(s.gatewayCpuMsPerRequest, 2),
      fixed(s.reqPerSec, 0),
      fixed(s.peakRssMb, 0),
      times(ratio(apollo?.gatewayCpuMsPerRequest, s.gatewayCpuMsPerRequest)),
      times(ratio(s.reqPerSec, apollo?.reqPerSec)),
      fixed(s.subgraphCallsPerRequest, 2),
    ];
  });
  const align = header.map((_, i) => (i < 3 ? ':--' : '--:'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** a / b, or undefined when either is missing or b is 0. */
function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** Each of the issue's targets, for every measured Tollgate target it applies to. */
export function checkIssueTargets(summaries: TargetSummary[]): TargetCheck[] {
  const byName = new Map(summaries.map((s) => [s.target, s]));
  const apollo = byName.get('apollo');
  const hiveSubgraph = byName.get('hive-gateway+subgraph-dedupe');
  const ceiling = byName.get('no-gateway');
  const checks: TargetCheck[] = [];
  for (const s of summaries) {
    const spec = TARGETS[s.target];
    if (spec.kind !== 'tollgate') continue;
    if (spec.dedupe === 'none' && spec.policies === undefined) {
      checks.push(
        compareCpu(`no dedupe: ≥ ${NO_DEDUPE_FACTOR}× less gateway CPU per request than plain @apollo/gateway`, s, apollo, 'apollo', NO_DEDUPE_FACTOR),
      );
    }
    if (spec.dedupe === 'subgraph') {
      checks.push(compareCpu('subgraph-fetch dedupe only: ≥ Hive Gateway + Rust planner in the same mode', s, hiveSubgraph, 'hive-gateway+subgraph-dedupe', 1));
    }
    if (spec.policies !== undefined) {
      const base = baseOf(s.target, summaries);
      checks.push(compareCpu(`every policy on: ≥ ${POLICIES_SHARE}× of Tollgate without them`, s, base, base?.target ?? 'the same target without policies', POLICIES_SHARE));
    }
    if (spec.dedupe === 'inbound+subgraph') {
      checks.push(compareCpu('inbound dedupe: ≥ the no-gateway ceiling', s, ceiling, 'no-gateway', 1));
    }
    checks.push(compareRss(s, apollo));
  }
  return checks;
}

/** The same Tollgate target without policies (same executor, planner and dedupe), if it was measured. */
function baseOf(target: TargetName, summaries: TargetSummary[]): TargetSummary | undefined {
  const spec = TARGETS[target];
  return summaries.find((s) => {
    const other = TARGETS[s.target];
    return other.kind === 'tollgate' && other.policies === undefined && other.executor === spec.executor && other.planner === spec.planner && other.dedupe === spec.dedupe;
  });
}

/** Wrong answers void a comparison: a fast wrong gateway has not met anything. */
function wrongAnswers(s: TargetSummary): string | undefined {
  return s.errors > 0 ? `${s.target} had ${s.errors} errors` : undefined;
}

/**
 * PASS when `ours` does at least `factor` times the work per CPU ms of `other`: other.cpu / ours.cpu ≥ factor.
 * (factor 0.9 = ours may cost up to 1/0.9 of the other's CPU per request.)
 */
function compareCpu(goal: string, ours: TargetSummary, other: TargetSummary | undefined, otherName: string, factor: number): TargetCheck {
  const base = { goal, target: ours.target };
  if (other === undefined) return { ...base, status: 'n/a', detail: `${otherName} was not measured in this run` };
  const mine = ours.gatewayCpuMsPerRequest;
  const theirs = other.gatewayCpuMsPerRequest;
  if (mine === undefined || theirs === undefined || mine === 0) return { ...base, status: 'n/a', detail: 'no CPU figure (process stats unavailable)' };
  const achieved = theirs / mine;
  const wrong = wrongAnswers(ours) ?? wrongAnswers(other);
  const detail =
    `${fixed(mine, 2)} vs ${fixed(theirs, 2)} ms CPU/req (${otherName}) = ${achieved.toFixed(2)}×, needs ≥ ${factor}×; ` +
    `req/s ${fixed(ours.reqPerSec, 0)} vs ${fixed(other.reqPerSec, 0)}` +
    (wrong ? `; ${wrong}` : '');
  return { ...base, status: achieved >= factor && wrong === undefined ? 'PASS' : 'MISS', detail };
}

function compareRss(ours: TargetSummary, apollo: TargetSummary | undefined): TargetCheck {
  const base = { goal: "peak RSS at saturation ≤ plain @apollo/gateway's", target: ours.target };
  if (apollo === undefined) return { ...base, status: 'n/a', detail: 'apollo was not measured in this run' };
  if (ours.peakRssMb === undefined || apollo.peakRssMb === undefined) return { ...base, status: 'n/a', detail: 'no RSS figure (process stats unavailable)' };
  const wrong = wrongAnswers(ours);
  const detail = `${fixed(ours.peakRssMb, 0)} vs ${fixed(apollo.peakRssMb, 0)} MB` + (wrong ? `; ${wrong}` : '');
  return { ...base, status: ours.peakRssMb <= apollo.peakRssMb && wrong === undefined ? 'PASS' : 'MISS', detail };
}

export function renderChecks(checks: TargetCheck[]): string[] {
  if (checks.length === 0) return ['(no Tollgate target measured)'];
  return checks.map((c) => `- ${c.status} — ${c.goal} — ${c.target}: ${c.detail}`);
}
