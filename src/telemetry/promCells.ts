// Hot-path counters and histograms for prom-client's registry. prom-client's own Counter/Histogram hash the
// label object on every inc/observe (~0.5–0.7 µs each, measured); these keep one cell per label set in a Map
// keyed by the joined values (~0.05 µs), and hand prom-client the same value shapes its classes produce at scrape
// time, so exposition (text and OpenMetrics), escaping and the registry stay prom-client's.
import type { Metric, Registry } from 'prom-client';
import { cacheKey } from '../util/cacheKey';

type Labels = Record<string, string>;

interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}

abstract class CellFamily<Cell> {
  readonly aggregator = 'sum' as const;
  protected cells = new Map<string, { labels: Labels; cell: Cell }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    // The registry reads only name, help, type, aggregator, get() and reset() from a metric; a cast, because its
    // type lists only prom-client's own classes.
    registry.registerMetric(this as unknown as Metric);
  }

  protected abstract create(): Cell;
  abstract readonly type: 'counter' | 'histogram';

  /** The cell for these label values (in `labelNames` order). */
  at(...values: string[]): Cell {
    const key = values.length === 1 ? values[0] : cacheKey(...values);
    let entry = this.cells.get(key);
    if (!entry) {
      const labels: Labels = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]));
      entry = { labels, cell: this.create() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  reset(): void {
    this.cells = new Map();
  }

  protected abstract values(): MetricValue[];

  async get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }> {
    return { name: this.name, help: this.help, type: this.type, values: this.values(), aggregator: this.aggregator };
  }
}

export class CounterCells extends CellFamily<{ value: number }> {
  readonly type = 'counter' as const;
  protected create() {
    return { value: 0 };
  }
  protected values(): MetricValue[] {
    return [...this.cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
  }
}

export interface HistogramCell {
  counts: Float64Array;
  sum: number;
  count: number;
}

export class HistogramCells extends CellFamily<HistogramCell> {
  readonly type = 'histogram' as const;

  constructor(name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  protected create(): HistogramCell {
    return { counts: new Float64Array(this.bounds.length), sum: 0, count: 0 };
  }

  observe(cell: HistogramCell, value: number): void {
    cell.sum += value;
    cell.count += 1;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        cell.counts[i] += 1;
        return;
      }
    }
  }

  protected values(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += cell.counts[i];
        out.push({ labels: { ...labels, le: String(bound) }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      out.push({ labels: { ...labels, le: '+Inf' }, value: cell.count, metricName: `${this.name}_bucket` });
      out.push({ labels, value: cell.sum, metricName: `${this.name}_sum` });
      out.push({ labels, value: cell.count, metricName: `${this.name}_count` });
    }
    return out;
  }
}
