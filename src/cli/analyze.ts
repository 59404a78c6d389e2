import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect, type CollectSummary } from '../collect/index.js';
import type {
  HeatmapResult,
  MetricResponse,
  MetricResult,
  MetricsEngine,
  ScalarResult,
  TableResult,
  TimeseriesResult,
} from '../metrics/index.js';
import type { Config } from '../config/index.js';
import type { CliDeps } from './commands.js';
import { withEngine } from './metric-command.js';
import { createProgressView } from './progress.js';
import { renderHtmlReport } from './report-html.js';
import { renderTextReport } from './report-text.js';

/** The flags of `metre analyze`. */
export interface AnalyzeOptions {
  readonly name?: string;
  readonly store?: string;
  readonly format: 'text' | 'json';
  readonly open?: boolean;
}

/** One person of the report: the canonical key the metrics count by, and how they sign. */
export interface ReportPerson {
  readonly person: string;
  readonly name: string;
  readonly commits: number;
  /** Their share of the commits counted (0–1). */
  readonly share: number;
}

export interface ReportContributor extends ReportPerson {
  readonly rank: number;
  readonly email: string;
  readonly added: number;
  readonly deleted: number;
}

/**
 * The headline numbers of one repository, as `metre analyze --format json` prints them: plain
 * JSON, numbers as numbers, days as `YYYY-MM-DD` (UTC). Each number says how it is counted in the
 * metric it comes from (see `metre metrics`).
 */
export interface AnalyzeReport {
  readonly repository: string;
  readonly source: string;
  readonly defaultBranch: string | null;
  readonly head: string | null;
  /** The data version the numbers were computed from. */
  readonly dataVersion: string;
  /** What this run's collection added. */
  readonly collected: {
    readonly commits: number;
    readonly fileChanges: number;
    readonly removed: number;
    readonly durationMs: number;
  };
  /** Commits reachable from the default branch, merges included. */
  readonly commits: number;
  readonly merges: number;
  /** Distinct people (mailmap, then lower-cased email), bots included. */
  readonly people: number;
  /** The UTC days of the first and last commits by author date, or null without commits. */
  readonly firstCommit: string | null;
  readonly lastCommit: string | null;
  readonly lines: {
    readonly added: number;
    readonly deleted: number;
    /** Commits whose line counts are not collected yet (they count 0). */
    readonly commitsWithoutLines: number;
  };
  /** The bus factor at a 0.5 threshold, bots left out, with the people it counts. */
  readonly absenceFactor: {
    readonly value: number | null;
    readonly threshold: number;
    readonly people: readonly ReportPerson[];
  };
  /** The five people with the most commits. */
  readonly topContributors: readonly ReportContributor[];
  /** Every month (UTC) from the first commit to the last, empty ones as 0. */
  readonly commitsPerMonth: readonly { readonly month: string; readonly commits: number }[];
  /** Commits per weekday (Monday first) × hour (0–23) on the author's own clock. */
  readonly punchCard: readonly (readonly number[])[];
  /** Per section: whether it was answered from the results cache. */
  readonly cached: Readonly<Record<string, boolean>>;
  /** Where `--open` wrote the HTML report. */
  readonly htmlReport?: string;
}

const TOP = 5;
const THRESHOLD = 0.5;

/**
 * `metre analyze <location>`: collects the repository (incrementally, progress on stderr), then
 * prints its headline numbers as a one-screen text report or one JSON object; `--open` also
 * writes a self-contained HTML report under `<home>/reports/` and prints its path.
 */
export async function analyzeCommand(
  deps: CliDeps,
  location: string,
  options: AnalyzeOptions,
): Promise<void> {
  const config = deps.loadConfig({ store: options.store, allowLocal: true });
  const view = createProgressView(deps.stderr, deps.isTTY);
  let report = await withEngine(config, async (engine, store) => {
    const summary = await collect(
      { location, name: options.name },
      {
        store,
        git: config.git,
        collect: config.collect,
        cwd: deps.cwd,
        onProgress: view.onProgress,
        countTotals: deps.isTTY,
      },
    ).finally(() => view.end());
    return buildReport(engine, summary);
  });
  if (options.open === true) report = { ...report, htmlReport: writeHtmlReport(config, report) };
  if (options.format === 'json') {
    deps.stdout.write(`${toJson(report)}\n`);
    return;
  }
  deps.stdout.write(renderTextReport(report));
  if (report.htmlReport !== undefined) deps.stdout.write(`HTML report: ${report.htmlReport}\n`);
}

/** Indented JSON with arrays of numbers on one line (the punch card stays 7 lines). */
function toJson(report: AnalyzeReport): string {
  // JSON strings hold no raw newline, so `[` then a newline is always an array's opening.
  return JSON.stringify(report, null, 2).replace(
    /\[\n\s*(-?[\d.e+-]+(?:,\n\s*-?[\d.e+-]+)*)\n\s*\]/g,
    (_, items: string) => `[${items.split(/,\s+/).join(', ')}]`,
  );
}

