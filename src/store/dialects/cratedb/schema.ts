import type { Migration, SchemaHistory } from '../postgres/index.js';
import { fillFileFacts } from './sql.js';

/** How CrateDB spreads and copies metre's tables: read from the store URL (`?shards=&replicas=`). */
export interface CratedbTableOptions {
  /** Shards of each table that grows with the data; null for CrateDB's own default. */
  readonly shards: number | null;
  /** `number_of_replicas` of every table (`1`, `0-1`, `0-all`…); null for CrateDB's default. */
  readonly replicas: string | null;
}

/** CrateDB's defaults for both. */
export const defaultTableOptions: CratedbTableOptions = { shards: null, replicas: null };

// What CrateDB's DDL differs in, against PostgreSQL's (`../postgres/schema.ts`):
// - The primary key is the only constraint: no UNIQUE, no sequences, no CREATE INDEX (every
//   column is indexed already). `repositories` is keyed by its name, so two processes registering
//   one name at once still store it once (`INSERT … ON CONFLICT DO NOTHING`); ids are random
//   UUIDs, unique by construction.
// - Tables that grow with the data are `CLUSTERED BY (repo_id)`: a repository's rows share a
//   shard, and a metric over one repository reads one shard.
// - An indexed TEXT value (and its column store entry) is limited to 32,766 bytes: commit
//   subjects and messages, and collection errors, are stored unindexed, without a column store.
// - Results are `OBJECT(IGNORED)`: stored as given, their fields never indexed or typed.
// - No transactional DDL: every step is written to be run again (IF NOT EXISTS, ON CONFLICT), so
//   a migration cut short completes on the next open.
//
// CrateDB stores started at version 3: steps 1 and 2 create their tables in their version-3 form
// (`refs.created_at`, `commits.on_default`) and step 3 has nothing left to do. Later steps are
// appended as PostgreSQL's are.

const LONG_TEXT = 'TEXT INDEX OFF STORAGE WITH (columnstore = false)';

/** The clauses after a table's columns. */
function tableOptions(options: CratedbTableOptions, clustering: 'repo' | 'key' | 'small'): string {
  const shards = clustering === 'small' ? 1 : options.shards;
  const into = shards === null ? '' : ` INTO ${shards} SHARDS`;
  const by = clustering === 'repo' ? ' BY (repo_id)' : '';
  const clustered = by === '' && into === '' ? '' : ` CLUSTERED${by}${into}`;
  const replicas =
    options.replicas === null ? '' : ` WITH (number_of_replicas = '${options.replicas}')`;
  return `${clustered}${replicas}`;
}

function v1(o: CratedbTableOptions): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS repositories (
    id TEXT NOT NULL,
    name TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    default_branch TEXT,
    head TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    last_error ${LONG_TEXT},
    data_version BIGINT NOT NULL DEFAULT 0,
    last_collected_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )${tableOptions(o, 'small')}`,
    `CREATE TABLE IF NOT EXISTS commits (
    repo_id TEXT NOT NULL,
    sha TEXT NOT NULL,
    parents TEXT[] NOT NULL,
    author_name TEXT NOT NULL,
    author_email TEXT NOT NULL,
    author_time TIMESTAMPTZ NOT NULL,
    author_tz SMALLINT NOT NULL,
    committer_name TEXT NOT NULL,
    committer_email TEXT NOT NULL,
    committer_time TIMESTAMPTZ NOT NULL,
    committer_tz SMALLINT NOT NULL,
    subject ${LONG_TEXT} NOT NULL,
    message ${LONG_TEXT} NOT NULL,
    is_merge BOOLEAN NOT NULL,
    files_changed INTEGER,
    lines_added INTEGER,
    lines_deleted INTEGER,
    on_default BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (repo_id, sha)
  )${tableOptions(o, 'repo')}`,
    `CREATE TABLE IF NOT EXISTS file_changes (
    repo_id TEXT NOT NULL,
    sha TEXT NOT NULL,
    path TEXT NOT NULL,
    old_path TEXT,
    change_type TEXT NOT NULL,
    lines_added INTEGER NOT NULL,
    lines_deleted INTEGER NOT NULL,
    is_binary BOOLEAN NOT NULL,
    PRIMARY KEY (repo_id, sha, path)
  )${tableOptions(o, 'repo')}`,
    `CREATE TABLE IF NOT EXISTS refs (
    repo_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha TEXT NOT NULL,
    created_at TIMESTAMPTZ,
    PRIMARY KEY (repo_id, name, kind)
  )${tableOptions(o, 'repo')}`,
    `CREATE TABLE IF NOT EXISTS default_branch_commits (
    repo_id TEXT NOT NULL,
    sha TEXT NOT NULL,
    PRIMARY KEY (repo_id, sha)
  )${tableOptions(o, 'repo')}`,
    `CREATE TABLE IF NOT EXISTS commit_totals (
    repo_id TEXT NOT NULL,
    sha TEXT NOT NULL,
    files_changed INTEGER NOT NULL,
    lines_added INTEGER NOT NULL,
    lines_deleted INTEGER NOT NULL,
    PRIMARY KEY (repo_id, sha)
  )${tableOptions(o, 'repo')}`,
    `CREATE TABLE IF NOT EXISTS collection_progress (
    repo_id TEXT NOT NULL,
    pass TEXT NOT NULL,
    tips TEXT[] NOT NULL,
    walk_include TEXT[],
    walk_exclude TEXT[],
    walk_done BIGINT,
    PRIMARY KEY (repo_id, pass)
  )${tableOptions(o, 'repo')}`,
  ];
}

function v2(o: CratedbTableOptions): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS mailmap (
    repo_id TEXT NOT NULL,
    entry INTEGER NOT NULL,
    proper_name TEXT,
    proper_email TEXT,
    commit_name TEXT,
    commit_email TEXT NOT NULL,
    PRIMARY KEY (repo_id, entry)
  )${tableOptions(o, 'repo')}`,
    `CREATE TABLE IF NOT EXISTS tree_files (
    repo_id TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (repo_id, path)
  )${tableOptions(o, 'repo')}`,
    `CREATE TABLE IF NOT EXISTS identities (
    email TEXT PRIMARY KEY,
    person TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )${tableOptions(o, 'small')}`,
    `CREATE TABLE IF NOT EXISTS store_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
  )${tableOptions(o, 'small')}`,
    `INSERT INTO store_versions (name, version) VALUES ('identities', 0) ON CONFLICT DO NOTHING`,
    `CREATE TABLE IF NOT EXISTS metric_results (
    key TEXT PRIMARY KEY,
    metric TEXT NOT NULL,
    version INTEGER NOT NULL,
    repositories TEXT NOT NULL,
    params TEXT NOT NULL,
    data_version TEXT NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL,
    result OBJECT(IGNORED) NOT NULL
  )${tableOptions(o, 'key')}`,
  ];
}

