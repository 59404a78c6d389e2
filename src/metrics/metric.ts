import type { z } from 'zod';
import type { Query, QueryRow, SqlFragments } from '../store/index.js';
import type { PeopleConfig } from './people.js';

/** The four shapes a metric's result takes. */
export type ResultKind = 'timeseries' | 'table' | 'scalar' | 'heatmap';

/** One bucket of a time series: its start (`YYYY-MM-DD`, UTC) and numeric fields. */
export interface TimePoint {
  readonly t: string;
  readonly [field: string]: string | number;
}

/** Explanations a result may carry beside its numbers (names, shares, edges…). */
export type Detail = Readonly<Record<string, unknown>>;

export interface TimeseriesResult {
  readonly kind: 'timeseries';
  /** Every bucket from the first to the last of the range, empty ones as zeros. */
  readonly points: readonly TimePoint[];
  /** The whole range: distinct counts are distinct over the range, not sums of buckets. */
  readonly total: Readonly<Record<string, number>>;
  readonly detail?: Detail;
}

export interface TableResult {
  readonly kind: 'table';
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, string | number | null>>[];
  readonly detail?: Detail;
}

export interface ScalarResult {
  readonly kind: 'scalar';
  readonly value: number | null;
  readonly detail?: Detail;
}

/** One cell of a weekday × hour grid: Monday = 1 … Sunday = 7, hours 0–23. */
export interface HeatmapCell {
  readonly weekday: number;
  readonly hour: number;
  readonly value: number;
}

export interface HeatmapResult {
  readonly kind: 'heatmap';
  /** All 168 cells, empty ones as zeros, Monday 0h first. */
  readonly cells: readonly HeatmapCell[];
  readonly detail?: Detail;
}

export type MetricResult = TimeseriesResult | TableResult | ScalarResult | HeatmapResult;

/** What a metric compiles against: the repositories in scope and the backend's SQL fragments. */
export interface MetricContext {
  /** The repository ids, sorted; more than one is a group. */
  readonly repoIds: readonly string[];
  readonly sql: SqlFragments;
  readonly people: PeopleConfig;
}

/**
 * A metric: what it counts (its definition is the paragraph users read), the parameters it takes,
 * and how it turns them into SQL pushed down to the store, then rows into a result.
 *
 * @example
 * const queries = commits.compile(commits.params.parse({ granularity: 'week' }), context);
 * const result = commits.shape(await Promise.all(queries.map((q) => store.query(q))), params, context);
 */
export interface Metric<P = Record<string, unknown>> {
  readonly id: string;
  /** Part of the cache key: bump it whenever what the metric counts changes. */
  readonly version: number;
  readonly title: string;
  readonly definition: string;
  /** The shape of its result (with a granularity, see `kindWithGranularity`). */
  readonly kind: ResultKind;
  /**
   * The shape of its result when a `granularity` is given, for a metric whose granularity is
   * optional and turns its one value into a series per bucket; omitted when the shape never
   * changes. The engine refuses a result of another shape than declared.
   */
  readonly kindWithGranularity?: ResultKind;
  /** Validates parameters and fills defaults; its output is the normalised parameters. */
  readonly params: z.ZodType<P>;
  /** The queries to run, in order. */
  compile(params: P, context: MetricContext): readonly Query[];
  /** The result from each query's rows (same order as `compile`'s queries). */
  shape(rows: readonly (readonly QueryRow[])[], params: P, context: MetricContext): MetricResult;
}

/**
 * The shape a metric declares for these (parsed) parameters.
 *
 * @example resultKind(elephantFactor, { granularity: 'year' }) // 'timeseries'
 */
export function resultKind(
  metric: AnyMetric,
  params: Readonly<Record<string, unknown>>,
): ResultKind {
  const granular = params.granularity !== undefined && params.granularity !== null;
  return granular ? (metric.kindWithGranularity ?? metric.kind) : metric.kind;
}

/** Any metric, whatever its parameters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMetric = Metric<any>;

/**
 * Declares a metric with its parameter type inferred from its schema.
 *
 * @example export const commits = defineMetric({ id: 'commits', params: z.object({...}), ... });
 */
export function defineMetric<S extends z.ZodType>(
  metric: Omit<Metric<z.output<S>>, 'params'> & { readonly params: S },
): Metric<z.output<S>> {
  return metric as Metric<z.output<S>>;
}
