import { git, gitTruth } from './git.js';

/** One commit as git itself prints it: the independent truth metric tests compare against. */
export interface HistoryCommit {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly authorName: string;
  readonly authorEmail: string;
  /** The author after `.mailmap` (git's `%aN` / `%aE`). */
  readonly mappedName: string;
  readonly mappedEmail: string;
  /** Seconds since the epoch. */
  readonly authorTime: number;
  /** The author's time-zone offset in minutes (-480 for -0800). */
  readonly authorTz: number;
  readonly committerTime: number;
  readonly isMerge: boolean;
  /** From `git log --numstat -M` (binary files 0; merges print none, so 0). */
  readonly files: number;
  readonly added: number;
  readonly deleted: number;
  /** The paths touched (new paths of renames). */
  readonly paths: ReadonlySet<string>;
}

const FORMAT = ['%H', '%P', '%an', '%ae', '%aN', '%aE', '%at', '%ai', '%ct'].join('%x00');

/**
 * Every commit reachable from `revs` (default: HEAD), from `git log`'s own output.
 *
 * @example const history = readHistory(dir); const merges = history.filter((c) => c.isMerge);
 */
export function readHistory(dir: string, revs: readonly string[] = ['HEAD']): HistoryCommit[] {
  const truth = gitTruth(dir);
  const output = git(dir, ['log', `--format=${FORMAT}`, ...revs, '--']);
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [sha = '', parents = '', an = '', ae = '', aN = '', aE = '', at, ai = '', ct] =
        line.split('\0');
      const lines = truth.lines.get(sha) ?? { files: 0, added: 0, deleted: 0 };
      const parentList = parents === '' ? [] : parents.split(' ');
      return {
        sha,
        parents: parentList,
        authorName: an,
        authorEmail: ae,
        mappedName: aN,
        mappedEmail: aE,
        authorTime: Number(at),
        authorTz: tzMinutes(ai.slice(-5)),
        committerTime: Number(ct),
        isMerge: parentList.length > 1,
        ...lines,
        paths: truth.paths.get(sha) ?? new Set<string>(),
      };
    });
}

/** `-0800` to -480. */
function tzMinutes(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
}

/** The UTC bucket start (`YYYY-MM-DD`) of a time in seconds, as METRICS.md defines buckets. */
export function utcBucket(
  seconds: number,
  granularity: 'day' | 'week' | 'month' | 'quarter' | 'year',
): string {
  const d = new Date(seconds * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = Date.UTC(y, m, d.getUTCDate());
  const start = {
    day: day,
    week: day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000,
    month: Date.UTC(y, m, 1),
    quarter: Date.UTC(y, m - (m % 3), 1),
    year: Date.UTC(y, 0, 1),
  }[granularity];
  return new Date(start).toISOString().slice(0, 10);
}

/** Counts items by key. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** A SQL LIKE pattern as a case-insensitive regular expression (`%` any text, `_` one character). */
function likeRegExp(pattern: string): RegExp {
  const body = [...pattern.toLowerCase()]
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

/**
 * The people (told apart by `key`) any of whose names or emails, raw or mailmapped, matches one of
 * the SQL LIKE `patterns`, case-insensitively: metre's bot rule, computed from git's output.
 */
export function botKeys(
  commits: readonly HistoryCommit[],
  key: (c: HistoryCommit) => string,
  patterns: readonly string[],
): Set<string> {
  const rules = patterns.map(likeRegExp);
  const bots = new Set<string>();
  for (const c of commits) {
    const texts = [c.authorName, c.authorEmail, c.mappedName, c.mappedEmail];
    if (texts.some((t) => rules.some((r) => r.test(t.toLowerCase())))) bots.add(key(c));
  }
  return bots;
}