// A column added to a table with rows: CrateDB gives it no NOT NULL (its existing rows have no
// value; the store reads a missing schedule as 'daily'). CrateDB has no ADD COLUMN IF NOT EXISTS:
// the migration accepts the error of adding it again (`appliedAlready`).
function v4(o: CratedbTableOptions): string[] {
  return [
    `ALTER TABLE repositories ADD COLUMN schedule TEXT DEFAULT 'daily'`,
    `CREATE TABLE IF NOT EXISTS affiliations (
    entry INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    organization TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT
  )${tableOptions(o, 'small')}`,
  ];
}

// Step 5 (see PostgreSQL's): each file change carries its commit's dates and default branch flag,
// filled by an upsert of the rows joined to their commits (CrateDB has no UPDATE … FROM), which a
// cut-short run repeats harmlessly.
const V5_STATEMENTS = [
  `ALTER TABLE file_changes ADD COLUMN author_time TIMESTAMPTZ`,
  `ALTER TABLE file_changes ADD COLUMN committer_time TIMESTAMPTZ`,
  `ALTER TABLE file_changes ADD COLUMN on_default BOOLEAN DEFAULT false`,
  `REFRESH TABLE file_changes, commits`,
  fillFileFacts('TRUE'),
];

/** CrateDB's schema steps for these table options; versions as PostgreSQL's. */
export function cratedbMigrations(options: CratedbTableOptions): readonly Migration[] {
  return [
    { version: 1, statements: v1(options) },
    { version: 2, statements: v2(options) },
    { version: 3, statements: [] },
    { version: 4, statements: v4(options) },
    { version: 5, statements: V5_STATEMENTS },
  ];
}

/**
 * Whether a statement failed because a cut-short run of its step applied it already: CrateDB
 * refuses to add a column twice with "The table … already has a column named …".
 */
export function columnExists(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /already has a column named/i.test(message);
}

/** The table of applied versions: tiny, one shard. */
export function createVersionsTable(options: CratedbTableOptions): string {
  return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )${tableOptions(options, 'small')}`;
}

/**
 * CrateDB's schema history: no migration lock (CrateDB has none); `openCratedbStore` makes a
 * concurrent first open safe by refreshing and retrying instead.
 *
 * @example cratedbSchemaHistory({ shards: 6, replicas: '1' })
 */
export function cratedbSchemaHistory(options: CratedbTableOptions): SchemaHistory {
  return {
    migrations: cratedbMigrations(options),
    createVersionsTable: createVersionsTable(options),
    appliedAlready: columnExists,
  };
}

/** Every table the schema creates, for REFRESH TABLE after a migration. */
export const CRATEDB_TABLES = [
  'schema_migrations',
  'repositories',
  'commits',
  'file_changes',
  'refs',
  'default_branch_commits',
  'commit_totals',
  'collection_progress',
  'mailmap',
  'tree_files',
  'identities',
  'store_versions',
  'metric_results',
  'affiliations',
] as const;
