import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type Params } from '../api/client.js';
import type { MetricResponse, Repository, TableResult, TimePoint } from '../api/types.js';
import { BarChart } from '../components/bar-chart.js';
import { DataTable } from '../components/data-table.js';
import { Heatmap } from '../components/heatmap.js';
import { Panel } from '../components/panel.js';
import { TimeChart, type Zoom } from '../components/time-chart.js';
import type { Shown } from '../lib/download.js';
import { formatAgo, formatCell, formatInteger, formatShare } from '../lib/format.js';
import { href } from '../lib/router.js';
import { chartData, joinSeries } from '../lib/shown.js';
import { statusText } from '../lib/status.js';
import { prefetch, settled, useMetric, type MetricState } from '../lib/use-metric.js';

export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
type Granularity = (typeof GRANULARITIES)[number];

/** The dashboard's controls; their defaults send no parameter, so the first view hits the cache. */
interface View {
  readonly granularity: Granularity;
  readonly from: string;
  readonly to: string;
  readonly timezone: 'local' | 'utc';
}

const points = (s: MetricState): readonly TimePoint[] =>
  s.response?.result.kind === 'timeseries' ? s.response.result.points : [];
const total = (s: MetricState, field: string): number | undefined =>
  s.response?.result.kind === 'timeseries' ? s.response.result.total[field] : undefined;
const scalar = (s: MetricState): number | null | undefined =>
  s.response?.result.kind === 'scalar' ? s.response.result.value : undefined;
const table = (s: MetricState): TableResult | undefined =>
  s.response?.result.kind === 'table' ? s.response.result : undefined;

function Stat(props: {
  readonly id: string;
  readonly label: string;
  readonly value: string | undefined;
  readonly sub?: string;
}) {
  return (
    <div class="stat">
      <dt>{props.label}</dt>
      <dd data-testid={`stat-${props.id}`}>{props.value ?? '…'}</dd>
      {props.sub ? <dd class="muted small">{props.sub}</dd> : null}
    </div>
  );
}

/** One time chart over joined series, with its downloads cut to the zoomed range. */
/** One series of a panel: its column, the metric state it comes from, the field it reads. */
interface PanelSeries {
  readonly column: string;
  readonly state: MetricState;
  readonly field: string;
  readonly bars?: boolean;
}

const serie = (column: string, state: MetricState, field: string, bars = false): PanelSeries => ({
  column,
  state,
  field,
  bars,
});

function SeriesPanel(props: {
  readonly id: string;
  readonly title: string;
  readonly series: readonly PanelSeries[];
  readonly zoom: Zoom;
  readonly onZoom: (zoom: Zoom) => void;
}) {
  const responses = props.series.map((s) => s.state.response);
  const inputs = () =>
    props.series.map((s) => ({ column: s.column, points: points(s.state), field: s.field }));
  // One entry per series, so the dependency list keeps its length.
  const all = useMemo(() => joinSeries(inputs()), responses);
  const data = useMemo(() => chartData(all), [all]);
  const series = useMemo(
    () =>
      data.columns.map((c, i) => ({
        label: c,
        values: data.values[i] ?? [],
        bars: props.series[i]?.bars ?? false,
      })),
    [data],
  );
  const shown: Shown = useMemo(() => joinSeries(inputs(), props.zoom), [all, props.zoom]);
  const ready = props.series.every((s) => s.state.response !== undefined);
  return (
    <Panel
      id={props.id}
      title={props.title}
      states={[...new Set(props.series.map((s) => s.state))]}
      shown={ready ? shown : undefined}
      wide
    >
      {ready && data.x.length > 0 ? (
        <TimeChart
          x={data.x}
          series={series}
          label={props.title}
          zoom={props.zoom}
          onZoom={props.onZoom}
        />
      ) : ready ? (
        <p class="empty">No commits in this range.</p>
      ) : (
        <div class="chart placeholder" />
      )}
    </Panel>
  );
}

