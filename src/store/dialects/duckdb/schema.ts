import type { DuckDBConnection } from '@duckdb/node-api';
import { MetreError } from '../../../errors/index.js';

/** One step of the schema's history. Steps are never edited once released, only appended. */
export interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

// No primary keys on the bulk tables: measured here, one costs DuckDB 4.5x the load time and 5x
// the disk. Uniqueness is kept by the ingest instead (each batch is stored atomically with the
// progress marker that stops it from being stored twice).
const V1_TABLES = [
  `CREATE TABLE repositories (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    default_branch VARCHAR,
    head VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'new',
    last_error VARCHAR,
    data_version BIGINT NOT NULL DEFAULT 0,
    last_collected_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE commits (
    repo_id VARCHAR NOT NULL,
    sha VARCHAR NOT NULL,
    parents VARCHAR[] NOT NULL,
    author_name VARCHAR NOT NULL,
    author_email VARCHAR NOT NULL,
    author_time TIMESTAMPTZ NOT NULL,
    author_tz SMALLINT NOT NULL,
    committer_name VARCHAR NOT NULL,
    committer_email VARCHAR NOT NULL,
    committer_time TIMESTAMPTZ NOT NULL,
    committer_tz SMALLINT NOT NULL,
    subject VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    is_merge BOOLEAN NOT NULL,
    files_changed INTEGER,
    lines_added INTEGER,
    lines_deleted INTEGER
  )`,
  `CREATE TABLE file_changes (
    repo_id VARCHAR NOT NULL,
    sha VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    old_path VARCHAR,
    change_type VARCHAR NOT NULL,
    lines_added INTEGER NOT NULL,
    lines_deleted INTEGER NOT NULL,
    is_binary BOOLEAN NOT NULL
  )`,
  `CREATE TABLE refs (
    repo_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    sha VARCHAR NOT NULL
  )`,
  `CREATE TABLE default_branch_commits (repo_id VARCHAR NOT NULL, sha VARCHAR NOT NULL)`,
  `CREATE TABLE commit_totals (
    repo_id VARCHAR NOT NULL,
    sha VARCHAR NOT NULL,
    files_changed INTEGER NOT NULL,
    lines_added INTEGER NOT NULL,
    lines_deleted INTEGER NOT NULL
  )`,
  `CREATE TABLE collection_progress (
    repo_id VARCHAR NOT NULL,
    pass VARCHAR NOT NULL,
    tips VARCHAR[] NOT NULL,
    walk_include VARCHAR[],
    walk_exclude VARCHAR[],
    walk_done BIGINT
  )`,
];

// Version 2: what the metrics read besides commits. The mailmap and the default branch's tree are
// read at collection time; identities hold the explicit merges made in metre; metric_results is
// the results cache (small, so it has a real key and an upsert).
const V2_TABLES = [
  `CREATE TABLE mailmap (
    repo_id VARCHAR NOT NULL,
    proper_name VARCHAR,
    proper_email VARCHAR,
    commit_name VARCHAR,
    commit_email VARCHAR NOT NULL
  )`,
  `CREATE TABLE tree_files (repo_id VARCHAR NOT NULL, path VARCHAR NOT NULL, bytes BIGINT NOT NULL)`,
  `ALTER TABLE refs ADD COLUMN created_at TIMESTAMPTZ`,
  `CREATE TABLE identities (
    email VARCHAR PRIMARY KEY,
    person VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE store_versions (name VARCHAR PRIMARY KEY, version BIGINT NOT NULL)`,
  `INSERT INTO store_versions VALUES ('identities', 0)`,
  `CREATE TABLE metric_results (
    key VARCHAR PRIMARY KEY,
    metric VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    repositories VARCHAR NOT NULL,
    params VARCHAR NOT NULL,
    data_version VARCHAR NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    duration_ms DOUBLE NOT NULL,
    result VARCHAR NOT NULL
  )`,
];

// Version 3: what makes metrics fast at a million commits. Commit times become plain TIMESTAMPs
// holding UTC (the session is UTC anyway): DuckDB's date functions on TIMESTAMPTZ go through its
// time-zone library, 4 to 8 times slower per row. And each commit says whether the default
// branch reaches it, so the default scope is a column test instead of a join on shas.
const V3_STATEMENTS = [
  `ALTER TABLE commits ALTER author_time SET DATA TYPE TIMESTAMP`,
  `ALTER TABLE commits ALTER committer_time SET DATA TYPE TIMESTAMP`,
  `ALTER TABLE commits ADD COLUMN on_default BOOLEAN DEFAULT false`,
  `UPDATE commits SET on_default = true FROM default_branch_commits d
    WHERE d.repo_id = commits.repo_id AND d.sha = commits.sha`,
];

