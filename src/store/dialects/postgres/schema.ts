import { MetreError } from '../../../errors/index.js';
import type { SqlClient, SqlSession } from './sql-client.js';

/** One step of the schema's history. Steps are never edited once released, only appended. */
export interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

// The same tables as the DuckDB dialect's schema, with real keys: a server database can afford
// them, and they are what makes every write an idempotent upsert (ON CONFLICT on the natural key).
const V1_TABLES = [
  `CREATE TABLE repositories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    default_branch TEXT,
    head TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    last_error TEXT,
    data_version BIGINT NOT NULL DEFAULT 0,
    last_collected_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE commits (
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
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    is_merge BOOLEAN NOT NULL,
    files_changed INTEGER,
    lines_added INTEGER,
    lines_deleted INTEGER,
    PRIMARY KEY (repo_id, sha)
  )`,
  // Metrics select a repository's commits by date (author or committer, METRICS.md).
  `CREATE INDEX commits_author_time ON commits (repo_id, author_time)`,
  `CREATE INDEX commits_committer_time ON commits (repo_id, committer_time)`,
  `CREATE TABLE file_changes (
    repo_id TEXT NOT NULL,
    sha TEXT NOT NULL,
    path TEXT NOT NULL,
    old_path TEXT,
    change_type TEXT NOT NULL,
    lines_added INTEGER NOT NULL,
    lines_deleted INTEGER NOT NULL,
    is_binary BOOLEAN NOT NULL,
    PRIMARY KEY (repo_id, sha, path)
  )`,
  `CREATE TABLE refs (
    repo_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha TEXT NOT NULL,
    PRIMARY KEY (repo_id, name, kind)
  )`,
  `CREATE TABLE default_branch_commits (
    repo_id TEXT NOT NULL,
    sha TEXT NOT NULL,
    PRIMARY KEY (repo_id, sha)
  )`,
  `CREATE TABLE commit_totals (
    repo_id TEXT NOT NULL,
    sha TEXT NOT NULL,
    files_changed INTEGER NOT NULL,
    lines_added INTEGER NOT NULL,
    lines_deleted INTEGER NOT NULL,
    PRIMARY KEY (repo_id, sha)
  )`,
  `CREATE TABLE collection_progress (
    repo_id TEXT NOT NULL,
    pass TEXT NOT NULL,
    tips TEXT[] NOT NULL,
    walk_include TEXT[],
    walk_exclude TEXT[],
    walk_done BIGINT,
    PRIMARY KEY (repo_id, pass)
  )`,
];

// Version 2, as in the DuckDB dialect. A .mailmap may list the same identity twice (git keeps the
// last line), so its key is the line's position in the file, `entry`.
const V2_TABLES = [
  `CREATE TABLE mailmap (
    repo_id TEXT NOT NULL,
    entry INTEGER NOT NULL,
    proper_name TEXT,
    proper_email TEXT,
    commit_name TEXT,
    commit_email TEXT NOT NULL,
    PRIMARY KEY (repo_id, entry)
  )`,
  `CREATE TABLE tree_files (
    repo_id TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (repo_id, path)
  )`,
  `ALTER TABLE refs ADD COLUMN created_at TIMESTAMPTZ`,
  `CREATE TABLE identities (
    email TEXT PRIMARY KEY,
    person TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE store_versions (name TEXT PRIMARY KEY, version BIGINT NOT NULL)`,
  `INSERT INTO store_versions (name, version) VALUES ('identities', 0)`,
  `CREATE TABLE metric_results (
    key TEXT PRIMARY KEY,
    metric TEXT NOT NULL,
    version INTEGER NOT NULL,
    repositories TEXT NOT NULL,
    params TEXT NOT NULL,
    data_version TEXT NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL,
    result TEXT NOT NULL
  )`,
];

// Version 3, as in the DuckDB dialect: each commit says whether the default branch reaches it, so
// the metrics' default scope is a column test instead of a join on shas.
const V3_STATEMENTS = [
  `ALTER TABLE commits ADD COLUMN on_default BOOLEAN NOT NULL DEFAULT false`,
  `UPDATE commits SET on_default = true WHERE (repo_id, sha) IN
    (SELECT repo_id, sha FROM default_branch_commits)`,
];

// Version 4, as in the DuckDB dialect: each repository's collection schedule, and the affiliation
// map kept in the store, keyed by each entry's position in the map.
const V4_STATEMENTS = [
  `ALTER TABLE repositories ADD COLUMN schedule TEXT NOT NULL DEFAULT 'daily'`,
  `CREATE TABLE affiliations (
    entry INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    organization TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT
  )`,
];

// Version 5, as in the DuckDB dialect: each file change carries its commit's dates and default
// branch flag, so the file metrics read file_changes without joining commits. They are filled
// when the files pass ends; the partial index finds the rows still waiting for them.
const V5_STATEMENTS = [
  `ALTER TABLE file_changes ADD COLUMN author_time TIMESTAMPTZ`,
  `ALTER TABLE file_changes ADD COLUMN committer_time TIMESTAMPTZ`,
  `ALTER TABLE file_changes ADD COLUMN on_default BOOLEAN NOT NULL DEFAULT false`,
  `UPDATE file_changes SET author_time = c.author_time, committer_time = c.committer_time,
    on_default = c.on_default
    FROM commits c WHERE c.repo_id = file_changes.repo_id AND c.sha = file_changes.sha`,
  `CREATE INDEX file_changes_unfilled ON file_changes (repo_id) WHERE author_time IS NULL`,
];

