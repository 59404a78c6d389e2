import type { AnalyzeReport, ReportContributor } from './analyze.js';
import { count, formatTable, type Column } from './format.js';

/** The widest line the report prints; it is also at most 40 lines long. */
export const REPORT_WIDTH = 100;
/** The most rows the commits chart takes: months are grouped into quarters, years… beyond. */
export const CHART_ROWS = 22;
const BAR_WIDTH = 20;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const SHADES = [' ', '░', '▒', '▓', '█'];
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * The report for a terminal, in under a screen (at most 40 lines of at most 100 columns): the
 * repository, the key numbers, the top contributors, then commits over time as a bar chart beside
 * the punch card. No colours, so it reads the same piped to a file.
 *
 * @example stdout.write(renderTextReport(report));
 */
export function renderTextReport(report: AnalyzeReport): string {
  const blocks = [header(report), keyNumbers(report)];
  if (report.topContributors.length > 0) blocks.push(topContributors(report.topContributors));
  if (report.commits > 0) blocks.push(sideBySide(commitsChart(report), punchCard(report)));
  else blocks.push(['No commits on the default branch yet.']);
  return blocks.map((lines) => lines.map(fit).join('\n')).join('\n\n') + '\n';
}

function header(r: AnalyzeReport): string[] {
  const head = r.head === null ? '(no commit yet)' : `at ${r.head.slice(0, 12)}`;
  const c = r.collected;
  const removed = c.removed > 0 ? `, ${count(c.removed)} removed` : '';
  return [
    `metre analyze: ${clean(r.repository)} (${clean(r.source)})`,
    `${clean(r.defaultBranch ?? 'no default branch')} ${head}, data version ${r.dataVersion}; ` +
      `this run collected ${count(c.commits)} new commits, ${count(c.fileChanges)} file changes` +
      `${removed} in ${(c.durationMs / 1000).toFixed(1)} s`,
  ];
}

function keyNumbers(r: AnalyzeReport): string[] {
  const merges = `${count(r.merges)} merge${r.merges === 1 ? '' : 's'}`;
  const missing = r.lines.commitsWithoutLines;
  const cell = (label: string, value: string) => `${label.padEnd(15)}${value}`;
  const pair = (a: [string, string], b: [string, string]) => cell(...a).padEnd(40) + cell(...b);
  return [
    pair(['Commits', `${count(r.commits)} (${merges})`], ['People', count(r.people)]),
    pair(['First commit', r.firstCommit ?? '-'], ['Last commit', r.lastCommit ?? '-']),
    cell(
      'Lines',
      `+${count(r.lines.added)} / -${count(r.lines.deleted)}` +
        (missing > 0 ? ` (${count(missing)} commits not counted yet)` : ''),
    ),
    cell('Absence factor', absence(r, REPORT_WIDTH - 15)),
  ];
}

/** The factor, then as many of the people it counts as fit, with their shares. */
function absence(r: AnalyzeReport, width: number): string {
  const factor = r.absenceFactor;
  if (factor.value === null) return '-';
  const head = `${factor.value}: `;
  const tail = ' of the commits by humans';
  const names = factor.people.map((p) => `${clean(p.name)} ${percent(p.share)}`);
  for (let shown = names.length; shown > 0; shown--) {
    const more = shown < names.length ? ` and ${names.length - shown} more` : '';
    const text = `${head}${names.slice(0, shown).join(', ')}${more}${tail}`;
    if (text.length <= width) return text;
  }
  return truncate(`${head}${names.join(', ')}`, width);
}

function topContributors(people: readonly ReportContributor[]): string[] {
  const columns: Column<ReportContributor>[] = [
    { title: '  #', value: (p) => String(p.rank).padStart(3) },
    { title: 'NAME', value: (p) => truncate(clean(p.name), 26) },
    { title: 'EMAIL', value: (p) => truncate(clean(p.email), 28) },
    { title: 'COMMITS', value: (p) => count(p.commits).padStart(7) },
    { title: 'SHARE', value: (p) => percent(p.share).padStart(5) },
    { title: 'LINES', value: (p) => `+${count(p.added)} / -${count(p.deleted)}` },
  ];
  return ['Top contributors', ...formatTable(columns, people).trimEnd().split('\n')];
}

interface Bucket {
  readonly label: string;
  readonly commits: number;
}

