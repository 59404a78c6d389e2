/**
 * The metric requests every store backend must answer identically: each metric of the catalogue
 * with its defaults and with the parameter sets that change its SQL (granularity, merges, dates,
 * refs, identity, bots, ranges, thresholds, filters). The store contract suite runs them on every
 * dialect and compares the JSON; the CrateDB dialect's statement capture parses every query they
 * compile to.
 *
 * A range starting in 2016 suits the generated repositories of the tests (`bench/make-repo.ts`
 * starts in 2015), so ranged cases are not empty there.
 */
export interface MetricCase {
  readonly metric: string;
  readonly params: Readonly<Record<string, string | number>>;
}

const RANGE = { from: '2016-01-01', to: '2017-01-01' } as const;

export const METRIC_CASES: readonly MetricCase[] = [
  { metric: 'commits', params: {} },
  { metric: 'commits', params: { granularity: 'week', merges: 'exclude', date: 'committer' } },
  { metric: 'commits', params: { granularity: 'quarter', refs: 'all', ...RANGE } },
  { metric: 'lines-changed', params: {} },
  { metric: 'lines-changed', params: { granularity: 'year', path: 'src' } },
  { metric: 'lines-changed', params: { granularity: 'day', path: '**/*.ts', ...RANGE } },
  { metric: 'files-changed', params: {} },
  { metric: 'files-changed', params: { granularity: 'week', path: 'src/*', refs: 'all' } },
  { metric: 'activity-dates-times', params: {} },
  { metric: 'activity-dates-times', params: { timezone: 'utc', merges: 'exclude', ...RANGE } },
  { metric: 'burstiness', params: {} },
  { metric: 'burstiness', params: { granularity: 'month', window: 6, k: 1.5 } },
  { metric: 'commit-size', params: {} },
  { metric: 'commit-size', params: { merges: 'exclude', ...RANGE } },
  { metric: 'hotspots', params: {} },
  { metric: 'hotspots', params: { depth: 2, limit: 5, by: 'lines', ...RANGE } },
  { metric: 'release-frequency', params: {} },
  { metric: 'release-frequency', params: { granularity: 'year', pattern: 'v*' } },
  { metric: 'language-distribution', params: {} },
  { metric: 'contributors', params: {} },
  { metric: 'contributors', params: { granularity: 'week', identity: 'email', bots: 'exclude' } },
  { metric: 'contributors', params: { identity: 'raw', ...RANGE } },
  { metric: 'top-contributors', params: {} },
  { metric: 'top-contributors', params: { by: 'lines', limit: 3, identity: 'email', ...RANGE } },
  { metric: 'top-contributors', params: { limit: 1000, bots: 'exclude', ...RANGE } },
  { metric: 'new-contributors', params: {} },
  { metric: 'new-contributors', params: { granularity: 'quarter', identity: 'raw' } },
  { metric: 'inactive-contributors', params: {} },
  { metric: 'inactive-contributors', params: { interval: 30, granularity: 'week', ...RANGE } },
  { metric: 'occasional-contributors', params: {} },
  { metric: 'occasional-contributors', params: { threshold: 2, identity: 'email', ...RANGE } },
  { metric: 'contributor-absence-factor', params: {} },
  { metric: 'contributor-absence-factor', params: { threshold: 0.8, bots: 'include' } },
  { metric: 'contributor-absence-factor', params: { granularity: 'year', identity: 'email' } },
  { metric: 'elephant-factor', params: {} },
  { metric: 'elephant-factor', params: { threshold: 0.3, granularity: 'year', ...RANGE } },
  { metric: 'organizational-diversity', params: {} },
  { metric: 'organizational-diversity', params: { granularity: 'quarter', ...RANGE } },
  { metric: 'bot-activity', params: {} },
  { metric: 'bot-activity', params: { granularity: 'year', patterns: '%bot%,renovate%' } },
];
