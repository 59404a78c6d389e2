import type {
  HeatmapResult,
  MetricDescription,
  MetricResponse,
  MetricResult,
} from '../metrics/index.js';
import { formatTable, type Column } from './format.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A number for a terminal: integers with separators, shares and fractions with 3 decimals. */
export function showNumber(value: unknown): string {
  if (typeof value !== 'number') return value === null || value === undefined ? '-' : String(value);
  return Number.isInteger(value)
    ? value.toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/**
 * A metric's answer for a terminal: a heading (metric, repositories, cache state), then the result
 * as an aligned table (a time series one row per bucket, a heatmap as a weekday × hour grid).
 *
 * @example stdout.write(renderResponse(await engine.get(request)));
 */
export function renderResponse(response: MetricResponse): string {
  const state = response.stale ? 'stale cache' : response.cached ? 'cached' : 'computed';
  const heading =
    `${response.metric} v${response.version} · ${response.repositories.join(', ')} · ` +
    `${state} ${response.computedAt.slice(0, 19).replace('T', ' ')} UTC\n`;
  return heading + renderResult(response.result);
}

function renderResult(result: MetricResult): string {
  switch (result.kind) {
    case 'timeseries': {
      const fields = Object.keys(result.total);
      const rows = [...result.points, { t: 'total', ...result.total }];
      return table(['t', ...fields], rows);
    }
    case 'table':
      return table(result.columns, result.rows);
    case 'scalar':
      return `value: ${showNumber(result.value)}\n${renderDetail(result.detail)}`;
    case 'heatmap':
      return renderHeatmap(result);
  }
}

function table(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]) {
  const spec: Column<Readonly<Record<string, unknown>>>[] = columns.map((c) => ({
    title: c,
    value: (row) => showNumber(row[c]),
  }));
  return formatTable(spec, rows);
}

/** A scalar's detail: plain values as `key: value`, lists of objects as tables. */
function renderDetail(detail: Readonly<Record<string, unknown>> | undefined): string {
  if (detail === undefined) return '';
  return Object.entries(detail)
    .map(([key, value]) => {
      if (Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object')) {
        const rows = value as Record<string, unknown>[];
        return `${key}:\n${table(Object.keys(rows[0] ?? {}), rows)}`;
      }
      return `${key}: ${typeof value === 'object' ? JSON.stringify(value) : showNumber(value)}\n`;
    })
    .join('');
}

function renderHeatmap(result: HeatmapResult): string {
  const grid = WEEKDAYS.map((day, i) => {
    const cells = result.cells.filter((c) => c.weekday === i + 1).sort((a, b) => a.hour - b.hour);
    return [day, ...cells.map((c) => String(c.value))];
  });
  const hours = Array.from({ length: 24 }, (_, h) => String(h));
  const widths = hours.map((h, i) => Math.max(h.length, ...grid.map((r) => r[i + 1]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    [cells[0]?.padEnd(3), ...cells.slice(1).map((c, i) => c.padStart(widths[i] ?? 0))].join(' ');
  return [line(['', ...hours]), ...grid.map(line)].join('\n') + '\n';
}

/** `metre metrics`: each metric's id, kind and parameters, then its definition. */
export function renderCatalogue(metrics: readonly MetricDescription[]): string {
  return metrics
    .map((m) => {
      const params = Object.keys((m.params.properties as object | undefined) ?? {});
      const kind =
        m.kindWithGranularity === undefined
          ? m.kind
          : `${m.kind}; ${m.kindWithGranularity} with a granularity`;
      const header = `${m.id} (v${m.version}, ${kind}): ${m.title}`;
      return `${header}\n  params: ${params.join(', ') || 'none'}\n${wrap(m.definition, 96, '  ')}`;
    })
    .join('\n\n')
    .concat('\n');
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}