/** PostgreSQL's schema history (PGlite's too); the last version is the one this code uses. */
export const postgresMigrations: readonly Migration[] = [
  { version: 1, statements: V1_TABLES },
  { version: 2, statements: V2_TABLES },
  { version: 3, statements: V3_STATEMENTS },
  { version: 4, statements: V4_STATEMENTS },
  { version: 5, statements: V5_STATEMENTS },
];

/** How a dialect keeps its schema: its steps, and how it records and locks them. */
export interface SchemaHistory {
  readonly migrations: readonly Migration[];
  /** Creates the table of applied versions if missing. */
  readonly createVersionsTable: string;
  /**
   * Taken at the start of a migration, so two processes opening a new store at once do not both
   * migrate it; released with the transaction. None where the backend has no such lock.
   */
  readonly lock?: string;
  /**
   * Whether a step's statement failed only because an earlier, cut-short run of the same step
   * applied it already (CrateDB has no transactional DDL, nor `ADD COLUMN IF NOT EXISTS`): the
   * migration then goes on. None where a step is one transaction.
   */
  readonly appliedAlready?: (error: unknown) => boolean;
}

/** PostgreSQL's: a transaction-scoped advisory lock per schema. */
export const postgresSchemaHistory: SchemaHistory = {
  migrations: postgresMigrations,
  createVersionsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`,
  // Keyed by the search path: the schema may not exist yet (it is created under this lock).
  lock: `SELECT pg_advisory_xact_lock(hashtext('metre migrate ' || current_setting('search_path')))`,
};

/** The schema versions before and after a migration, and the one this code expects. */
export interface SchemaVersions {
  readonly before: number;
  readonly after: number;
  readonly latest: number;
}

/**
 * Brings the store's schema up to date: under the migration lock, applies every step newer than
 * the store's version, all in one transaction where the backend has them. A read-only store is only
 * checked. A store newer than this code is refused with METRE_STORE_SCHEMA_TOO_NEW. `prepare`
 * runs first, under the lock (e.g. `CREATE SCHEMA IF NOT EXISTS`).
 *
 * @example await migrate(client, postgresSchemaHistory, { readOnly: false, store: 'postgres://db/metre' })
 */
export async function migrate(
  client: SqlClient,
  history: SchemaHistory,
  options: { readOnly: boolean; store: string; prepare?: readonly string[] },
): Promise<SchemaVersions> {
  const latest = history.migrations.at(-1)?.version ?? 0;
  const run = async (session: SqlSession): Promise<SchemaVersions> => {
    if (!options.readOnly) {
      if (history.lock !== undefined) await session.query(history.lock);
      for (const statement of options.prepare ?? []) await session.query(statement);
      await session.query(history.createVersionsTable);
    }
    const before = await schemaVersion(session, options.readOnly);
    if (before > latest) throw tooNew(options.store, before, latest);
    const pending = history.migrations.filter((step) => step.version > before);
    if (pending.length > 0 && options.readOnly) throw needsMigration(options.store, before, latest);
    for (const step of pending) await apply(session, step, history.appliedAlready);
    return { before, after: Math.max(before, latest), latest };
  };
  return client.transaction ? client.transaction(run) : run(client);
}

/** The version recorded in the store; 0 for a new (or, read-only, never migrated) store. */
export async function schemaVersion(session: SqlSession, readOnly = false): Promise<number> {
  if (readOnly && !(await hasVersionsTable(session))) return 0;
  const { rows } = await session.query(
    'SELECT CAST(coalesce(max(version), 0) AS INTEGER) AS v FROM schema_migrations',
  );
  return Number(rows[0]?.v ?? 0);
}

async function hasVersionsTable(session: SqlSession): Promise<boolean> {
  const { rows } = await session.query(
    `SELECT count(*) AS n FROM information_schema.tables
      WHERE table_name = $1 AND table_schema = current_schema()`,
    ['schema_migrations'],
  );
  return Number(rows[0]?.n) > 0;
}

async function apply(
  session: SqlSession,
  step: Migration,
  appliedAlready: (error: unknown) => boolean = () => false,
): Promise<void> {
  for (const statement of step.statements) {
    await session.query(statement).catch((error: unknown) => {
      if (!appliedAlready(error)) throw error;
    });
  }
  await session.query('INSERT INTO schema_migrations (version) VALUES ($1)', [step.version]);
}

function tooNew(store: string, version: number, latest: number): MetreError {
  return new MetreError(
    'METRE_STORE_SCHEMA_TOO_NEW',
    `The store ${store} has schema version ${version}, newer than the ${latest} this metre ` +
      'knows; upgrade metre to use it',
  );
}

function needsMigration(store: string, version: number, latest: number): MetreError {
  return new MetreError(
    'METRE_STORE_FAILED',
    `The store ${store} has schema version ${version} and needs migrating to ${latest}; ` +
      'run `metre db migrate` or open it once without read-only',
  );
}
