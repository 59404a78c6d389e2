/**
 * The seam between the PostgreSQL-family store and a driver: a handful of calls every wire driver
 * (`pg` for PostgreSQL and CrateDB, PGlite in-process) can offer. The store's SQL, schema and
 * bulk paths are written once against it; a driver adapter is a few dozen lines.
 */

/** A row as the adapters return it: INT8/NUMERIC as numbers, TIMESTAMPTZ as Dates, arrays as arrays. */
export type Row = Record<string, unknown>;

/** A value the adapters send: they bind arrays as SQL arrays and Dates as timestamps. */
export type Param =
  string | number | boolean | null | readonly (string | number | boolean | null)[];

/** What a statement returned. */
export interface SqlResult {
  readonly rows: Row[];
  /** Rows the statement changed (or returned, for a SELECT). */
  readonly rowCount: number;
}

/** One connection's worth of calls: what a transaction body (or a single call) gets. */
export interface SqlSession {
  /** Runs one statement with `$n` parameters. */
  query(sql: string, params?: readonly Param[]): Promise<SqlResult>;
  /**
   * Streams rows in COPY's text format (tab-separated, `\N` for NULL, one row a line) into
   * `table`'s `columns`. Absent where the backend has no COPY (CrateDB): bulk writes then use
   * `INSERT … SELECT * FROM unnest(…)`.
   */
  copyFrom?(table: string, columns: readonly string[], lines: Iterable<string>): Promise<void>;
}

/** A driver behind the PostgreSQL-family store. */
export interface SqlClient extends SqlSession {
  /**
   * Runs `body` on one connection between BEGIN and COMMIT, rolling back if it throws. Absent when
   * the backend has no transactions (CrateDB): the store then relies on writing its progress
   * markers after the data they cover, and on idempotent upserts.
   */
  transaction?<T>(body: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Releases every connection; waits for calls under way. */
  close(): Promise<void>;
}