const GROUPS = [
  { name: 'month', months: 1 },
  { name: 'quarter', months: 3 },
  { name: 'year', months: 12 },
] as const;

/**
 * Commits per month, or per quarter, year or run of years when there are too many months for
 * the chart's rows; the title says which.
 */
function commitsChart(r: AnalyzeReport): string[] {
  const { unit, buckets } = groupMonths(r.commitsPerMonth);
  const max = Math.max(1, ...buckets.map((b) => b.commits));
  const labelWidth = Math.max(...buckets.map((b) => b.label.length));
  const countWidth = Math.max(...buckets.map((b) => count(b.commits).length));
  return [
    `Commits per ${unit} (UTC)`,
    ...buckets.map(
      (b) =>
        `${b.label.padEnd(labelWidth)} ${bar(b.commits, max).padEnd(BAR_WIDTH)} ` +
        count(b.commits).padStart(countWidth),
    ),
  ];
}

/** Groups months into the smallest unit that fits in CHART_ROWS rows. */
export function groupMonths(months: AnalyzeReport['commitsPerMonth']): {
  unit: string;
  buckets: Bucket[];
} {
  for (const group of GROUPS) {
    const buckets = groupBy(months, group.months);
    if (buckets.length <= CHART_ROWS) return { unit: group.name, buckets };
  }
  const years = new Set(months.map((m) => m.month.slice(0, 4))).size;
  const span = Math.ceil(years / CHART_ROWS);
  return { unit: `${span} years`, buckets: groupBy(months, 12 * span) };
}

/** Buckets of `size` months aligned on the calendar (quarters on Jan/Apr/Jul/Oct, years on Jan). */
function groupBy(months: AnalyzeReport['commitsPerMonth'], size: number): Bucket[] {
  const buckets = new Map<number, { first: string; last: string; commits: number }>();
  for (const m of months) {
    const index = Math.floor(monthIndex(m.month) / size);
    const bucket = buckets.get(index);
    if (bucket === undefined)
      buckets.set(index, { first: m.month, last: m.month, commits: m.commits });
    else buckets.set(index, { ...bucket, last: m.month, commits: bucket.commits + m.commits });
  }
  return [...buckets.entries()].map(([index, b]) => ({
    label: label(index, size),
    commits: b.commits,
  }));
}

const monthIndex = (month: string): number =>
  Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;

function label(index: number, size: number): string {
  const start = index * size;
  const year = Math.floor(start / 12);
  if (size === 1) return `${year}-${String((start % 12) + 1).padStart(2, '0')}`;
  if (size === 3) return `${year}-Q${Math.floor((start % 12) / 3) + 1}`;
  if (size === 12) return String(year);
  return `${year}–${Math.floor((start + size - 1) / 12)}`;
}

/** A horizontal bar in eighths of a character; any non-zero value shows. */
function bar(value: number, max: number): string {
  if (value === 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * BAR_WIDTH * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** The 7 × 24 grid, two characters an hour, shaded against the busiest hour. */
function punchCard(r: AnalyzeReport): string[] {
  const max = Math.max(1, ...r.punchCard.flat());
  const hours = Array.from({ length: 8 }, (_, i) => String(i * 3).padEnd(6)).join('');
  return [
    `Punch card (author's clock, busiest = ${count(max)})`,
    `    ${hours}`.trimEnd(),
    ...WEEKDAYS.map(
      (day, i) => `${day} ${(r.punchCard[i] ?? []).map((v) => shade(v, max).repeat(2)).join('')}`,
    ),
  ];
}

/** ` ` for none, then four shades up to the busiest cell. */
export function shade(value: number, max: number): string {
  if (value <= 0) return SHADES[0]!;
  return SHADES[Math.min(4, Math.ceil((value / max) * 4))]!;
}

/** Two columns of lines, the left padded to its widest line. */
function sideBySide(left: readonly string[], right: readonly string[]): string[] {
  const width = Math.max(...left.map((l) => l.length)) + 3;
  const rows = Math.max(left.length, right.length);
  return Array.from({ length: rows }, (_, i) =>
    `${(left[i] ?? '').padEnd(width)}${right[i] ?? ''}`.trimEnd(),
  );
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** Control characters (escape sequences included) from the repository never reach the terminal. */
// eslint-disable-next-line no-control-regex
const clean = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

const fit = (line: string): string => truncate(line, REPORT_WIDTH);
