// Text for people (the CLI's default output) from check reports, publish and rollback outcomes, and the history.
// Pure; `--format json` prints the same objects as JSON instead.
import type { ComposeError } from '../compose/compose';
import { formatComposeError } from '../compose/compositionErrors';
import type { CheckReport } from './check';
import type { HistoryView } from './history';
import type { BrokenOperation } from './operationImpact';
import type { PublishOutcome, RollbackOutcome } from './publish';
import { isAddition, type SchemaChange, type SchemaDiff } from './schemaDiff';

const short = (hash: string) => hash.slice(0, 12);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function baseLabel(base: CheckReport['base']): string {
  return base.version === undefined ? `rover.yaml (nothing published yet; supergraph ${short(base.hash)})` : `version ${base.version} (supergraph ${short(base.hash)})`;
}

function formatCompositionError(error: ComposeError): string {
  const who = error.subgraphs ? ` [${error.subgraphs.join(', ')}]` : error.subgraph ? ` [${error.subgraph}]` : '';
  // `CODE [subgraphs]: message (at …)`: the shared line, with who is involved after the code.
  return `    ${error.code}${who}${formatComposeError(error).slice(error.code.length)}`;
}

function formatChanges(title: string, changes: readonly SchemaChange[]): string[] {
  if (changes.length === 0) return [];
  return [`  ${title} (${changes.length}):`, ...changes.map((c) => `    ${c.type.padEnd(29)} ${c.message}`)];
}

/** Breaking, dangerous, then additions on one line and other safe changes. */
function formatDiff(diff: SchemaDiff): string[] {
  const additions = diff.safe.filter(isAddition);
  const otherSafe = diff.safe.filter((c) => !isAddition(c));
  return [
    ...formatChanges('breaking changes', diff.breaking),
    ...formatChanges('dangerous changes', diff.dangerous),
    ...(additions.length > 0 ? [`  additions (${additions.length}): ${additions.map((c) => c.coordinate ?? c.message).join(', ')}`] : []),
    ...formatChanges('safe changes', otherSafe),
  ];
}

function formatOperation(op: BrokenOperation): string[] {
  const name = op.name ?? '(anonymous)';
  return [
    `    ${name}  client ${op.client}  ${plural(op.count, 'call')}  last seen ${new Date(op.lastSeen).toISOString()}  (query ${op.queryHash.slice(0, 12)})`,
    ...op.errors.map((e) => `      ${e}`),
  ];
}

/** Why a report fails, in a few words; undefined when it passes. */
export function failureOf(report: CheckReport): string | undefined {
  if (!report.composition.ok) return `does not compose (${plural(report.composition.errors.length, 'error')})`;
  const reasons: string[] = [];
  if (report.changes.breaking.length > 0) reasons.push(plural(report.changes.breaking.length, 'breaking change'));
  const broken = report.operations?.broken.length ?? 0;
  if (broken > 0) reasons.push(`${plural(broken, 'recently used operation')} would break`);
  return reasons.length > 0 ? reasons.join(', ') : undefined;
}

export function formatCheckReport(report: CheckReport): string {
  const lines = [`check ${report.subgraph}${report.newSubgraph ? ' (new subgraph)' : ''} against ${baseLabel(report.base)}`];
  if (!report.composition.ok) {
    lines.push(`  composition: ${plural(report.composition.errors.length, 'error')}`, ...report.composition.errors.map(formatCompositionError));
  } else {
    const hints = report.composition.hints.length;
    lines.push(`  composition: ok${hints > 0 ? ` (${plural(hints, 'hint')})` : ''}${report.unchanged ? ' — no change to the supergraph' : ''}`);
    lines.push(...formatDiff(report.changes));
    if (!report.unchanged && report.changes.breaking.length + report.changes.dangerous.length + report.changes.safe.length === 0) lines.push('  no change to the API schema');
    if (!report.operations) {
      lines.push('  operations: no usage data (record it with usage.redis, or check through a gateway with --gateway)');
    } else {
      const { checked, broken, since } = report.operations;
      lines.push(`  operations used since ${since}: ${checked} checked, ${broken.length} would break${broken.length > 0 ? ':' : ''}`, ...broken.flatMap(formatOperation));
    }
  }
  const failure = failureOf(report);
  lines.push(failure ? `result: FAIL — ${failure}` : 'result: PASS');
  return `${lines.join('\n')}\n`;
}

export function formatPublishOutcome(outcome: PublishOutcome): string {
  const lines = [formatCheckReport(outcome.report).trimEnd()];
  if (outcome.status === 'refused') {
    lines.push(outcome.reason === 'composition' ? 'not published: the schema does not compose' : 'not published: breaking changes (--allow-breaking publishes anyway)');
  } else {
    if (outcome.baseline) lines.push(`recorded version ${outcome.baseline.version}: ${outcome.baseline.summary} (supergraph ${short(outcome.baseline.hash)})`);
    if (outcome.status === 'published') {
      // A publish forced past a failed check says so, next to the check's FAIL, rather than reading like a success.
      const failure = failureOf(outcome.report);
      const despite = failure ? ` despite ${failure} (--allow-breaking)` : '';
      lines.push(`published version ${outcome.entry.version}${despite} (supergraph ${short(outcome.entry.hash)}) by ${outcome.entry.by}: ${outcome.entry.summary}`);
    } else {
      lines.push(
        outcome.baseline
          ? `no further version: the supergraph is what version ${outcome.baseline.version} records`
          : 'nothing to publish: the supergraph would not change',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatRollbackOutcome(outcome: RollbackOutcome): string {
  const { entry, target, changes } = outcome;
  const lines = [`rolled back to version ${target.version} (supergraph ${short(target.hash)}), recorded as version ${entry.version} by ${entry.by}`];
  lines.push(...formatDiff(changes));
  return `${lines.join('\n')}\n`;
}

/** Newest first, one line per version; `(current)` marks what is served, or a line says it is outside the history. */
export function formatHistory(view: HistoryView): string {
  if (view.entries.length === 0 && !view.served) return 'nothing published yet\n';
  const rows = view.entries.map((e) => {
    const when = e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return `${String(e.version).padStart(4)}  ${when}  ${short(e.hash)}  ${e.by.padEnd(16)}  ${e.summary}${e.current ? '  (current)' : ''}`;
  });
  const lines = ['   v  when                  supergraph    by                what', ...rows];
  if (view.served && view.served.version === null) {
    lines.unshift(`served now: supergraph ${short(view.served.hash)}, written outside the registry (not in the history); \`tollgate rollback\` restores the newest version`);
  }
  return `${lines.join('\n')}\n`;
}