function Controls(props: {
  readonly view: View;
  readonly onChange: (view: View) => void;
  readonly zoom: Zoom;
  readonly onResetZoom: () => void;
}) {
  const { view } = props;
  const set = (patch: Partial<View>) => props.onChange({ ...view, ...patch });
  const preset = (years: number) => {
    if (years === 0) return set({ from: '', to: '' });
    const from = new Date();
    from.setUTCFullYear(from.getUTCFullYear() - years);
    set({ from: from.toISOString().slice(0, 10), to: '' });
  };
  return (
    <form
      class="controls"
      onSubmit={(e) => e.preventDefault()}
      aria-label="Time range and granularity"
    >
      <label>
        Granularity{' '}
        <select
          value={view.granularity}
          onChange={(e) => set({ granularity: e.currentTarget.value as Granularity })}
        >
          {GRANULARITIES.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
      </label>
      <label>
        From{' '}
        <input
          type="date"
          value={view.from}
          onChange={(e) => set({ from: e.currentTarget.value })}
        />
      </label>
      <label>
        To{' '}
        <input type="date" value={view.to} onChange={(e) => set({ to: e.currentTarget.value })} />
      </label>
      <span class="presets" role="group" aria-label="Range presets">
        <button type="button" onClick={() => preset(0)}>
          All
        </button>
        <button type="button" onClick={() => preset(1)}>
          1 y
        </button>
        <button type="button" onClick={() => preset(3)}>
          3 y
        </button>
      </span>
      {props.zoom ? (
        <button type="button" onClick={props.onResetZoom}>
          Reset zoom
        </button>
      ) : (
        <span class="muted small">Drag on a chart (or focus it and press +) to zoom.</span>
      )}
    </form>
  );
}

const topColumns = [
  { key: 'rank', title: '#' },
  { key: 'name' },
  { key: 'commits' },
  { key: 'share' },
  { key: 'lines', title: 'lines changed' },
];

function releasesShown(response: MetricResponse | undefined): Shown | undefined {
  const list = response?.result.detail?.releases as
    { name: string; date: string; sha: string }[] | undefined;
  return list === undefined
    ? undefined
    : { columns: ['name', 'date', 'sha'], rows: [...list].reverse() };
}

/** The dashboard's controls as the location's query gives them. */
function viewOf(query: URLSearchParams): View {
  return {
    granularity: (query.get('granularity') as Granularity | null) ?? 'month',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    timezone: query.get('timezone') === 'utc' ? 'utc' : 'local',
  };
}

/**
 * Every metric request of the dashboard, in a fixed order (hooks are called in it). Left at
 * their defaults, the controls add no parameter, so the first view is answered from the results
 * cache that each collection fills; only the factors over time need a granularity.
 */
function dashboardRequests(view: View): readonly (readonly [string, Params])[] {
  const range: Params = { from: view.from || undefined, to: view.to || undefined };
  const series: Params = {
    granularity: view.granularity === 'month' ? undefined : view.granularity,
    ...range,
  };
  const timezone = view.timezone === 'utc' ? 'utc' : undefined;
  return [
    ['commits', series],
    ['lines-changed', series],
    ['contributors', series],
    ['new-contributors', series],
    ['inactive-contributors', series],
    ['contributor-absence-factor', range],
    ['elephant-factor', range],
    ['activity-dates-times', { ...range, timezone }],
    ['top-contributors', range],
    ['hotspots', range],
    ['language-distribution', {}],
    ['release-frequency', series],
    ['contributor-absence-factor', { ...range, granularity: view.granularity }],
    ['elephant-factor', { ...range, granularity: view.granularity }],
  ];
}

/**
 * Starts the dashboard's requests before the app renders, when the page opens on a dashboard:
 * the answers are on their way while the script and the first render run.
 */
export function prefetchDashboard(id: string, query: URLSearchParams): void {
  for (const [metric, params] of dashboardRequests(viewOf(query))) prefetch(metric, [id], params);
}

/** A repository's dashboard: headline numbers and every chart, each with its definition. */
export function DashboardPage(props: { readonly id: string; readonly query: URLSearchParams }) {
  const [repo, setRepo] = useState<Repository | null>(null);
  const [view, setView] = useState<View>(() => viewOf(props.query));
  const [zoom, setZoom] = useState<Zoom>(null);
  useEffect(() => {
    api.repository(props.id).then(setRepo, () => setRepo(null));
  }, [props.id]);

  const repos = useMemo(() => [props.id], [props.id]);
  const requests = dashboardRequests(view);
  // One hook per request, always in the same order.
  const states = requests.map(([metric, params]) => useMetric(metric, repos, params));
  const at = (i: number): MetricState => states[i] ?? { phase: 'loading' };
  const commits = at(0);
  const lines = at(1);
  const contributors = at(2);
  const newcomers = at(3);
  const inactive = at(4);
  const absence = at(5);
  const elephant = at(6);
  const punch = at(7);
  const top = at(8);
  const hotspots = at(9);
  const languages = at(10);
  const releases = at(11);
  const absenceSeries = at(12);
  const elephantSeries = at(13);

  const primary = [
    commits,
    lines,
    contributors,
    newcomers,
    inactive,
    absence,
    elephant,
    punch,
    top,
    hotspots,
    languages,
    releases,
  ];
  const interactive = primary.every(settled);
  const complete = interactive && settled(absenceSeries) && settled(elephantSeries);
  useEffect(() => {
    if (!interactive) return;
    // After the charts' first paint: the moment a reader can use the page.
    requestAnimationFrame(() => {
      if (performance.getEntriesByName('metre:dashboard-interactive').length === 0) {
        performance.mark('metre:dashboard-interactive');
      }
    });
  }, [interactive]);

  const seriesPanels = [
    { id: 'commits', title: 'Commits', series: [serie('commits', commits, 'commits', true)] },
    {
      id: 'lines',
      title: 'Lines added and deleted',
      series: [serie('added', lines, 'added'), serie('deleted', lines, 'deleted')],
    },
    {
      id: 'contributors',
      title: 'Contributors: active, new and inactive',
      series: [
        serie('active', contributors, 'contributors'),
        serie('new', newcomers, 'newContributors'),
        serie('inactive', inactive, 'inactive'),
      ],
    },
    {
      id: 'factors',
      title: 'Contributor absence factor and elephant factor',
      series: [
        serie('absence factor', absenceSeries, 'factor'),
        serie('elephant factor', elephantSeries, 'factor'),
      ],
    },
  ];
  const topRow = table(top)?.rows[0];
  const langTable = table(languages);
  const hotTable = table(hotspots);
  const onView = (next: View) => {
    setView(next);
    setZoom(null);
    const query = Object.fromEntries(
      Object.entries({
        granularity: next.granularity === 'month' ? '' : next.granularity,
        from: next.from,
        to: next.to,
        timezone: next.timezone === 'utc' ? 'utc' : '',
      }).filter(([, v]) => v !== ''),
    );
    history.replaceState(null, '', href(['repo', props.id], query));
  };

  return (
    <div class="page dashboard" data-interactive={interactive} data-ready={complete}>
      <header class="page-head">
        <h1>{repo?.name ?? commits.response?.repositories[0] ?? 'Repository'}</h1>
        {repo ? (
          <p class="muted">
            {repo.source} · <span data-testid="dashboard-status">{statusText(repo)}</span> ·
            collected {formatAgo(repo.lastCollectedAt)} ·{' '}
            <a href={href(['compare'], { repos: repo.id })}>compare</a> ·{' '}
            <a href={href(['explorer'], { repos: repo.id })}>explore metrics</a>
          </p>
        ) : null}
      </header>
      <Controls view={view} onChange={onView} zoom={zoom} onResetZoom={() => setZoom(null)} />
      <dl class="stats" aria-label="Headline numbers">
        <Stat
          id="commits"
          label="Commits"
          value={mapDefined(total(commits, 'commits'), formatInteger)}
        />
        <Stat
          id="people"
          label="People"
          value={mapDefined(total(contributors, 'contributors'), formatInteger)}
        />
        <Stat
          id="absence"
          label="Absence factor"
          value={mapDefined(scalar(absence), (v) => (v === null ? '—' : formatInteger(v)))}
          sub="people with over half the commits"
        />
        <Stat
          id="elephant"
          label="Elephant factor"
          value={mapDefined(scalar(elephant), (v) => (v === null ? '—' : formatInteger(v)))}
          sub="organisations with over half"
        />
        <Stat
          id="top"
          label="Top contributor"
          value={top.response ? String(topRow?.name ?? '—') : undefined}
          sub={
            topRow
              ? `${formatInteger(Number(topRow.commits))} commits, ${formatShare(Number(topRow.share))}`
              : undefined
          }
        />
        <Stat
          id="lines"
          label="Lines added / deleted"
          value={
            lines.response
              ? `+${formatInteger(total(lines, 'added') ?? 0)} / −${formatInteger(total(lines, 'deleted') ?? 0)}`
              : undefined
          }
        />
      </dl>
      <div class="grid">
        {seriesPanels.map((panel) => (
          <SeriesPanel key={panel.id} {...panel} zoom={zoom} onZoom={setZoom} />
        ))}
        <Panel
          id="punch-card"
          title="Punch card"
          states={[punch]}
          shown={
            punch.response?.result.kind === 'heatmap'
              ? { columns: ['weekday', 'hour', 'value'], rows: punch.response.result.cells }
              : undefined
          }
          controls={
            <label>
              Clock{' '}
              <select
                value={view.timezone}
                onChange={(e) =>
                  onView({ ...view, timezone: e.currentTarget.value as View['timezone'] })
                }
              >
                <option value="local">author’s local time</option>
                <option value="utc">UTC</option>
              </select>
            </label>
          }
          wide
        >
          {punch.response?.result.kind === 'heatmap' ? (
            <Heatmap
              cells={punch.response.result.cells}
              label={`Commits by weekday and hour (${view.timezone === 'utc' ? 'UTC' : 'author’s local time'})`}
            />
          ) : (
            <div class="chart placeholder" />
          )}
        </Panel>
        <Panel
          id="top-contributors"
          title="Top contributors"
          states={[top]}
          shown={
            table(top)
              ? { columns: topColumns.map((c) => c.key), rows: table(top)?.rows ?? [] }
              : undefined
          }
        >
          <DataTable
            caption="Top contributors by commits"
            columns={topColumns}
            rows={table(top)?.rows ?? []}
          />
        </Panel>
        <Panel
          id="languages"
          title="Languages"
          states={[languages]}
          shown={langTable ? { columns: langTable.columns, rows: langTable.rows } : undefined}
        >
          {langTable ? (
            <>
              <BarChart
                label="Bytes per language"
                unit="byteShare"
                bars={langTable.rows
                  .slice(0, 10)
                  .map((r) => ({ label: String(r.language), value: Number(r.byteShare) }))}
              />
              <details>
                <summary>Table</summary>
                <DataTable caption="Languages" columns={langTable.columns} rows={langTable.rows} />
              </details>
            </>
          ) : null}
        </Panel>
        <Panel
          id="hotspots"
          title="Hotspots"
          states={[hotspots]}
          shown={
            hotTable
              ? { columns: ['kind', 'rank', 'path', 'commits', 'changed'], rows: hotTable.rows }
              : undefined
          }
          wide
        >
          {hotTable ? (
            <div class="two">
              <DataTable
                caption="Files most often changed"
                columns={['rank', 'path', 'commits', 'changed']}
                rows={hotTable.rows.filter((r) => r.kind === 'file')}
                empty="No file changes."
              />
              <DataTable
                caption="Directories most often changed"
                columns={['rank', 'path', 'commits', 'changed']}
                rows={hotTable.rows.filter((r) => r.kind === 'directory')}
                empty="No directories."
              />
            </div>
          ) : null}
        </Panel>
        <ReleasesPanel state={releases} zoom={zoom} onZoom={setZoom} />
      </div>
    </div>
  );
}

/** Tags listed before the reader asks for all of them. */
const RELEASES_SHOWN = 12;

function ReleasesPanel(props: {
  readonly state: MetricState;
  readonly zoom: Zoom;
  readonly onZoom: (zoom: Zoom) => void;
}) {
  const [all, setAll] = useState(false);
  const tags = releasesShown(props.state.response);
  // The latest few unless asked for all: a long history has hundreds of tags.
  const list = tags && !all ? { ...tags, rows: tags.rows.slice(0, RELEASES_SHOWN) } : tags;
  const perBucket = useMemo(
    () => joinSeries([{ column: 'releases', points: points(props.state), field: 'releases' }]),
    [props.state.response],
  );
  const data = useMemo(() => chartData(perBucket), [perBucket]);
  const series = useMemo(
    () => [{ label: 'releases', values: data.values[0] ?? [], bars: true }],
    [data],
  );
  return (
    <Panel id="releases" title="Releases" states={[props.state]} shown={list} wide>
      {props.state.response ? (
        <>
          {data.x.length > 0 ? (
            <TimeChart
              x={data.x}
              series={series}
              label="Releases per period"
              zoom={props.zoom}
              onZoom={props.onZoom}
              height={140}
            />
          ) : null}
          <p class="muted small">
            {formatCell(total(props.state, 'releases') ?? 0)} tags
            {tags && tags.rows.length > RELEASES_SHOWN ? (
              <>
                {' · '}
                <button type="button" onClick={() => setAll(!all)}>
                  {all ? `Show the latest ${RELEASES_SHOWN}` : 'Show all'}
                </button>
              </>
            ) : null}
          </p>
          <DataTable
            caption="Releases, latest first"
            columns={['name', 'date', 'sha']}
            rows={list?.rows ?? []}
            empty="No tags."
          />
        </>
      ) : (
        <div class="chart placeholder" />
      )}
    </Panel>
  );
}

function mapDefined<T>(value: T | undefined, f: (value: T) => string): string | undefined {
  return value === undefined ? undefined : f(value);
}