/** Gathers the report's numbers through the engine: each from the cache when fresh. */
export async function buildReport(
  engine: MetricsEngine,
  summary: CollectSummary,
): Promise<AnalyzeReport> {
  const repo = summary.repository;
  const cached: Record<string, boolean> = {};
  const get = async (section: string, metric: string, params: Record<string, unknown> = {}) => {
    const response: MetricResponse = await engine.get({
      metric,
      repositories: [repo.id],
      params,
    });
    cached[section] = (cached[section] ?? true) && response.cached;
    return response;
  };
  // One at a time: the embedded store runs one query at a time anyway.
  const monthly = series(await get('commits', 'commits', { granularity: 'month' }));
  const withoutMerges = series(
    await get('commits', 'commits', { granularity: 'year', merges: 'exclude' }),
  );
  const people = series(await get('people', 'contributors', { granularity: 'year' }));
  const lines = series(await get('lines', 'lines-changed', { granularity: 'year' }));
  const factor = scalar(
    await get('absenceFactor', 'contributor-absence-factor', { threshold: THRESHOLD }),
  );
  const top = table(await get('topContributors', 'top-contributors', { limit: TOP }));
  const punch = heatmap(await get('punchCard', 'activity-dates-times', { timezone: 'local' }));
  const days = await firstAndLastDays(monthly, (from, to) =>
    get('firstLastCommit', 'commits', { granularity: 'day', from, to }).then(series),
  );
  const commits = num(monthly.total.commits);
  return {
    repository: repo.name,
    source: repo.source,
    defaultBranch: repo.defaultBranch,
    head: repo.head,
    dataVersion: String(repo.dataVersion),
    collected: {
      commits: summary.commits,
      fileChanges: summary.fileChanges,
      removed: summary.removed,
      durationMs: Math.round(summary.durationMs),
    },
    commits,
    merges: commits - num(withoutMerges.total.commits),
    people: num(people.total.contributors),
    ...days,
    lines: {
      added: num(lines.total.added),
      deleted: num(lines.total.deleted),
      commitsWithoutLines: num(lines.detail?.commitsWithoutLines),
    },
    absenceFactor: {
      value: factor.value,
      threshold: THRESHOLD,
      people: listOf(factor.detail?.people).map(person),
    },
    topContributors: top.rows.map((row) => ({
      ...person(row),
      rank: num(row.rank),
      email: String(row.email ?? ''),
      added: num(row.added),
      deleted: num(row.deleted),
    })),
    commitsPerMonth: monthly.points.map((p) => ({
      month: p.t.slice(0, 7),
      commits: num(p.commits),
    })),
    punchCard: punchRows(punch),
    cached,
  };
}

/**
 * The first and last commit days: the month series says which months hold them, a day series
 * over each of those two months says which days.
 */
async function firstAndLastDays(
  monthly: TimeseriesResult,
  daily: (from: string, to: string) => Promise<TimeseriesResult>,
): Promise<{ firstCommit: string | null; lastCommit: string | null }> {
  const active = monthly.points.filter((p) => num(p.commits) > 0);
  const first = active[0]?.t;
  const last = active.at(-1)?.t;
  if (first === undefined || last === undefined) return { firstCommit: null, lastCommit: null };
  const days = async (month: string) =>
    (await daily(month, nextMonth(month))).points.filter((p) => num(p.commits) > 0);
  const firstDays = await days(first);
  const lastDays = first === last ? firstDays : await days(last);
  return { firstCommit: firstDays[0]?.t ?? null, lastCommit: lastDays.at(-1)?.t ?? null };
}

/** `2024-01-01` to `2024-02-01`. */
function nextMonth(day: string): string {
  const start = new Date(`${day}T00:00:00Z`);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1))
    .toISOString()
    .slice(0, 10);
}

/** The 7 × 24 grid of a heatmap, Monday first. */
function punchRows(result: HeatmapResult): number[][] {
  const rows = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const cell of result.cells) {
    const row = rows[cell.weekday - 1];
    if (row !== undefined && cell.hour >= 0 && cell.hour < 24) row[cell.hour] = cell.value;
  }
  return rows;
}

function person(row: Readonly<Record<string, unknown>>): ReportPerson {
  return {
    person: String(row.person ?? ''),
    name: String(row.name ?? ''),
    commits: num(row.commits),
    share: num(row.share),
  };
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));

const listOf = (value: unknown): readonly Readonly<Record<string, unknown>>[] =>
  Array.isArray(value) ? (value as Record<string, unknown>[]) : [];

function expectKind<K extends MetricResult['kind']>(response: MetricResponse, kind: K) {
  if (response.result.kind !== kind) {
    throw new Error(`${response.metric} answered a ${response.result.kind}, not a ${kind}`);
  }
  return response.result as Extract<MetricResult, { kind: K }>;
}

const series = (r: MetricResponse): TimeseriesResult => expectKind(r, 'timeseries');
const scalar = (r: MetricResponse): ScalarResult => expectKind(r, 'scalar');
const table = (r: MetricResponse): TableResult => expectKind(r, 'table');
const heatmap = (r: MetricResponse): HeatmapResult => expectKind(r, 'heatmap');

/** Writes the HTML report to `<home>/reports/<name>-<yyyymmdd-hhmmss>.html`; returns its path. */
function writeHtmlReport(config: Config, report: AnalyzeReport): string {
  const dir = join(config.home, 'reports');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${fileSafe(report.repository)}-${stamp(new Date())}.html`);
  writeFileSync(path, renderHtmlReport(report, new Date()));
  return path;
}

/** A repository name as a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
const fileSafe = (name: string): string =>
  name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_');

/** `yyyymmdd-hhmmss` in local time. */
function stamp(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-` +
    `${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`
  );
}
