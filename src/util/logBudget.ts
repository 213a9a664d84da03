// A per-minute budget for log lines a client can cause (one per distinct operation, say): past it, lines are
// counted, and the count is reported in one line when the next minute starts, so a flood can't fill the log.

const MINUTE_MS = 60_000;

export class LogBudget {
  private start = Number.NEGATIVE_INFINITY;
  private lines = 0;
  private suppressed = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether one more line may be written now. When a new minute starts with lines left out of the last one,
   * `reportSuppressed` is called first with their number.
   */
  take(reportSuppressed: (count: number) => void): boolean {
    const now = this.now();
    if (now - this.start >= MINUTE_MS) {
      if (this.suppressed > 0) reportSuppressed(this.suppressed);
      this.start = now;
      this.lines = 0;
      this.suppressed = 0;
    }
    if (this.lines >= this.perMinute) {
      this.suppressed += 1;
      return false;
    }
    this.lines += 1;
    return true;
  }
}