// Version 4: what the API edits. Each repository's collection schedule (DuckDB cannot add a
// column with a NOT NULL constraint; the default fills existing rows and every insert names it),
// and the affiliation map kept in the store, its entries in the order they were written.
// DuckDB cannot replay from its write-ahead log an ALTER of a table with a `now()` default (the
// next open fails with an internal error), so a process killed before the next checkpoint would
// leave a store that never opens again: repositories.created_at loses its default first (the
// insert sets it).
const V4_STATEMENTS = [
  `ALTER TABLE repositories ALTER created_at DROP DEFAULT`,
  `ALTER TABLE repositories ADD COLUMN schedule VARCHAR DEFAULT 'daily'`,
  `CREATE TABLE affiliations (
    entry INTEGER PRIMARY KEY,
    email VARCHAR NOT NULL,
    organization VARCHAR NOT NULL,
    valid_from VARCHAR,
    valid_to VARCHAR
  )`,
];

// Version 5: each file change carries what the scope of the file metrics reads of its commit (its
// author and committer times, and whether the default branch reaches it), so they read
// file_changes alone instead of joining a million commits on text keys. Filled when the files
// pass ends (completePass), and kept by recordDefaultBranch like commits.on_default.
const V5_STATEMENTS = [
  `ALTER TABLE file_changes ADD COLUMN author_time TIMESTAMP`,
  `ALTER TABLE file_changes ADD COLUMN committer_time TIMESTAMP`,
  `ALTER TABLE file_changes ADD COLUMN on_default BOOLEAN DEFAULT false`,
  `UPDATE file_changes SET author_time = c.author_time, committer_time = c.committer_time,
    on_default = c.on_default
    FROM commits c WHERE c.repo_id = file_changes.repo_id AND c.sha = file_changes.sha`,
];

/** The ordered history of the schema; the last version is the one this code reads and writes. */
export const migrations: readonly Migration[] = [
  { version: 1, statements: V1_TABLES },
  { version: 2, statements: V2_TABLES },
  { version: 3, statements: V3_STATEMENTS },
  { version: 4, statements: V4_STATEMENTS },
  { version: 5, statements: V5_STATEMENTS },
];

/** The schema version this code expects. */
export const latestVersion = migrations.at(-1)?.version ?? 0;

const CREATE_VERSIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/**
 * Brings the store's schema up to date: applies, in order and each in its own transaction, every
 * migration newer than the store's version. A read-only store is only checked.
 *
 * @example await migrate(connection, { readOnly: false, file: '/data/metre.duckdb' })
 */
export async function migrate(
  connection: DuckDBConnection,
  options: { readOnly: boolean; file: string },
): Promise<void> {
  if (!options.readOnly) await connection.run(CREATE_VERSIONS);
  const current = await schemaVersion(connection, options.readOnly);
  if (current > latestVersion) throw tooNew(options.file, current);
  const pending = migrations.filter((step) => step.version > current);
  if (pending.length > 0 && options.readOnly) throw needsMigration(options.file, current);
  for (const step of pending) await apply(connection, step);
}

/** The version recorded in the store; 0 for a new (or, read-only, never migrated) store. */
export async function schemaVersion(
  connection: DuckDBConnection,
  readOnly = false,
): Promise<number> {
  if (readOnly && !(await hasVersionsTable(connection))) return 0;
  const reader = await connection.runAndReadAll(
    'SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_migrations',
  );
  return Number(reader.getRowsJS()[0]?.[0] ?? 0);
}

async function hasVersionsTable(connection: DuckDBConnection): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name = $1`,
    ['schema_migrations'],
  );
  return Number(reader.getRowsJS()[0]?.[0]) > 0;
}

async function apply(connection: DuckDBConnection, step: Migration): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const statement of step.statements) await connection.run(statement);
    await connection.run('INSERT INTO schema_migrations (version) VALUES ($1)', [step.version]);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

function tooNew(file: string, version: number): MetreError {
  return new MetreError(
    'METRE_STORE_SCHEMA_TOO_NEW',
    `The store ${file} has schema version ${version}, newer than the ${latestVersion} this metre ` +
      'knows; upgrade metre to use it',
  );
}

function needsMigration(file: string, version: number): MetreError {
  return new MetreError(
    'METRE_STORE_FAILED',
    `The store ${file} has schema version ${version} and needs migrating to ${latestVersion}; ` +
      'open it once without read-only',
  );
}
