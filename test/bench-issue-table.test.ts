// The benchmark's issue table and target checks (bench/issueTable.ts), on made-up summaries: which comparisons run,
// PASS / MISS / n/a at and around each threshold, wrong answers voiding a PASS. Plus the Rust planner's platform gate.
import type { TargetName } from '../bench/args';
import { unsupportedPlatform } from '../bench/hivePeer';
import { checkIssueTargets, issueRows, renderIssueTable, type TargetCheck } from '../bench/issueTable';
import type { TargetSummary } from '../bench/report';

function summary(target: TargetName, cpuMs: number | undefined, rssMb: number | undefined = 200, errors = 0): TargetSummary {
  return {
    target,
    rounds: 1,
    responses: 1000,
    seconds: 10,
    reqPerSec: cpuMs === undefined ? 0 : 1000 / cpuMs,
    p50Ms: 1,
    p90Ms: 1,
    p99Ms: 1,
    maxMs: 1,
    errors,
    badStatus: 0,
    badBody: errors,
    connectionErrors: 0,
    timeouts: 0,
    peakRssMb: rssMb,
    gatewayCpuPct: 100,
    gatewayCpuMsPerRequest: cpuMs,
    loadGeneratorCpuPct: 10,
    subgraphsCpuPct: 10,
    cpuBusyPct: undefined,
    otherProcessesCpuPct: undefined,
    otherPerCpuPct: undefined,
    ratioVsApollo: undefined,
    subgraphCallsPerRequest: undefined,
    serializations: [],
    errorSamples: [],
  };
}

function find(checks: TargetCheck[], target: TargetName, goal: RegExp): TargetCheck {
  const found = checks.filter((c) => c.target === target && goal.test(c.goal));
  expect(found).toHaveLength(1);
  return found[0];
}

describe('checkIssueTargets', () => {
  it('no dedupe: PASS at exactly 6× less CPU than apollo, MISS just under', () => {
    const checks = checkIssueTargets([summary('apollo', 18), summary('tollgate-exec', 3), summary('tollgate', 3.01)]);
    expect(find(checks, 'tollgate-exec', /no dedupe/).status).toBe('PASS');
    expect(find(checks, 'tollgate', /no dedupe/).status).toBe('MISS');
    expect(find(checks, 'tollgate-exec', /no dedupe/).detail).toContain('6.00×');
  });

  it('n/a when the comparator was not measured, never a silent PASS', () => {
    const checks = checkIssueTargets([summary('tollgate-exec', 1), summary('tollgate-exec+subgraph-dedupe', 1), summary('tollgate-exec+dedupe', 0.1)]);
    expect(find(checks, 'tollgate-exec', /no dedupe/)).toMatchObject({ status: 'n/a', detail: expect.stringContaining('apollo') });
    expect(find(checks, 'tollgate-exec+subgraph-dedupe', /Hive Gateway/)).toMatchObject({ status: 'n/a' });
    expect(find(checks, 'tollgate-exec+dedupe', /ceiling/)).toMatchObject({ status: 'n/a' });
    expect(find(checks, 'tollgate-exec', /RSS/)).toMatchObject({ status: 'n/a' });
  });

  it('subgraph dedupe compares with Hive Gateway in the same mode, not with its other modes', () => {
    const checks = checkIssueTargets([
      summary('hive-gateway', 1),
      summary('hive-gateway+dedupe', 0.1),
      summary('hive-gateway+subgraph-dedupe', 4),
      summary('tollgate-exec+subgraph-dedupe', 4),
      summary('tollgate+subgraph-dedupe', 4.1),
    ]);
    expect(find(checks, 'tollgate-exec+subgraph-dedupe', /Hive Gateway/).status).toBe('PASS');
    expect(find(checks, 'tollgate+subgraph-dedupe', /Hive Gateway/).status).toBe('MISS');
    // Hive Gateway itself is a comparator, not a target of the issue.
    expect(checks.some((c) => c.target.startsWith('hive-gateway'))).toBe(false);
  });

  it('policies compare with the same executor, planner and dedupe without them, at 0.9×', () => {
    const checks = checkIssueTargets([
      summary('tollgate', 9),
      summary('tollgate+policies', 10),
      summary('tollgate-exec', 2),
      summary('tollgate-exec+policies', 2.3),
    ]);
    expect(find(checks, 'tollgate+policies', /policy/)).toMatchObject({ status: 'PASS', detail: expect.stringContaining('(tollgate)') });
    expect(find(checks, 'tollgate-exec+policies', /policy/)).toMatchObject({ status: 'MISS', detail: expect.stringContaining('(tollgate-exec)') });
    // Policies targets are not held to the no-dedupe 6× target (that is their base's).
    expect(checks.filter((c) => c.target === 'tollgate+policies' && /no dedupe/.test(c.goal))).toHaveLength(0);
  });

  it('inbound dedupe compares with the no-gateway ceiling', () => {
    const checks = checkIssueTargets([summary('no-gateway', 0.3), summary('tollgate+dedupe', 0.27), summary('tollgate-exec-hive+dedupe', 0.31)]);
    expect(find(checks, 'tollgate+dedupe', /ceiling/).status).toBe('PASS');
    expect(find(checks, 'tollgate-exec-hive+dedupe', /ceiling/).status).toBe('MISS');
  });

  it('peak RSS: PASS at equal, MISS above, for every Tollgate target', () => {
    const checks = checkIssueTargets([summary('apollo', 16, 295), summary('tollgate', 8, 295), summary('tollgate+dedupe', 0.3, 296), summary('tollgate+policies+redis', 8, 100)]);
    expect(find(checks, 'tollgate', /RSS/).status).toBe('PASS');
    expect(find(checks, 'tollgate+dedupe', /RSS/).status).toBe('MISS');
    expect(find(checks, 'tollgate+policies+redis', /RSS/).status).toBe('PASS');
  });

  it('wrong answers on either side void a PASS and say so', () => {
    const checks = checkIssueTargets([summary('apollo', 60), summary('tollgate-exec', 1, 100, 3)]);
    expect(find(checks, 'tollgate-exec', /no dedupe/)).toMatchObject({ status: 'MISS', detail: expect.stringContaining('3 errors') });
    expect(find(checks, 'tollgate-exec', /RSS/).status).toBe('MISS');
    const theirs = checkIssueTargets([summary('hive-gateway+subgraph-dedupe', 9, 100, 1), summary('tollgate-exec+subgraph-dedupe', 1)]);
    expect(find(theirs, 'tollgate-exec+subgraph-dedupe', /Hive/).status).toBe('MISS');
  });

  it('n/a without CPU figures (no /proc), instead of dividing by nothing', () => {
    // (undefined passed as rssMb would take the helper's default)
    const checks = checkIssueTargets([{ ...summary('apollo', undefined), peakRssMb: undefined }, { ...summary('tollgate', undefined), peakRssMb: undefined }]);
    expect(checks.map((c) => c.status)).toEqual(['n/a', 'n/a']);
  });
});

