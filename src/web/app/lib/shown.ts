import type { MetricResult, TimePoint } from '../api/types.js';
import type { Shown } from './download.js';
import { toSeconds } from './format.js';
import type { Zoom } from '../components/time-chart.js';

/** The numeric fields of a time series' points, in the order the server sent them. */
export const fieldsOf = (points: readonly TimePoint[]): string[] =>
  Object.keys(points[0] ?? {}).filter((k) => k !== 't');

/** The points inside the zoomed x range (all of them without zoom). */
export function visiblePoints<P extends { readonly t: string }>(
  points: readonly P[],
  zoom: Zoom,
): P[] {
  if (zoom === null) return [...points];
  return points.filter((p) => {
    const x = toSeconds(p.t);
    return x >= zoom[0] && x <= zoom[1];
  });
}

/**
 * What a result shows as rows: a time series one row per bucket (in the zoomed range), a table
 * its rows, a heatmap weekday/hour/value, a scalar its value.
 */
export function shownOf(result: MetricResult, zoom: Zoom = null): Shown {
  switch (result.kind) {
    case 'timeseries':
      return {
        columns: ['t', ...fieldsOf(result.points)],
        rows: visiblePoints(result.points, zoom),
      };
    case 'table':
      return { columns: result.columns, rows: result.rows };
    case 'heatmap':
      return { columns: ['weekday', 'hour', 'value'], rows: result.cells };
    case 'scalar':
      return { columns: ['value'], rows: [{ value: result.value }] };
  }
}

/** Several series on one time axis: one row per bucket, a column per series (missing as null). */
export function joinSeries(
  series: readonly {
    readonly column: string;
    readonly points: readonly TimePoint[];
    readonly field: string;
  }[],
  zoom: Zoom = null,
): Shown {
  const rows = new Map<string, Record<string, unknown>>();
  for (const s of series) {
    for (const p of s.points) {
      const row = rows.get(p.t) ?? { t: p.t };
      row[s.column] = p[s.field] ?? null;
      rows.set(p.t, row);
    }
  }
  const sorted = [...rows.values()].sort((a, b) => (String(a.t) < String(b.t) ? -1 : 1));
  const filled = sorted.map((row) => {
    const out: Record<string, unknown> = { t: row.t };
    for (const s of series) out[s.column] = row[s.column] ?? null;
    return out as { t: string };
  });
  return { columns: ['t', ...series.map((s) => s.column)], rows: visiblePoints(filled, zoom) };
}

/** A joined table's columns as chart data: x in seconds, one value array per column. */
export function chartData(shown: Shown) {
  const all = shown.rows as readonly Record<string, unknown>[];
  const x = all.map((row) => toSeconds(String(row.t)));
  const columns = shown.columns.filter((c) => c !== 't');
  const values = columns.map((c) =>
    all.map((row) => (typeof row[c] === 'number' ? (row[c] as number) : null)),
  );
  return { x, columns, values };
}
