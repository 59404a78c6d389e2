import { useEffect, useState } from 'preact/hooks';
import { api, type MetricOptions, type Params } from '../api/client.js';
import type { Job, MetricResponse } from '../api/types.js';

/** Where a metric's data stands. */
export type MetricPhase = 'loading' | 'computing' | 'fresh' | 'refreshing' | 'error';

export interface MetricState {
  readonly phase: MetricPhase;
  readonly response?: MetricResponse;
  readonly error?: Error;
  readonly job?: Job;
}

/** A stale result is asked for again this often until the fresh one is there. */
const STALE_RETRY_MS = 1500;

/** A stable key for a request, so equal requests are not repeated. */
export const requestKey = (metric: string, repos: readonly string[], params: Params) =>
  JSON.stringify([metric, repos, Object.entries(params).filter(([, v]) => v !== undefined)]);

/** Requests started before their component mounted, by request key. */
const prefetched = new Map<string, Promise<MetricResponse>>();

/**
 * Starts a metric request now; the first `useMetric` of the same request takes its answer.
 *
 * @example prefetch('commits', [repoId], {});
 */
export function prefetch(metric: string, repos: readonly string[], params: Params = {}): void {
  const key = requestKey(metric, repos, params);
  if (prefetched.has(key)) return;
  const request = api.metric(metric, repos, params);
  request.catch(() => undefined); // handled by the hook that takes it
  prefetched.set(key, request);
}

/** The prefetched answer of a request (once), or a new request. */
function take(metric: string, repos: readonly string[], params: Params, options: MetricOptions) {
  const key = requestKey(metric, repos, params);
  const early = prefetched.get(key);
  prefetched.delete(key);
  return early ?? api.metric(metric, repos, params, options);
}

/**
 * A metric's result for a repository set, with the server's state: `fresh` (cached or just
 * computed from the current data), `refreshing` (a stale result shown while the fresh one is
 * computed), `computing` (a job is running, nothing to show yet).
 *
 * @example const state = useMetric('commits', [repoId], { granularity: 'week' });
 */
export function useMetric(
  metric: string | undefined,
  repos: readonly string[],
  params: Params = {},
): MetricState {
  const [state, setState] = useState<MetricState>({ phase: 'loading' });
  const key = requestKey(metric ?? '', repos, params);
  useEffect(() => {
    if (metric === undefined || repos.length === 0) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => ({ phase: s.response === undefined ? 'loading' : 'refreshing', ...keep(s) }));
    const load = async () => {
      try {
        const response = await take(metric, repos, params, {
          signal: controller.signal,
          onJob: (job) =>
            setState((s) => ({ ...keep(s), job, phase: s.response ? 'refreshing' : 'computing' })),
        });
        if (controller.signal.aborted) return;
        setState({ phase: response.stale ? 'refreshing' : 'fresh', response });
        if (response.stale) timer = setTimeout(load, STALE_RETRY_MS);
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((s) => ({ ...keep(s), phase: 'error', error: error as Error }));
      }
    };
    void load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
    // The key stands for metric, repos and params.
  }, [key]);
  return state;
}

const keep = (s: MetricState) => (s.response === undefined ? {} : { response: s.response });

/** Settled: something to show, or an error to show. */
export const settled = (s: MetricState): boolean =>
  s.phase === 'fresh' || s.phase === 'refreshing' || s.phase === 'error';
