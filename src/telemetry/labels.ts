// Bounded label values: the first N distinct values keep their own label, later ones share one overflow bucket,
// so a client inventing operation names can't grow the metrics without limit (Router's overflow, made visible).

export const OVERFLOW_LABEL = '__other__';

export class BoundedLabel {
  private readonly admitted = new Set<string>();

  constructor(
    private readonly max: number,
    /** Called once per value that did not fit, e.g. to count overflows. */
    private readonly onOverflow: () => void = () => undefined,
  ) {}

  /** The value itself when already admitted (or `admit` and there is room), else the overflow bucket. */
  get(value: string, admit = true): string {
    if (this.admitted.has(value)) return value;
    if (admit && this.admitted.size < this.max) {
      this.admitted.add(value);
      return value;
    }
    this.onOverflow();
    return OVERFLOW_LABEL;
  }
}
