import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.js';
import type { Job, MetricResponse } from '../api/types.js';
import { Panel } from '../components/panel.js';
import { RepoPicker } from '../components/repo-picker.js';
import { ResultView } from '../components/result-view.js';
import { SchemaForm, type FormValues } from '../components/schema-form.js';
import type { Zoom } from '../components/time-chart.js';
import { shownOf } from '../lib/shown.js';
import { useCatalogue, useRepositoryList } from '../lib/use-catalogue.js';
import type { MetricState } from '../lib/use-metric.js';

/** The parameter an API message names (`Invalid parameter "from" …`), if any. */
export function paramOf(message: string): string | undefined {
  return /parameters? "?([\w-]+)"?/i.exec(message)?.[1];
}

/** Any metric of the catalogue, with a parameter form generated from its schema, for any repositories. */
export function ExplorerPage(props: { readonly query: URLSearchParams }) {
  const metrics = useCatalogue();
  const repos = useRepositoryList();
  const [metricId, setMetricId] = useState(props.query.get('metric') ?? 'commits');
  const [selected, setSelected] = useState<string[]>(
    props.query.get('repos')?.split(',').filter(Boolean) ?? [],
  );
  const [values, setValues] = useState<FormValues>({});
  const [state, setState] = useState<MetricState | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [zoom, setZoom] = useState<Zoom>(null);
  const metric = metrics?.find((m) => m.id === metricId);
  const params = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));

  const run = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setZoom(null);
    setState({ phase: 'loading' });
    try {
      const response: MetricResponse = await api.metric(metricId, selected, params, {
        onJob: (job: Job) => setState({ phase: 'computing', job }),
      });
      setState({ phase: response.stale ? 'refreshing' : 'fresh', response });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const field = error instanceof ApiError ? paramOf(message) : undefined;
      setErrors(
        field !== undefined && metric?.params.properties?.[field] ? { [field]: message } : {},
      );
      setState({ phase: 'error', error: error as Error });
    }
  };

  if (metrics === null || repos === null) return <p class="page">Loading…</p>;
  const response = state?.response;
  return (
    <div class="page explorer">
      <h1>Metric explorer</h1>
      <form class="explorer-form" onSubmit={run}>
        <div class="field">
          <label for="explorer-metric">Metric</label>
          <select
            id="explorer-metric"
            value={metricId}
            onChange={(e) => {
              setMetricId(e.currentTarget.value);
              setValues({});
              setState(null);
              setErrors({});
            }}
          >
            {metrics.map((m) => (
              <option key={m.id} value={m.id}>
                {m.title} ({m.kind})
              </option>
            ))}
          </select>
          {metric ? <p class="hint definition-text">{metric.definition}</p> : null}
        </div>
        <RepoPicker
          repos={repos}
          selected={selected}
          onChange={setSelected}
          legend="Repositories (several make a group)"
        />
        {metric ? (
          <SchemaForm schema={metric.params} values={values} errors={errors} onChange={setValues} />
        ) : null}
        <div class="field actions">
          <button type="submit" class="primary" disabled={selected.length === 0}>
            Compute
          </button>
          {selected.length > 0 ? (
            <a href={api.metricUrl(metricId, selected, params, { format: 'csv' })} download>
              CSV from the API
            </a>
          ) : null}
        </div>
      </form>
      {state ? (
        <Panel
          id="explorer-result"
          title={metric?.title ?? metricId}
          states={[state]}
          shown={response ? shownOf(response.result, zoom) : undefined}
          wide
        >
          {response ? <ResultView response={response} zoom={zoom} onZoom={setZoom} /> : null}
          {state.phase === 'error' && Object.keys(errors).length === 0 ? (
            <p class="field-error" role="alert">
              {state.error?.message}
            </p>
          ) : null}
        </Panel>
      ) : null}
    </div>
  );
}
