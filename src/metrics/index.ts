/**
 * The metrics role: the catalogue of METRICS.md, each metric compiled to SQL pushed down to the
 * store, and the engine that serves results through the results cache.
 *
 * @example
 * const engine = new MetricsEngine({ store, people: config.people });
 * const { result } = await engine.get({ metric: 'contributors', repositories: ['metre'] });
 */
export {
  MetricsEngine,
  describeCatalogue,
  parseParams,
  type GetOptions,
  type MetricDescription,
  type MetricRequest,
  type MetricResponse,
  type MetricsEngineDeps,
} from './engine.js';
export { resultKind } from './metric.js';
export type {
  AnyMetric,
  HeatmapCell,
  HeatmapResult,
  Metric,
  MetricContext,
  MetricResult,
  ResultKind,
  ScalarResult,
  TableResult,
  TimePoint,
  TimeseriesResult,
} from './metric.js';
export {
  DEFAULT_BOT_PATTERNS,
  INDEPENDENT,
  PUBLIC_MAIL_DOMAINS,
  peopleConfig,
  type Affiliation,
  type PeopleConfig,
} from './people.js';
export { registry } from './registry.js';
export { toCsv } from './csv.js';
export { METRIC_CASES, type MetricCase } from './testing/cases.js';
