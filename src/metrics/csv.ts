import type { MetricResult } from './metric.js';

/**
 * A result as CSV (RFC 4180, header row, `\n` line ends): a time series as one row per bucket, a
 * table as its rows, a heatmap as weekday,hour,value rows, a scalar as one `value` row.
 *
 * @example toCsv({ kind: 'scalar', value: 2 }) // 'value\n2\n'
 */
export function toCsv(result: MetricResult): string {
  const [columns, rows] = tabulate(result);
  const lines = [columns, ...rows.map((row) => columns.map((c) => row[c]))];
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

type Cells = Readonly<Record<string, unknown>>;

function tabulate(result: MetricResult): [string[], readonly Cells[]] {
  switch (result.kind) {
    case 'timeseries': {
      const fields = Object.keys(result.points[0] ?? result.total).filter((k) => k !== 't');
      return [['t', ...fields], result.points];
    }
    case 'table':
      return [[...result.columns], result.rows];
    case 'heatmap':
      return [['weekday', 'hour', 'value'], result.cells.map((cell) => ({ ...cell }))];
    case 'scalar':
      return [['value'], [{ value: result.value }]];
  }
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
