import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlSession } from '../postgres/index.js';
import { typeParsers } from '../postgres/index.js';

type Queryable = Pick<PGliteInterface | Transaction, 'query'>;

/**
 * A `SqlClient` over a PGlite database: one in-process PostgreSQL session, so calls queue behind
 * each other and a transaction holds the database until it ends. COPY reads from a Blob
 * (`/dev/blob`), PGlite's stand-in for STDIN. `owned`: closing the client closes the database.
 *
 * @example const client = pgliteClient(await PGlite.create(), true)
 */
export function pgliteClient(db: PGliteInterface, owned: boolean): SqlClient {
  return {
    ...session(db),
    transaction: (body) => db.transaction((tx) => body(session(tx))),
    close: async () => {
      if (owned && !db.closed) await db.close();
    },
  };
}

function session(db: Queryable): SqlSession {
  return {
    async query(sql, params = []) {
      const result = await db.query<Record<string, unknown>>(sql, [...params], {
        parsers: typeParsers,
      });
      return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? 0 };
    },
    async copyFrom(table, columns, lines) {
      const sql = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`;
      await db.query(sql, [], { blob: new Blob([...lines]) });
    },
  };
}
