import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from '../queue/index.js';
import type { Store } from '../store/index.js';

/**
 * The API's Prometheus metrics, in a registry of its own (several apps in one process, as in
 * tests, never collide): HTTP latencies, jobs by state, collection lag per repository, metric
 * cache hits and misses, and Node's process metrics.
 *
 * @example const m = new ApiMetrics({ store, queue, now: Date.now }); m.observe('GET', '/api/metrics/{metricId}', 200, 0.002);
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly #latency: Histogram<'method' | 'route' | 'status'>;
  readonly #cache: Counter<'outcome'>;
  readonly #outcomes: Record<'hit' | 'stale' | 'miss', { inc(value?: number): void }>;
  /** The histogram's series by method, route and status: labels hashed once, not per request. */
  readonly #children = new Map<string, { observe(value: number): void }>();

  constructor(deps: { store: Store; queue: Queue; now: () => number }) {
    const registers = [this.registry];
    this.#latency = new Histogram({
      name: 'metre_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#cache = new Counter({
      name: 'metre_metric_cache_requests_total',
      help: 'Metric requests by outcome: hit (fresh), stale (served stale), miss (computed)',
      labelNames: ['outcome'],
      registers,
    });
    this.#outcomes = {
      hit: this.#cache.labels('hit'),
      stale: this.#cache.labels('stale'),
      miss: this.#cache.labels('miss'),
    };
    for (const child of Object.values(this.#outcomes)) child.inc(0);
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
        for (const repo of await deps.store.listRepositories()) {
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
    const key = `${method} ${route} ${status}`;
    let child = this.#children.get(key);
    if (child === undefined) {
      child = this.#latency.labels({ method, route, status: String(status) });
      this.#children.set(key, child);
    }
    child.observe(seconds);
  }

  /** Counts a metric request's cache outcome. */
  cache(outcome: 'hit' | 'stale' | 'miss'): void {
    this.#outcomes[outcome].inc();
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