describe('the issue table', () => {
  it("orders rows as the issue does: by dedupe mode, Apollo, Tollgate, Hive; the ceiling last", () => {
    const rows = issueRows(
      ['no-gateway', 'hive-gateway+dedupe', 'tollgate+dedupe', 'hive-gateway+subgraph-dedupe', 'tollgate-exec+subgraph-dedupe', 'tollgate+policies', 'tollgate', 'apollo'].map((t) =>
        summary(t as TargetName, 1),
      ),
    ).map((s) => s.target);
    expect(rows).toEqual([
      'apollo',
      'tollgate+policies',
      'tollgate',
      'tollgate-exec+subgraph-dedupe',
      'hive-gateway+subgraph-dedupe',
      'tollgate+dedupe',
      'hive-gateway+dedupe',
      'no-gateway',
    ]);
  });

  it('shows ratios against apollo, n/a without it', () => {
    const withApollo = renderIssueTable([summary('apollo', 16), summary('tollgate-exec', 2)]);
    expect(withApollo).toContain('| Tollgate, executor tollgate, planner apollo | tollgate-exec | none | 2.00 | 500 | 200 | 8.00× | 8.00× | n/a |');
    expect(renderIssueTable([summary('tollgate', 2)])).toContain('| 2.00 | 500 | 200 | n/a | n/a | n/a |');
  });
});

describe('unsupportedPlatform (the Rust planner addon)', () => {
  it('accepts linux glibc and macOS on x64 / arm64', () => {
    expect(unsupportedPlatform({ platform: 'linux', arch: 'x64', glibc: '2.36' })).toBeUndefined();
    expect(unsupportedPlatform({ platform: 'linux', arch: 'arm64', glibc: '2.31' })).toBeUndefined();
    expect(unsupportedPlatform({ platform: 'darwin', arch: 'arm64', glibc: undefined })).toBeUndefined();
  });

  it('names what is missing elsewhere', () => {
    expect(unsupportedPlatform({ platform: 'linux', arch: 'x64', glibc: undefined })).toMatch(/musl/);
    expect(unsupportedPlatform({ platform: 'win32', arch: 'x64', glibc: undefined })).toMatch(/win32/);
    expect(unsupportedPlatform({ platform: 'linux', arch: 'ia32', glibc: '2.36' })).toMatch(/ia32/);
  });
});
