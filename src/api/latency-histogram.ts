import type { Histogram } from 'prom-client';

type Label = 'method' | 'route' | 'status';

/** One series: its observations per bucket (the last past every bound), their sum and count. */
interface Series {
  readonly labels: Readonly<Record<Label, string>>;
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A value of a metric as prom-client's registry renders it. */
interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName: string;
}

/**
 * The HTTP latency histogram by method, route template and status, cheap to observe: prom-client's
 * own histogram converts, checks and hashes the labels and allocates on every observation (about a
 * tenth of the CPU time of a request answered from the memo). Here a series is found by three
 * map lookups and an observation is a few additions. prom-client's registry renders it as it renders
 * its own histograms, with the same lines in the same order: it takes any object of a metric's
 * shape (name, help, type, aggregator, get, reset).
 *
 * @example const h = new LatencyHistogram('x_seconds', 'Latency', [0.001, 0.01]); h.observe('GET', '/', 200, 0.002);
 */
export class LatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Series by method, route and status (nested: no key to build per observation)… */
  readonly #byLabels = new Map<string, Map<string, Map<number, Series>>>();
  /** …and in the order they appeared, the order they are rendered in. */
  readonly #series: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    const series =
      this.#byLabels.get(method)?.get(route)?.get(status) ?? this.#add(method, route, status);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]!) bucket++;
    if (bucket < this.bounds.length) series.counts[bucket]! += 1; // past them all: +Inf only
    series.sum += seconds;
    series.count += 1;
  }

  #add(method: string, route: string, status: number): Series {
    const labels = { method, route, status: String(status) };
    const series = { labels, counts: this.bounds.map(() => 0), sum: 0, count: 0 };
    const byRoute = this.#byLabels.get(method) ?? new Map<string, Map<number, Series>>();
    const byStatus = byRoute.get(route) ?? new Map<number, Series>();
    byStatus.set(status, series);
    byRoute.set(route, byStatus);
    this.#byLabels.set(method, byRoute);
    this.#series.push(series);
    return series;
  }

  /** The samples, as prom-client's Histogram gives them: cumulative buckets, +Inf, sum, count. */
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Sample[];
  }> {
    const values: Sample[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, counts, sum, count } of this.#series) {
      let below = 0;
      this.bounds.forEach((le, i) => {
        below += counts[i]!;
        values.push({ value: below, labels: { le, ...labels }, metricName: bucketName });
      });
      values.push({ value: count, labels: { le: '+Inf', ...labels }, metricName: bucketName });
      values.push({ value: sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: count, labels, metricName: `${this.name}_count` });
    }
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values });
  }

  reset(): void {
    this.#byLabels.clear();
    this.#series.length = 0;
  }

  /** This histogram as the registry's type names it: the registry calls only the members above. */
  asRegistered(): Histogram<Label> {
    return this as unknown as Histogram<Label>;
  }
}
