import type { ComponentChildren } from 'preact';
import type { MetricResponse } from '../api/types.js';
import { fileName, saveFile, toCsv, type Shown } from '../lib/download.js';
import { formatAgo } from '../lib/format.js';
import type { MetricState } from '../lib/use-metric.js';

export interface PanelProps {
  readonly id: string;
  readonly title: string;
  /** The metrics the panel shows (their definitions are shown on demand, their state summed up). */
  readonly states: readonly MetricState[];
  /** Exactly what the panel shows, for its CSV and JSON downloads. */
  readonly shown?: Shown | undefined;
  readonly controls?: ComponentChildren;
  readonly children?: ComponentChildren;
  readonly wide?: boolean;
}

/** The panel's state from its metrics': the least ready one wins. */
export function combinedPhase(states: readonly MetricState[]) {
  const phases = states.map((s) => s.phase);
  for (const phase of ['error', 'loading', 'computing', 'refreshing'] as const) {
    if (phases.includes(phase)) return phase;
  }
  return 'fresh';
}

function StateBadge({ states }: { readonly states: readonly MetricState[] }) {
  const phase = combinedPhase(states);
  const computed = states
    .map((s) => s.response?.computedAt)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const text = {
    fresh: `fresh · computed ${formatAgo(computed)}`,
    refreshing: 'refreshing: newer data is being computed',
    computing: 'computing…',
    loading: 'loading…',
    error: `error: ${states.find((s) => s.error)?.error?.message ?? ''}`,
  }[phase];
  return (
    <span class={`badge badge-${phase}`} data-state={phase} role="status">
      {text}
    </span>
  );
}

function downloadJson(title: string, responses: readonly MetricResponse[], shown: Shown) {
  const body = {
    title,
    metrics: responses.map((r) => ({
      metric: r.metric,
      version: r.version,
      params: r.params,
      repositories: r.repositories,
      dataVersion: r.dataVersion,
      computedAt: r.computedAt,
    })),
    columns: shown.columns,
    rows: shown.rows,
  };
  saveFile(`${fileName(title)}.json`, 'application/json', `${JSON.stringify(body, null, 2)}\n`);
}

/**
 * A dashboard card: title, freshness, the metric definitions on demand, CSV and JSON downloads of
 * exactly what it shows, then the chart or table.
 *
 * @example <Panel id="commits" title="Commits" states={[commits]} shown={shown}><TimeChart … /></Panel>
 */
export function Panel(props: PanelProps) {
  const responses = props.states
    .map((s) => s.response)
    .filter((r): r is MetricResponse => r !== undefined);
  const shown = props.shown;
  const titleId = `panel-${props.id}-title`;
  return (
    <section
      class={props.wide ? 'panel wide' : 'panel'}
      aria-labelledby={titleId}
      data-panel={props.id}
      data-state={combinedPhase(props.states)}
    >
      <header class="panel-head">
        <h2 id={titleId}>{props.title}</h2>
        <StateBadge states={props.states} />
      </header>
      {props.controls ? <div class="panel-controls">{props.controls}</div> : null}
      <div class="panel-body">{props.children}</div>
      <footer class="panel-foot">
        <details class="definition">
          <summary>Definition</summary>
          {responses.map((r) => (
            <p key={r.metric}>
              <strong>{r.metric}</strong> (v{r.version}): {r.definition}
            </p>
          ))}
        </details>
        {shown ? (
          <span class="downloads">
            <button
              type="button"
              onClick={() => saveFile(`${fileName(props.title)}.csv`, 'text/csv', toCsv(shown))}
            >
              CSV
            </button>
            <button type="button" onClick={() => downloadJson(props.title, responses, shown)}>
              JSON
            </button>
          </span>
        ) : null}
      </footer>
    </section>
  );
}
