import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from '../queue/index.js';
import type { Store } from '../store/index.js';
import { LatencyHistogram } from './latency-histogram.js';

type Outcome = 'hit' | 'stale' | 'miss';
const OUTCOMES: readonly Outcome[] = ['hit', 'stale', 'miss'];

/**
 * The API's Prometheus metrics, in a registry of its own (several apps in one process, as in
 * tests, never collide): HTTP latencies, jobs by state, collection lag per repository, metric
 * cache hits and misses, and Node's process metrics.
 *
 * @example const m = new ApiMetrics({ store, queue, now: Date.now }); m.observe('GET', '/api/metrics/{metricId}', 200, 0.002);
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly #latency: LatencyHistogram;
  /** Cache outcomes since the last scrape: counted by a plain addition, handed over on a scrape. */
  readonly #outcomes: Record<Outcome, number> = { hit: 0, stale: 0, miss: 0 };

  constructor(deps: { store: Store; queue: Queue; now: () => number }) {
    const registers = [this.registry];
    this.#latency = new LatencyHistogram(
      'metre_http_request_duration_seconds',
      'HTTP request latency by method, route template and status',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    this.registry.registerMetric(this.#latency.asRegistered());
    const outcomes = this.#outcomes;
    const cache = new Counter({
      name: 'metre_metric_cache_requests_total',
      help: 'Metric requests by outcome: hit (fresh), stale (served stale), miss (computed)',
      labelNames: ['outcome'],
      registers,
      collect() {
        for (const outcome of OUTCOMES) {
          this.inc({ outcome }, outcomes[outcome]);
          outcomes[outcome] = 0;
        }
      },
    });
    for (const outcome of OUTCOMES) cache.inc({ outcome }, 0);
    new Gauge({
      name: 'metre_jobs',
      help: 'Jobs in the queue by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await deps.queue.counts();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'metre_collection_lag_seconds',
      help: 'Seconds since each repository was last collected (absent until its first collection)',
      labelNames: ['repository'],
      registers,
      async collect() {
        this.reset();
        for (const repo of await deps.store.listRepositoryRecords()) {
          if (repo.lastCollectedAt === null) continue;
          const lag = (deps.now() - repo.lastCollectedAt.getTime()) / 1000;
          this.set({ repository: repo.name }, Math.max(0, lag));
        }
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'metre_' });
  }

  /** Records one request's latency under its route template (never the raw path: bounded labels). */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.#latency.observe(method, route, status, seconds);
  }

  /** Counts a metric request's cache outcome. */
  cache(outcome: Outcome): void {
    this.#outcomes[outcome] += 1;
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
