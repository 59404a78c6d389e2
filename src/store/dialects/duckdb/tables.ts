import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { duckdb } from './driver.js';
import type { Commit, FileChange, MailmapEntry, Ref, TreeFile } from '../../../core/index.js';
import type { CommitFiles } from '../../port.js';
import { toPlainTimestamp, toTimestamp } from './params.js';

const { BIGINT, BOOLEAN, INTEGER, LIST, SMALLINT, TIMESTAMP, TIMESTAMPTZ, VARCHAR, listValue } =
  duckdb;

/**
 * How rows of one table are laid out for DuckDB's appender: the column types in table order and a
 * function turning items into column vectors. The order must match the table's DDL exactly (a test
 * compares them), because the appender fills columns by position.
 */
export interface TableLayout<T> {
  readonly table: string;
  readonly types: readonly DuckDBType[];
  columns(repoId: string, items: readonly T[]): DuckDBValue[][];
}

/** One file change row: the commit it belongs to and the file. */
export interface FileRow {
  readonly sha: string;
  readonly file: FileChange;
}

const nulls = (items: readonly unknown[]): null[] => items.map(() => null);

export const commitsLayout: TableLayout<Commit> = {
  table: 'commits',
  // repo_id, sha, parents; author name, email, time (UTC), tz; committer the same; subject,
  // message, is_merge; files_changed, lines_added, lines_deleted; on_default.
  types: [
    VARCHAR,
    VARCHAR,
    LIST(VARCHAR),
    VARCHAR,
    VARCHAR,
    TIMESTAMP,
    SMALLINT,
    VARCHAR,
    VARCHAR,
    TIMESTAMP,
    SMALLINT,
    VARCHAR,
    VARCHAR,
    BOOLEAN,
    INTEGER,
    INTEGER,
    INTEGER,
    BOOLEAN,
  ],
  columns: (repoId, commits) => [
    commits.map(() => repoId),
    commits.map((c) => c.sha),
    commits.map((c) => listValue([...c.parents])),
    commits.map((c) => c.author.name),
    commits.map((c) => c.author.email),
    commits.map((c) => toPlainTimestamp(c.author.time)),
    commits.map((c) => c.author.tzOffset),
    commits.map((c) => c.committer.name),
    commits.map((c) => c.committer.email),
    commits.map((c) => toPlainTimestamp(c.committer.time)),
    commits.map((c) => c.committer.tzOffset),
    commits.map((c) => c.subject),
    commits.map((c) => c.message),
    commits.map((c) => c.parents.length > 1),
    // Files changed and line totals stay NULL until the files pass completes.
    nulls(commits),
    nulls(commits),
    nulls(commits),
    // Set when the default branch is recorded, once the commits pass is done.
    commits.map(() => false),
  ],
};

export const fileChangesLayout: TableLayout<FileRow> = {
  table: 'file_changes',
  // repo_id, sha, path, old_path, change_type, lines_added, lines_deleted, is_binary; the
  // commit's author_time, committer_time (UTC) and on_default.
  types: [
    VARCHAR,
    VARCHAR,
    VARCHAR,
    VARCHAR,
    VARCHAR,
    INTEGER,
    INTEGER,
    BOOLEAN,
    TIMESTAMP,
    TIMESTAMP,
    BOOLEAN,
  ],
  columns: (repoId, rows) => [
    rows.map(() => repoId),
    rows.map((r) => r.sha),
    rows.map((r) => r.file.path),
    rows.map((r) => r.file.oldPath),
    rows.map((r) => r.file.changeType),
    rows.map((r) => r.file.added),
    rows.map((r) => r.file.deleted),
    rows.map((r) => r.file.binary),
    // What the row carries of its commit is filled when the files pass ends (completePass).
    nulls(rows),
    nulls(rows),
    rows.map(() => false),
  ],
};

const sum = (files: readonly FileChange[], key: 'added' | 'deleted') =>
  files.reduce((total, file) => total + file[key], 0);

/** The totals of each commit a files batch walked, staged until the pass ends. */
export const commitTotalsLayout: TableLayout<CommitFiles> = {
  table: 'commit_totals',
  types: [VARCHAR, VARCHAR, INTEGER, INTEGER, INTEGER],
  columns: (repoId, batch) => [
    batch.map(() => repoId),
    batch.map((c) => c.sha),
    batch.map((c) => c.files.length),
    batch.map((c) => sum(c.files, 'added')),
    batch.map((c) => sum(c.files, 'deleted')),
  ],
};

export const defaultBranchLayout: TableLayout<string> = {
  table: 'default_branch_commits',
  types: [VARCHAR, VARCHAR],
  columns: (repoId, shas) => [shas.map(() => repoId), [...shas]],
};

export const refsLayout: TableLayout<Ref> = {
  table: 'refs',
  types: [VARCHAR, VARCHAR, VARCHAR, VARCHAR, TIMESTAMPTZ],
  columns: (repoId, refs) => [
    refs.map(() => repoId),
    refs.map((r) => r.name),
    refs.map((r) => r.kind),
    refs.map((r) => r.sha),
    refs.map((r) => (r.createdAt === null ? null : toTimestamp(r.createdAt))),
  ],
};

export const mailmapLayout: TableLayout<MailmapEntry> = {
  table: 'mailmap',
  types: [VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR],
  columns: (repoId, entries) => [
    entries.map(() => repoId),
    entries.map((e) => e.properName),
    entries.map((e) => e.properEmail),
    entries.map((e) => e.commitName),
    entries.map((e) => e.commitEmail),
  ],
};

export const treeFilesLayout: TableLayout<TreeFile> = {
  table: 'tree_files',
  types: [VARCHAR, VARCHAR, BIGINT],
  columns: (repoId, files) => [
    files.map(() => repoId),
    files.map((f) => f.path),
    files.map((f) => BigInt(f.bytes)),
  ],
};
