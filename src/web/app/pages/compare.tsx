import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { MetricResponse, Repository } from '../api/types.js';
import { BarChart } from '../components/bar-chart.js';
import { DataTable } from '../components/data-table.js';
import { Panel } from '../components/panel.js';
import { RepoPicker } from '../components/repo-picker.js';
import { TimeChart, type Zoom } from '../components/time-chart.js';
import type { Shown } from '../lib/download.js';
import { label } from '../lib/format.js';
import { chartData, fieldsOf, joinSeries } from '../lib/shown.js';
import { useCatalogue, useRepositoryList } from '../lib/use-catalogue.js';
import type { MetricState } from '../lib/use-metric.js';
import { GRANULARITIES } from './dashboard.js';

/** Each repository's result for the same metric and parameters, fetched side by side. */
function useEach(
  metric: string,
  repos: readonly string[],
  params: Readonly<Record<string, string>>,
) {
  const [states, setStates] = useState<MetricState[]>([]);
  const key = JSON.stringify([metric, repos, params]);
  useEffect(() => {
    const controller = new AbortController();
    setStates(repos.map(() => ({ phase: 'loading' })));
    repos.forEach((repo, i) => {
      const set = (state: MetricState) =>
        !controller.signal.aborted && setStates((all) => all.map((s, j) => (j === i ? state : s)));
      api.metric(metric, [repo], params, { signal: controller.signal }).then(
        (response) => set({ phase: response.stale ? 'refreshing' : 'fresh', response }),
        (error: Error) => set({ phase: 'error', error }),
      );
    });
    return () => controller.abort();
  }, [key]);
  return states;
}

function nameOf(repos: readonly Repository[], id: string) {
  return repos.find((r) => r.id === id)?.name ?? id;
}

/** A scalar or table result per repository as rows of one table. */
function perRepoRows(
  repos: readonly Repository[],
  ids: readonly string[],
  responses: readonly (MetricResponse | undefined)[],
): Shown {
  const rows: Record<string, unknown>[] = [];
  let columns: readonly string[] = ['repository', 'value'];
  responses.forEach((r, i) => {
    const repository = nameOf(repos, ids[i] ?? '');
    if (r?.result.kind === 'scalar') rows.push({ repository, value: r.result.value });
    if (r?.result.kind === 'table') {
      columns = ['repository', ...r.result.columns];
      for (const row of r.result.rows) rows.push({ repository, ...row });
    }
  });
  return { columns, rows };
}

/** Several repositories, the same metric: one chart and one table. */
export function ComparePage(props: { readonly query: URLSearchParams }) {
  const metrics = useCatalogue();
  const repos = useRepositoryList();
  const [selected, setSelected] = useState<string[]>(
    props.query.get('repos')?.split(',').filter(Boolean) ?? [],
  );
  const [metricId, setMetricId] = useState(props.query.get('metric') ?? 'commits');
  const [granularity, setGranularity] = useState('month');
  const [field, setField] = useState('');
  const [zoom, setZoom] = useState<Zoom>(null);
  const metric = metrics?.find((m) => m.id === metricId);
  const takesGranularity = metric?.params.properties?.granularity !== undefined;
  const params: Record<string, string> =
    takesGranularity && granularity !== 'month' ? { granularity } : {};
  const states = useEach(metricId, selected, params);
  const responses = states.map((s) => s.response);
  const first = responses.find((r) => r !== undefined);
  const fields = first?.result.kind === 'timeseries' ? fieldsOf(first.result.points) : [];
  const shownField = fields.includes(field) ? field : (fields[0] ?? '');

  const joined = useMemo(() => {
    if (repos === null || first?.result.kind !== 'timeseries') return undefined;
    return joinSeries(
      responses.map((r, i) => ({
        column: nameOf(repos, selected[i] ?? ''),
        points: r?.result.kind === 'timeseries' ? r.result.points : [],
        field: shownField,
      })),
    );
  }, [responses.map((r) => r?.computedAt).join(), shownField, repos]);
  const data = useMemo(() => (joined ? chartData(joined) : undefined), [joined]);
  const series = useMemo(
    () => data?.columns.map((c, i) => ({ label: c, values: data.values[i] ?? [] })) ?? [],
    [data],
  );

  if (metrics === null || repos === null) return <p class="page">Loading…</p>;
  const comparable = metrics.filter((m) => m.kind !== 'heatmap');
  const table = joined ? undefined : perRepoRows(repos, selected, responses);
  const shown: Shown | undefined = joined
    ? joinSeries(
        responses.map((r, i) => ({
          column: nameOf(repos, selected[i] ?? ''),
          points: r?.result.kind === 'timeseries' ? r.result.points : [],
          field: shownField,
        })),
        zoom,
      )
    : table;
  return (
    <div class="page compare">
      <h1>Compare</h1>
      <form class="explorer-form" onSubmit={(e) => e.preventDefault()}>
        <RepoPicker repos={repos} selected={selected} onChange={setSelected} />
        <div class="field">
          <label for="compare-metric">Metric</label>
          <select
            id="compare-metric"
            value={metricId}
            onChange={(e) => setMetricId(e.currentTarget.value)}
          >
            {comparable.map((m) => (
              <option key={m.id} value={m.id}>
                {m.title}
              </option>
            ))}
          </select>
        </div>
        {fields.length > 1 ? (
          <div class="field">
            <label for="compare-field">Measure</label>
            <select
              id="compare-field"
              value={shownField}
              onChange={(e) => setField(e.currentTarget.value)}
            >
              {fields.map((f) => (
                <option key={f} value={f}>
                  {label(f)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {takesGranularity ? (
          <div class="field">
            <label for="compare-granularity">Granularity</label>
            <select
              id="compare-granularity"
              value={granularity}
              onChange={(e) => setGranularity(e.currentTarget.value)}
            >
              {GRANULARITIES.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </form>
      {selected.length === 0 ? (
        <p class="empty">Pick two repositories or more.</p>
      ) : (
        <Panel id="compare" title={metric?.title ?? metricId} states={states} shown={shown} wide>
          {data && data.x.length > 0 ? (
            <TimeChart
              x={data.x}
              series={series}
              label={`${metric?.title ?? metricId} per repository`}
              zoom={zoom}
              onZoom={setZoom}
            />
          ) : null}
          {first?.result.kind === 'scalar' && table ? (
            <BarChart
              label={`${metric?.title ?? metricId} per repository`}
              bars={(table.rows as Record<string, unknown>[]).map((r) => ({
                label: String(r.repository),
                value: Number(r.value ?? 0),
              }))}
            />
          ) : null}
          {shown ? (
            <DataTable caption="Side by side" columns={shown.columns} rows={shown.rows} />
          ) : null}
        </Panel>
      )}
    </div>
  );
}
