import { postgresDialect, type PgFamilyDialect } from './dialect.js';
import { createPgClient } from './pg-client.js';
import { PgFamilyStore } from './pg-family-store.js';
import { migrate } from './schema.js';
import type { SqlClient } from './sql-client.js';
import { toPgStoreError } from './store-error.js';

/** A PostgreSQL server to open a store on. */
export interface PostgresConnection {
  /** The `postgres://` URL as `pg` reads it. */
  readonly url: string;
  /** The schema holding metre's tables (created if missing), or null for the server's default. */
  readonly schema: string | null;
  /** The store as messages name it: its URL with the password masked. */
  readonly name: string;
}

/** Options of `openPostgresStore`. */
export interface OpenPostgresOptions {
  /** Open without writing: no migrations, every transaction read-only. */
  readonly readOnly?: boolean;
  /** Another dialect of the family over the same driver (default: PostgreSQL's). */
  readonly dialect?: PgFamilyDialect;
}

/**
 * Opens a store on a PostgreSQL server and brings its schema up to date. Every connection of its
 * pool works in UTC (`date_trunc` cuts days the same on every backend) and, with a schema, in that
 * schema only. A server that refuses the connection or the credentials fails with
 * METRE_STORE_UNAVAILABLE naming the store with its password masked.
 *
 * @example const store = await openPostgresStore({ url, schema: 'metre', name: maskStoreUrl(url) })
 */
export async function openPostgresStore(
  connection: PostgresConnection,
  options: OpenPostgresOptions = {},
): Promise<PgFamilyStore> {
  const readOnly = options.readOnly === true;
  const dialect = options.dialect ?? postgresDialect;
  let client: SqlClient | undefined;
  try {
    client = await createPgClient({
      connectionString: connection.url,
      setup: sessionSetup(connection.schema, readOnly),
      copy: dialect.bulk.method === 'copy',
      transactions: dialect.capabilities.transactions,
    });
    const prepare = connection.schema === null || readOnly ? [] : [createSchema(connection.schema)];
    await migrate(client, dialect.schema, { readOnly, store: connection.name, prepare });
    return new PgFamilyStore({ client, dialect, name: connection.name });
  } catch (error) {
    await client?.close().catch(() => undefined);
    throw toPgStoreError(error, connection.name);
  }
}

/** What every new connection runs first. */
function sessionSetup(schema: string | null, readOnly: boolean): string[] {
  const setup = ["SET TIME ZONE 'UTC'"];
  if (schema !== null) setup.push(`SET search_path TO ${quoteIdentifier(schema)}`);
  if (readOnly) setup.push('SET default_transaction_read_only = on');
  return setup;
}

function createSchema(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`;
}

/** A double-quoted identifier; `parseStoreUrl` only lets plain names through, this is a backstop. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
