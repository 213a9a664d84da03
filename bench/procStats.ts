// Memory and CPU time of another process from Linux /proc (proc(5)); every reader returns undefined elsewhere,
// so the bench still runs on macOS, just with empty RSS/CPU columns.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat; 100 on every common Linux, asked once to be sure. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set size over the process's life so far, in bytes. */
export function peakRss(pid: number): number | undefined {
  return statusField(pid, 'VmHWM');
}

/** Current resident set size, in bytes. */
export function currentRss(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

/** User + system CPU seconds the process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is parenthesised and may contain spaces; count fields from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After comm: state is fields[0], so utime (field 14) is fields[11] and stime (field 15) fields[12].
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Samples RSS every intervalMs and keeps the maximum, for when VmHWM is unavailable or includes start-up. */
export function sampleMaxRss(pid: number, intervalMs = 100): { stop(): number | undefined } {
  let max: number | undefined;
  const sample = () => {
    const rss = currentRss(pid);
    if (rss !== undefined && (max === undefined || rss > max)) max = rss;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

export interface CpuTimes {
  /** Per CPU (index = CPU number): busy and total jiffies since boot. */
  perCpu: Array<{ busy: number; total: number }>;
}

/** Busy and total time per CPU from /proc/stat, to see how busy each core was, whoever used it. */
export function cpuTimes(): CpuTimes | undefined {
  try {
    const perCpu: CpuTimes['perCpu'] = [];
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const match = /^cpu(\d+) (.*)$/.exec(line);
      if (!match) continue;
      // user nice system idle iowait irq softirq steal …; idle and iowait are the not-busy ones.
      const ticks = match[2].trim().split(/\s+/).slice(0, 8).map(Number);
      const total = ticks.reduce((a, b) => a + b, 0);
      perCpu[Number(match[1])] = { busy: total - ticks[3] - ticks[4], total };
    }
    return { perCpu };
  } catch {
    return undefined;
  }
}

/** Percent busy per CPU between two snapshots. */
export function busyPercent(before: CpuTimes | undefined, after: CpuTimes | undefined): number[] | undefined {
  if (before === undefined || after === undefined) return undefined;
  return after.perCpu.map((a, cpu) => {
    const b = before.perCpu[cpu];
    const total = b === undefined ? 0 : a.total - b.total;
    return b === undefined || total <= 0 ? 0 : (100 * (a.busy - b.busy)) / total;
  });
}
