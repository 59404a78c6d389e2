import type { Commit, FileChange, MailmapEntry, Ref, TreeFile } from '../../../core/index.js';
import type { CommitFiles } from '../../port.js';

/** A value of one cell as the bulk paths carry it: timestamps as ISO strings. */
export type Cell = string | number | boolean | null;

/** One column a bulk write fills, besides `repo_id` (bound once for the whole batch). */
export interface BulkColumn<T> {
  readonly name: string;
  /** Its SQL type as carried: the element type of an `unnest` array, a staging table's column. */
  readonly type: string;
  /** The cell of an item; `index` is the item's position in the call's list. */
  readonly value: (item: T, index: number) => Cell;
  /** Turns the carried value `ref` into the column's (default: as is). */
  readonly select?: (ref: string) => string;
}

/** How the items of one kind become rows of `table`, keyed by `repo_id` and more. */
export interface BulkTable<T> {
  readonly table: BulkTableName;
  readonly columns: readonly BulkColumn<T>[];
}

export type BulkTableName =
  | 'commits'
  | 'file_changes'
  | 'commit_totals'
  | 'default_branch_commits'
  | 'refs'
  | 'mailmap'
  | 'tree_files';

/** One file change row: the commit it belongs to and the file. */
export interface FileRow {
  readonly sha: string;
  readonly file: FileChange;
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

const column = <T>(
  name: string,
  type: string,
  value: (item: T, index: number) => Cell,
  select?: (ref: string) => string,
): BulkColumn<T> => (select ? { name, type, value, select } : { name, type, value });

export const commitsTable: BulkTable<Commit> = {
  table: 'commits',
  columns: [
    column('sha', 'TEXT', (c) => c.sha),
    // Parents travel as one space-separated string: multi-argument unnest cannot carry an array
    // of arrays, and a sha has no space.
    column(
      'parents',
      'TEXT',
      (c) => c.parents.join(' '),
      (ref) => `string_to_array(${ref}, ' ')`,
    ),
    column('author_name', 'TEXT', (c) => c.author.name),
    column('author_email', 'TEXT', (c) => c.author.email),
    column('author_time', 'TIMESTAMPTZ', (c) => iso(c.author.time)),
    column('author_tz', 'SMALLINT', (c) => c.author.tzOffset),
    column('committer_name', 'TEXT', (c) => c.committer.name),
    column('committer_email', 'TEXT', (c) => c.committer.email),
    column('committer_time', 'TIMESTAMPTZ', (c) => iso(c.committer.time)),
    column('committer_tz', 'SMALLINT', (c) => c.committer.tzOffset),
    column('subject', 'TEXT', (c) => c.subject),
    column('message', 'TEXT', (c) => c.message),
    column('is_merge', 'BOOLEAN', (c) => c.parents.length > 1),
    // files_changed, lines_added and lines_deleted stay NULL until the files pass completes.
  ],
};

export const fileChangesTable: BulkTable<FileRow> = {
  table: 'file_changes',
  columns: [
    column('sha', 'TEXT', (r) => r.sha),
    column('path', 'TEXT', (r) => r.file.path),
    column('old_path', 'TEXT', (r) => r.file.oldPath),
    column('change_type', 'TEXT', (r) => r.file.changeType),
    column('lines_added', 'INTEGER', (r) => r.file.added),
    column('lines_deleted', 'INTEGER', (r) => r.file.deleted),
    column('is_binary', 'BOOLEAN', (r) => r.file.binary),
    // author_time, committer_time and on_default are filled when the files pass ends.
  ],
};

const sum = (files: readonly FileChange[], key: 'added' | 'deleted') =>
  files.reduce((total, file) => total + file[key], 0);

/** The totals of each commit a files batch walked, staged until the pass ends. */
export const commitTotalsTable: BulkTable<CommitFiles> = {
  table: 'commit_totals',
  columns: [
    column('sha', 'TEXT', (c) => c.sha),
    column('files_changed', 'INTEGER', (c) => c.files.length),
    column('lines_added', 'INTEGER', (c) => sum(c.files, 'added')),
    column('lines_deleted', 'INTEGER', (c) => sum(c.files, 'deleted')),
  ],
};

export const defaultBranchTable: BulkTable<string> = {
  table: 'default_branch_commits',
  columns: [column('sha', 'TEXT', (sha) => sha)],
};

export const refsTable: BulkTable<Ref> = {
  table: 'refs',
  columns: [
    column('name', 'TEXT', (r) => r.name),
    column('kind', 'TEXT', (r) => r.kind),
    column('sha', 'TEXT', (r) => r.sha),
    column('created_at', 'TIMESTAMPTZ', (r) => (r.createdAt === null ? null : iso(r.createdAt))),
  ],
};

export const mailmapTable: BulkTable<MailmapEntry> = {
  table: 'mailmap',
  columns: [
    column('entry', 'INTEGER', (_, index) => index),
    column('proper_name', 'TEXT', (e) => e.properName),
    column('proper_email', 'TEXT', (e) => e.properEmail),
    column('commit_name', 'TEXT', (e) => e.commitName),
    column('commit_email', 'TEXT', (e) => e.commitEmail),
  ],
};

export const treeFilesTable: BulkTable<TreeFile> = {
  table: 'tree_files',
  columns: [column('path', 'TEXT', (f) => f.path), column('bytes', 'BIGINT', (f) => f.bytes)],
};
