import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import type { from as copyFromType } from 'pg-copy-streams';
import type { Param, SqlClient, SqlResult, SqlSession } from './sql-client.js';
import { typeParsers } from './type-parsers.js';

/** How to reach a server speaking the PostgreSQL wire protocol (PostgreSQL, CrateDB). */
export interface PgClientOptions {
  /** A `postgres://` URL as `pg` reads it. */
  readonly connectionString: string;
  /** Statements run on every new connection before anything else, e.g. `SET TIME ZONE 'UTC'`. */
  readonly setup: readonly string[];
  /** Connections in the pool (default 8). */
  readonly max?: number;
  /** Whether the server has COPY … FROM STDIN (CrateDB has not). Default true. */
  readonly copy?: boolean;
  /** Whether the server has transactions (CrateDB ignores BEGIN and COMMIT). Default true. */
  readonly transactions?: boolean;
}

/** How long to wait for a connection before calling the server unavailable. */
const CONNECT_TIMEOUT_MS = 10_000;

type CopyFrom = typeof copyFromType;
type DatabaseErrorClass = abstract new (...args: never[]) => Error;

/**
 * A `SqlClient` over a `pg` pool. The driver (and pg-copy-streams) is imported only now, so a
 * DuckDB or PGlite store never loads it. Each connection runs `setup` once; one that fails (the
 * server went away) leaves the pool, and the next call reconnects.
 *
 * @example const client = await createPgClient({ connectionString: url, setup: ["SET TIME ZONE 'UTC'"] })
 */
export async function createPgClient(options: PgClientOptions): Promise<SqlClient> {
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    application_name: 'metre',
    max: options.max ?? 8,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        format !== 'binary' && typeParsers[oid] !== undefined
          ? typeParsers[oid]
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server closes emits here, and the pool drops it; without a listener
  // the event would end the process.
  pool.on('error', () => undefined);
  const client = new PgClient(pool, options, copyFrom, pg.DatabaseError);
  return {
    query: (sql, params) => client.query(sql, params),
    ...(options.transactions === false ? {} : { transaction: (body) => client.transaction(body) }),
    ...(options.copy === false ? {} : { copyFrom: (...args) => client.copyFrom(...args) }),
    close: () => pool.end(),
  };
}

/** The pool's connections as sessions: prepared once, released (or dropped, if broken) after use. */
class PgClient {
  readonly #pool: Pool;
  readonly #options: PgClientOptions;
  readonly #copyFrom: CopyFrom;
  readonly #databaseError: DatabaseErrorClass;
  readonly #prepared = new WeakSet<PoolClient>();

  constructor(pool: Pool, options: PgClientOptions, copyFrom: CopyFrom, error: DatabaseErrorClass) {
    this.#pool = pool;
    this.#options = options;
    this.#copyFrom = copyFrom;
    this.#databaseError = error;
  }

  query(sql: string, params?: readonly Param[]): Promise<SqlResult> {
    return this.#with((connection) => run(connection, sql, params));
  }

  copyFrom(table: string, columns: readonly string[], lines: Iterable<string>): Promise<void> {
    return this.#with((connection) => this.#session(connection).copyFrom!(table, columns, lines));
  }

  async transaction<T>(body: (session: SqlSession) => Promise<T>): Promise<T> {
    const connection = await this.#acquire();
    try {
      await connection.query('BEGIN');
      const result = await body(this.#session(connection));
      await connection.query('COMMIT');
      connection.release();
      return result;
    } catch (error) {
      // A connection that cannot even roll back is gone (the server went away); the server rolls
      // back a transaction whose connection closed, so nothing half-written remains either way.
      const rolledBack = await connection.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      connection.release(rolledBack ? undefined : asError(error));
      throw error;
    }
  }

  #session(connection: PoolClient): SqlSession {
    const session: SqlSession = { query: (sql, params) => run(connection, sql, params) };
    if (this.#options.copy === false) return session;
    return {
      ...session,
      copyFrom: async (table, columns, lines) => {
        const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
        await pipeline(Readable.from(lines), connection.query(this.#copyFrom(sql)));
      },
    };
  }

  async #with<T>(body: (connection: PoolClient) => Promise<T>): Promise<T> {
    const connection = await this.#acquire();
    try {
      const result = await body(connection);
      connection.release();
      return result;
    } catch (error) {
      connection.release(this.#isStatementError(error) ? undefined : asError(error));
      throw error;
    }
  }

  async #acquire(): Promise<PoolClient> {
    const connection = await this.#pool.connect();
    if (this.#prepared.has(connection)) return connection;
    // A connection that fails while checked out emits an error besides failing its query; the
    // query's rejection is what the caller sees.
    connection.on('error', () => undefined);
    try {
      for (const statement of this.#options.setup) await connection.query(statement);
      this.#prepared.add(connection);
      return connection;
    } catch (error) {
      connection.release(asError(error));
      throw error;
    }
  }

  /**
   * Whether a failure left the connection usable: a statement the server refused, unless it
   * refused it because it is shutting down (57P…) or the connection failed (08…).
   */
  #isStatementError(error: unknown): boolean {
    if (!(error instanceof this.#databaseError)) return false;
    return !/^(08|57P)/.test((error as Error & { code?: string }).code ?? '');
  }
}

async function run(
  connection: PoolClient,
  sql: string,
  params: readonly Param[] = [],
): Promise<SqlResult> {
  const result = await connection.query(sql, params as unknown[]);
  return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
