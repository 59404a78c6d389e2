import { useMemo, useState } from 'preact/hooks';
import type { MetricResponse } from '../api/types.js';
import { formatCell, label, toSeconds } from '../lib/format.js';
import { fieldsOf } from '../lib/shown.js';
import { DataTable } from './data-table.js';
import { Heatmap } from './heatmap.js';
import { TimeChart, type Series, type Zoom } from './time-chart.js';

/** A scalar's detail: its numbers as a list, its lists (people, organisations) as tables. */
export function DetailView({
  detail,
}: {
  readonly detail: Readonly<Record<string, unknown>> | undefined;
}) {
  if (detail === undefined) return null;
  const entries = Object.entries(detail);
  const simple = entries.filter(([, v]) => typeof v !== 'object' || v === null);
  const lists = entries.filter(
    (e): e is [string, Record<string, unknown>[]] =>
      Array.isArray(e[1]) && typeof e[1][0] === 'object',
  );
  return (
    <div class="detail">
      {simple.length > 0 ? (
        <dl>
          {simple.map(([k, v]) => (
            <div key={k}>
              <dt>{label(k)}</dt>
              <dd>{formatCell(v, k)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {lists.map(([k, rows]) => (
        <DataTable key={k} caption={label(k)} columns={Object.keys(rows[0] ?? {})} rows={rows} />
      ))}
    </div>
  );
}

/**
 * Any metric result drawn by its kind: a time series as a chart and a table, a table as a table, a
 * scalar as a number with its detail, a heatmap as a punch card.
 *
 * @example <ResultView response={response} zoom={zoom} onZoom={setZoom} />
 */
export function ResultView(props: {
  readonly response: MetricResponse;
  readonly zoom?: Zoom;
  readonly onZoom?: (zoom: Zoom) => void;
}) {
  const result = props.response.result;
  const [fallbackZoom, setFallbackZoom] = useState<Zoom>(null);
  const zoom = props.zoom ?? fallbackZoom;
  const onZoom = props.onZoom ?? setFallbackZoom;
  const chart = useMemo(() => {
    if (result.kind !== 'timeseries') return undefined;
    const x = result.points.map((p) => toSeconds(p.t));
    const series: Series[] = fieldsOf(result.points).map((field) => ({
      label: label(field),
      values: result.points.map((p) => Number(p[field])),
      right: /share|ratio/i.test(field),
    }));
    return { x, series };
  }, [result]);
  switch (result.kind) {
    case 'timeseries':
      return (
        <div>
          <TimeChart
            x={chart?.x ?? []}
            series={chart?.series ?? []}
            label={props.response.metric}
            zoom={zoom}
            onZoom={onZoom}
          />
          <dl class="totals">
            {Object.entries(result.total).map(([k, v]) => (
              <div key={k}>
                <dt>total {label(k)}</dt>
                <dd>{formatCell(v, k)}</dd>
              </div>
            ))}
          </dl>
          <details>
            <summary>Table</summary>
            <DataTable
              caption={props.response.metric}
              columns={['t', ...fieldsOf(result.points)]}
              rows={result.points}
            />
          </details>
        </div>
      );
    case 'table':
      return (
        <div>
          <DataTable caption={props.response.metric} columns={result.columns} rows={result.rows} />
          <DetailView detail={result.detail} />
        </div>
      );
    case 'scalar':
      return (
        <div>
          <p class="big" data-testid="scalar-value">
            {formatCell(result.value)}
          </p>
          <DetailView detail={result.detail} />
        </div>
      );
    case 'heatmap':
      return <Heatmap cells={result.cells} label={props.response.metric} />;
  }
}
