import type { MetricContext } from './metric.js';
import { INDEPENDENT, PUBLIC_MAIL_DOMAINS } from './people.js';
import type { SqlBuilder } from './sql-builder.js';

/** Which commits a metric reads (METRICS.md, Conventions). */
export interface ScopeOptions {
  readonly refs: 'default' | 'all';
  readonly merges: 'include' | 'exclude';
  readonly date: 'author' | 'committer';
  /** Keep only commits whose date is in `[from, to)`; omit to keep all history. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/**
 * The `scoped` CTE: one row per commit in scope, `t` its chosen date. A commit reachable from
 * several repositories of a group counts once.
 *
 * Columns: repo_id, sha, t, author_name, author_email, author_time, author_tz, is_merge,
 * files_changed, lines_added, lines_deleted (line counts are 0 for merges, null while the files
 * pass has not reached the commit).
 *
 * @example `WITH ${scopedCommits(b, context, params)} SELECT count(*) FROM scoped`
 */
export function scopedCommits(b: SqlBuilder, context: MetricContext, o: ScopeOptions): string {
  const time = o.date === 'committer' ? 'c.committer_time' : 'c.author_time';
  // One repository is an equality (a list membership test costs a join per row).
  const where = [
    context.repoIds.length === 1
      ? `c.repo_id = ${b.bind(context.repoIds[0] ?? '')}`
      : `c.repo_id IN (SELECT unnest(${b.bindTexts(context.repoIds)}))`,
  ];
  // The default branch's commits are flagged when it is recorded: no join on shas.
  if (o.refs === 'default') where.push('c.on_default');
  if (o.merges === 'exclude') where.push('NOT c.is_merge');
  const at = (iso: string) => context.sql.commitTime(b.bind(new Date(iso)));
  if (o.from !== undefined) where.push(`${time} >= ${at(o.from)}`);
  if (o.to !== undefined) where.push(`${time} < ${at(o.to)}`);
  const columns = `c.repo_id, c.sha, ${time} AS t, c.author_name, c.author_email, c.author_time,
      c.author_tz, c.is_merge, c.files_changed,
      CASE WHEN c.is_merge THEN 0 ELSE c.lines_added END AS lines_added,
      CASE WHEN c.is_merge THEN 0 ELSE c.lines_deleted END AS lines_deleted`;
  const select = `SELECT ${columns} FROM commits c WHERE ${where.join(' AND ')}`;
  if (context.repoIds.length === 1) return `scoped AS (${select})`;
  // In a group, a commit is kept once: in the first repository (by name) that has it. Not by id:
  // ids are random, so which copy (and so which .mailmap) counted would differ between stores.
  return `scoped AS (SELECT * FROM (SELECT x.*, row_number() OVER (PARTITION BY x.sha
      ORDER BY r.name) AS copy FROM (${select}) x JOIN repositories r ON r.id = x.repo_id) y
      WHERE copy = 1)`;
}

/**
 * The `scoped_files` CTE, after `scoped`: one row per file change of the commits in scope, with its
 * commit's chosen date. Columns: repo_id, sha, path, t, lines_added, lines_deleted. Merge commits
 * have none (git log --numstat lists no file for a merge), so `merges` changes nothing here.
 *
 * Each file change carries its commit's dates and default branch flag, so over one repository the
 * rows come from file_changes alone, filtered as `scoped` filters commits (no join of every file
 * change to its commit on text keys). In a group, the file changes of the commits `scoped` keeps
 * are joined in, so a commit reachable from several repositories counts its files once.
 *
 * @example `WITH ${scopedCommits(b, c, p)}, ${scopedFiles(b, c, p)} SELECT count(*) FROM scoped_files`
 */
export function scopedFiles(b: SqlBuilder, context: MetricContext, o: ScopeOptions): string {
  return `scoped_files AS (${scopedFilesQuery(b, context, o)})`;
}

/**
 * The query of `scopedFiles`, for a metric that reads the rows more than once: a CTE read twice is
 * materialized (DuckDB, PostgreSQL), which costs more than reading file_changes again.
 *
 * @example `FROM (${scopedFilesQuery(b, c, p)}) f`
 */
export function scopedFilesQuery(b: SqlBuilder, context: MetricContext, o: ScopeOptions): string {
  if (context.repoIds.length > 1) {
    return `SELECT s.repo_id, s.sha, fc.path, s.t, fc.lines_added, fc.lines_deleted
      FROM scoped s JOIN file_changes fc ON fc.repo_id = s.repo_id AND fc.sha = s.sha`;
  }
  const time = o.date === 'committer' ? 'fc.committer_time' : 'fc.author_time';
  // A file change has its commit's dates once its files pass has ended: until then, as its
  // commit's line counts, it is in no scope.
  const where = [`fc.repo_id = ${b.bind(context.repoIds[0] ?? '')}`, `${time} IS NOT NULL`];
  if (o.refs === 'default') where.push('fc.on_default');
  const at = (iso: string) => context.sql.commitTime(b.bind(new Date(iso)));
  if (o.from !== undefined) where.push(`${time} >= ${at(o.from)}`);
  if (o.to !== undefined) where.push(`${time} < ${at(o.to)}`);
  return `SELECT fc.repo_id, fc.sha, fc.path, ${time} AS t, fc.lines_added, fc.lines_deleted
      FROM file_changes fc WHERE ${where.join(' AND ')}`;
}

/** How people are told apart (METRICS.md, People). */
export type Identity = 'person' | 'email' | 'raw';

/**
 * The `authors` CTE, after `scoped`: each (repo_id, author_name, author_email) seen in scope,
 * resolved to `person` (its key), `person_email` (the resolved email of this alias) and `is_bot`
 * (1 when any of the person's names or emails matches a bot pattern, else 0), with the alias's
 * `commits`, `first_at` and `last_at` (its first and last `t`), and `added` and `deleted` lines
 * (null counts as 0) in scope. `botPatterns` overrides the configured bot patterns.
 *
 * Beside it, `person_names` (person, name): the names each person signs with most often, all of
 * them when several tie. SQL leaves the tie to the caller, which keeps the smallest in code-point
 * order (`smallest`): ordering text in SQL follows the database's collation (PostgreSQL's is often
 * linguistic, DuckDB's and CrateDB's binary), so the same data would show other names.
 *
 * - `person`: through the repository's `.mailmap` (gitmailmap(5): a name-and-email entry wins,
 *   else an email entry; emails and names compared case-insensitively), then the explicit links of
 *   the `identities` table, then the lower-cased email.
 * - `email`: the lower-cased raw email.
 * - `raw`: the exact `name <email>`.
 *
 * @example `WITH ${scopedCommits(b, c, p)}, ${authors(b, c, 'person')} SELECT …`
 */
export function authors(
  b: SqlBuilder,
  context: MetricContext,
  identity: Identity,
  botPatterns: readonly string[] = context.people.botPatterns,
): string {
  // What metrics need per alias is summed here, in the one pass over `scoped` this makes anyway.
  const pairs = `pairs AS (SELECT repo_id, author_name, author_email, count(*) AS n,
      min(t) AS first_at, max(t) AS last_at, sum(coalesce(lines_added, 0)) AS added,
      sum(coalesce(lines_deleted, 0)) AS deleted
      FROM scoped GROUP BY repo_id, author_name, author_email)`;
  const resolved = resolvedPairs(b, context, identity);
  const botTest = isBot(b, botPatterns, ['r.name', 'r.email', 'r.author_name', 'r.author_email']);
  const flagged = `flagged AS (SELECT r.*, CASE WHEN ${botTest} THEN 1 ELSE 0 END AS bot
      FROM resolved r)`;
  // The names a person signs with most often (ties all kept), and whether any alias is a bot.
  const names = `person_names AS (SELECT person, name FROM (SELECT person, name, rank() OVER
      (PARTITION BY person ORDER BY sum(n) DESC) AS k FROM flagged GROUP BY person, name) x
      WHERE k = 1)`;
  const botPeople = `bot_people AS (SELECT person, max(bot) AS is_bot FROM flagged GROUP BY person)`;
  const final = `authors AS (SELECT f.repo_id, f.author_name, f.author_email, f.person,
      f.email AS person_email, bp.is_bot, f.n AS commits, f.first_at, f.last_at, f.added,
      f.deleted
      FROM flagged f JOIN bot_people bp ON bp.person = f.person)`;
  return [pairs, resolved, flagged, names, botPeople, final].join(',\n');
}

/** `resolved`: pairs with their resolved `name`, `email` and `person`. */
function resolvedPairs(b: SqlBuilder, context: MetricContext, identity: Identity): string {
  if (identity === 'raw') {
    return `resolved AS (SELECT p.*, p.author_name AS name, lower(p.author_email) AS email,
      p.author_name || ' <' || p.author_email || '>' AS person FROM pairs p)`;
  }
  if (identity === 'email') {
    return `resolved AS (SELECT p.*, p.author_name AS name, lower(p.author_email) AS email,
      lower(p.author_email) AS person FROM pairs p)`;
  }
  const repos = b.bindTexts(context.repoIds);
  // A mailmap may list the same commit identity twice: git keeps the last non-empty parts; a
  // lookup here must find one row, so duplicates collapse (to the largest, an arbitrary choice).
  const mm = `mm AS (SELECT repo_id, lower(commit_email) AS commit_email,
      lower(commit_name) AS commit_name, max(proper_name) AS proper_name,
      max(proper_email) AS proper_email FROM mailmap
      WHERE repo_id IN (SELECT unnest(${repos})) GROUP BY 1, 2, 3)`;
  // git's map_user: a name-and-email entry replaces the email entry entirely when it matches.
  const mapped = `mapped AS (SELECT p.*,
      CASE WHEN m1.commit_email IS NOT NULL THEN coalesce(m1.proper_name, p.author_name)
        ELSE coalesce(m2.proper_name, p.author_name) END AS name,
      lower(CASE WHEN m1.commit_email IS NOT NULL THEN coalesce(m1.proper_email, p.author_email)
        ELSE coalesce(m2.proper_email, p.author_email) END) AS email
      FROM pairs p
      LEFT JOIN mm m1 ON m1.repo_id = p.repo_id AND m1.commit_email = lower(p.author_email)
        AND m1.commit_name = lower(p.author_name)
      LEFT JOIN mm m2 ON m2.repo_id = p.repo_id AND m2.commit_email = lower(p.author_email)
        AND m2.commit_name IS NULL)`;
  const resolved = `resolved AS (SELECT m.*, coalesce(i.person, m.email) AS person
      FROM mapped m LEFT JOIN identities i ON i.email = m.email)`;
  return [mm, mapped, resolved].join(',\n');
}

/** A SQL condition: one of the expressions, lower-cased, matches one of the bot patterns. */
function isBot(
  b: SqlBuilder,
  botPatterns: readonly string[],
  expressions: readonly string[],
): string {
  const patterns = botPatterns.map((p) => b.bind(p.toLowerCase()));
  if (patterns.length === 0) return '1 = 0';
  const tests = expressions.flatMap((e) => patterns.map((p) => `lower(${e}) LIKE ${p}`));
  return `(${tests.join(' OR ')})`;
}

/**
 * The `orgs` CTE, after `authors`: each commit in scope with its author's organisation at the
 * commit's date (repo_id, sha, t, person, is_bot, organization). From the affiliation map when
 * one of the person's periods holds the commit's date (overlapping periods: the largest
 * organisation name), else the domain of the commit's (mailmapped) email, public mail providers
 * and emails without a domain being "independent". An affiliation's email is resolved like
 * commits' emails: it names every person who signs with it, raw or after `.mailmap`, and the
 * person it is explicitly linked to.
 */
export function organizations(b: SqlBuilder, context: MetricContext): string {
  const domains = b.bindTexts(PUBLIC_MAIL_DOMAINS);
  const domain = `lower(split_part(a.person_email, '@', 2))`;
  // The organisation an alias's email says, decided once per alias rather than once per commit.
  const aliases = `alias_orgs AS (SELECT a.repo_id, a.author_name, a.author_email, a.person,
      a.is_bot, CASE WHEN ${domain} = '' OR ${domain} IN (SELECT unnest(${domains}))
        THEN '${INDEPENDENT}' ELSE ${domain} END AS domain_org
      FROM authors a)`;
  const join = `JOIN alias_orgs ao ON ao.repo_id = s.repo_id AND ao.author_name = s.author_name
        AND ao.author_email = s.author_email`;
  const columns = 's.repo_id, s.sha, s.t, ao.person, ao.is_bot';
  if (context.people.affiliations.length === 0) {
    return `${aliases},
      orgs AS (SELECT ${columns}, ao.domain_org AS organization FROM scoped s ${join})`;
  }
  return `${aliases}, ${affiliationPeriods(b, context)},
      orgs AS (SELECT ${columns}, coalesce(ap.organization, ao.domain_org) AS organization
        FROM scoped s ${join}
        LEFT JOIN aff_periods ap ON ap.person = ao.person AND s.t >= ap.valid_from
          AND s.t < ap.valid_to)`;
}

/**
 * `aff_periods` (person, organization, valid_from, valid_to): the affiliation map resolved to
 * people, cut into periods that do not overlap, so that each commit matches at most one.
 */
function affiliationPeriods(b: SqlBuilder, context: MetricContext): string {
  const affiliations = context.people.affiliations;
  // Overlaps go to the largest name in code-point order, decided here: in SQL, text order follows
  // the database's collation. Each entry carries its organisation's place in that order.
  const names = [...new Set(affiliations.map((a) => a.organization))].sort(compareText);
  const emails = b.bind(affiliations.map((a) => a.email.toLowerCase()));
  const orgs = b.bind(affiliations.map((a) => a.organization));
  const ranks = b.bind(affiliations.map((a) => names.indexOf(a.organization)));
  const froms = b.bind(affiliations.map((a) => a.from ?? '0001-01-01T00:00:00.000Z'));
  const tos = b.bind(affiliations.map((a) => a.to ?? '9999-12-31T00:00:00.000Z'));
  // Several unnest() in one select list walk their (equal-length) arrays in step.
  const raw = `aff_raw AS (SELECT email, organization, org_rank,
      CAST(valid_from AS TIMESTAMPTZ) AS valid_from, CAST(valid_to AS TIMESTAMPTZ) AS valid_to
      FROM (SELECT unnest(${emails}::VARCHAR[]) AS email,
        unnest(${orgs}::VARCHAR[]) AS organization, unnest(${ranks}::INTEGER[]) AS org_rank,
        unnest(${froms}::VARCHAR[]) AS valid_from, unnest(${tos}::VARCHAR[]) AS valid_to) u)`;
  const people = `aff_people AS (
      SELECT a.person, r.org_rank, r.valid_from, r.valid_to
        FROM aff_raw r JOIN authors a ON lower(a.author_email) = r.email
      UNION SELECT a.person, r.org_rank, r.valid_from, r.valid_to
        FROM aff_raw r JOIN authors a ON a.person_email = r.email
      UNION SELECT coalesce(i.person, r.email), r.org_rank, r.valid_from, r.valid_to
        FROM aff_raw r LEFT JOIN identities i ON i.email = r.email)`;
  const bounds = `aff_bounds AS (SELECT person, valid_from AS edge FROM aff_people
      UNION SELECT person, valid_to FROM aff_people)`;
  const pieces = `aff_pieces AS (SELECT person, edge AS lo,
      lead(edge) OVER (PARTITION BY person ORDER BY edge) AS hi FROM aff_bounds)`;
  const ranked = `aff_ranked AS (SELECT p.person, max(ap.org_rank) AS org_rank,
      p.lo AS valid_from, p.hi AS valid_to
      FROM aff_pieces p JOIN aff_people ap ON ap.person = p.person AND ap.valid_from <= p.lo
        AND p.hi <= ap.valid_to
      GROUP BY p.person, p.lo, p.hi)`;
  const periods = `aff_periods AS (SELECT r.person, o.organization, r.valid_from, r.valid_to
      FROM aff_ranked r JOIN (SELECT DISTINCT org_rank, organization FROM aff_raw) o
        ON o.org_rank = r.org_rank)`;
  return [raw, people, bounds, pieces, ranked, periods].join(',\n');
}

/**
 * Text order by code point (UTF-16 code unit), the same whatever a database's collation: for
 * ties that SQL leaves to the caller.
 */
export const compareText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/**
 * The smallest of `values` by `compareText`.
 *
 * @example smallest(['zoë q', 'Zoë Q']) // 'Zoë Q'
 */
export function smallest(values: readonly string[]): string | undefined {
  return [...values].sort(compareText)[0];
}

/** The join of `scoped` rows `s` to their `authors` row `a`. */
export const JOIN_AUTHORS = `JOIN authors a ON a.repo_id = s.repo_id
  AND a.author_name = s.author_name AND a.author_email = s.author_email`;
