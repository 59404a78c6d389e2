import type { SqlFragments, StoreCapabilities } from '../../port.js';
import { copyWriter, unnestWriter, type BulkWriter } from './bulk.js';
import { postgresFragments } from './fragments.js';
import { postgresSchemaHistory, type SchemaHistory } from './schema.js';
import { postgresStatements, type PgStatements } from './sql.js';

/**
 * What a PostgreSQL-family backend can do (the port's flags, see `StoreCapabilities`); the core
 * branches on these, never on its name. Its bulk rows go through COPY or `unnest`.
 */
export interface PgFamilyCapabilities extends StoreCapabilities {
  readonly bulkMethod: BulkWriter['method'];
}

/**
 * Everything that differs between the backends sharing the PostgreSQL wire protocol and SQL: a
 * dialect is this record, the driver behind it is a `SqlClient`. CrateDB (`../cratedb`) is
 * `{ ...postgresDialect, schema: its DDL, bulk: unnest in bounded batches, statements: the few
 * it cannot run rewritten, refresh: REFRESH TABLE, capabilities: no transactions, approximate
 * percentiles }` over the same `pg` client.
 */
export interface PgFamilyDialect {
  readonly name: string;
  readonly capabilities: PgFamilyCapabilities;
  readonly fragments: SqlFragments;
  readonly statements: PgStatements;
  readonly schema: SchemaHistory;
  readonly bulk: BulkWriter;
  /** Statements that make the rows just written to `tables` visible to reads; none if not needed. */
  readonly refresh?: (tables: readonly string[]) => readonly string[];
}

/** PostgreSQL over `pg`: transactions, COPY, exact percentiles. */
export const postgresDialect: PgFamilyDialect = {
  name: 'postgres',
  capabilities: {
    transactions: true,
    refreshAfterWrite: false,
    bulkMethod: copyWriter.method,
    percentile: 'exact',
  },
  fragments: postgresFragments,
  statements: postgresStatements,
  schema: postgresSchemaHistory,
  bulk: copyWriter,
};

/**
 * A dialect like `base` writing bulk rows with another method (e.g. `unnest` to compare it with
 * COPY on the same server).
 *
 * @example withBulk(postgresDialect, unnestWriter)
 */
export function withBulk(base: PgFamilyDialect, bulk: BulkWriter): PgFamilyDialect {
  return { ...base, bulk, capabilities: { ...base.capabilities, bulkMethod: bulk.method } };
}

export { copyWriter, unnestWriter };
