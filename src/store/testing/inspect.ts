import type { Commit, FileChange, MailmapEntry, Ref, TreeFile } from '../../core/index.js';
import type { Store } from '../port.js';

/** A row read back for a test: BIGINTs already as numbers, timestamps as Dates, lists as arrays. */
export type Row = Record<string, unknown>;

/**
 * A store that can read its own rows back, for tests only: the port has no read of commits, and the
 * contract suite must check what was really stored. Each dialect's store class offers `readRows`;
 * the SQL passed to it sticks to what runs unchanged on every backend (`$n` parameters).
 */
export interface InspectableStore extends Store {
  readRows(query: string, params?: readonly (string | number)[]): Promise<Row[]>;
}

/** A stored commit: the commit as written plus the totals the files pass fills. */
export interface StoredCommit extends Commit {
  readonly filesChanged: number | null;
  readonly linesAdded: number | null;
  readonly linesDeleted: number | null;
}

/**
 * Runs a read on a store that supports it.
 *
 * @example const [row] = await readRows(store, 'SELECT count(*) AS n FROM commits WHERE repo_id = $1', [id])
 */
export function readRows(
  store: Store,
  query: string,
  params: readonly (string | number)[] = [],
): Promise<Row[]> {
  const inspectable = store as Partial<InspectableStore>;
  if (typeof inspectable.readRows !== 'function') {
    throw new Error(`The ${store.dialect} store has no readRows, which the contract suite needs`);
  }
  return inspectable.readRows.call(store, query, params);
}

/** The tables holding a repository's data. */
export type DataTable =
  | 'commits'
  | 'file_changes'
  | 'refs'
  | 'default_branch_commits'
  | 'collection_progress'
  | 'mailmap'
  | 'tree_files';

/** The number of rows of `table` belonging to a repository. */
export async function countRows(store: Store, table: DataTable, repoId: string): Promise<number> {
  const query = `SELECT count(*) AS n FROM ${table} WHERE repo_id = $1`;
  const [row] = await readRows(store, query, [repoId]);
  return Number(row?.n);
}

/** A repository's commits, ordered by sha. */
export async function readCommits(store: Store, repoId: string): Promise<StoredCommit[]> {
  const rows = await readRows(
    store,
    `SELECT sha, parents, author_name, author_email, author_time, author_tz, committer_name,
       committer_email, committer_time, committer_tz, subject, message, is_merge,
       files_changed, lines_added, lines_deleted
     FROM commits WHERE repo_id = $1 ORDER BY sha`,
    [repoId],
  );
  return rows.map(toStoredCommit);
}

function toStoredCommit(row: Row): StoredCommit {
  const signature = (who: 'author' | 'committer') => ({
    name: String(row[`${who}_name`]),
    email: String(row[`${who}_email`]),
    time: (row[`${who}_time`] as Date).getTime() / 1000,
    tzOffset: Number(row[`${who}_tz`]),
  });
  const orNull = (value: unknown) => (value === null ? null : Number(value));
  return {
    sha: String(row.sha),
    parents: (row.parents as unknown[]).map(String),
    author: signature('author'),
    committer: signature('committer'),
    subject: String(row.subject),
    message: String(row.message),
    filesChanged: orNull(row.files_changed),
    linesAdded: orNull(row.lines_added),
    linesDeleted: orNull(row.lines_deleted),
  };
}

/** A repository's file changes with their commit, ordered by sha then path. */
export async function readFileChanges(
  store: Store,
  repoId: string,
): Promise<{ sha: string; file: FileChange }[]> {
  const rows = await readRows(
    store,
    `SELECT sha, path, old_path, change_type, lines_added, lines_deleted, is_binary
     FROM file_changes WHERE repo_id = $1 ORDER BY sha, path`,
    [repoId],
  );
  return rows.map((row) => ({
    sha: String(row.sha),
    file: {
      path: String(row.path),
      oldPath: row.old_path === null ? null : String(row.old_path),
      changeType: row.change_type as FileChange['changeType'],
      added: Number(row.lines_added),
      deleted: Number(row.lines_deleted),
      binary: row.is_binary === true,
    },
  }));
}

/** The shas recorded on a repository's default branch, sorted. */
export async function readDefaultBranch(store: Store, repoId: string): Promise<string[]> {
  const query = 'SELECT sha FROM default_branch_commits WHERE repo_id = $1 ORDER BY sha';
  return (await readRows(store, query, [repoId])).map((row) => String(row.sha));
}

/** A repository's refs, ordered by name. */
export async function readRefs(store: Store, repoId: string): Promise<Ref[]> {
  const query = 'SELECT name, kind, sha, created_at FROM refs WHERE repo_id = $1 ORDER BY name';
  return (await readRows(store, query, [repoId])).map((row) => ({
    name: String(row.name),
    kind: row.kind as Ref['kind'],
    sha: String(row.sha),
    createdAt: row.created_at === null ? null : (row.created_at as Date).getTime() / 1000,
  }));
}

/** A repository's mailmap entries, in a fixed order (by commit email, then the other fields). */
export async function readMailmap(store: Store, repoId: string): Promise<MailmapEntry[]> {
  const rows = await readRows(
    store,
    `SELECT proper_name, proper_email, commit_name, commit_email FROM mailmap WHERE repo_id = $1`,
    [repoId],
  );
  const text = (value: unknown) => (value === null ? null : String(value));
  return sortMailmap(
    rows.map((row) => ({
      properName: text(row.proper_name),
      properEmail: text(row.proper_email),
      commitName: text(row.commit_name),
      commitEmail: String(row.commit_email),
    })),
  );
}

/**
 * Mailmap entries in the order `readMailmap` returns them. Sorted here, not in SQL, so the order
 * does not depend on each backend's collation.
 */
export function sortMailmap(entries: readonly MailmapEntry[]): MailmapEntry[] {
  const key = (e: MailmapEntry) =>
    JSON.stringify([e.commitEmail, e.commitName, e.properName, e.properEmail]);
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The files of a repository's tree, ordered by path (code unit order, whatever the backend). */
export async function readTree(store: Store, repoId: string): Promise<TreeFile[]> {
  const rows = await readRows(store, 'SELECT path, bytes FROM tree_files WHERE repo_id = $1', [
    repoId,
  ]);
  return rows
    .map((row) => ({ path: String(row.path), bytes: Number(row.bytes) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
