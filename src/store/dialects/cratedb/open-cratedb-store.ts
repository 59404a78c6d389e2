import {
  createPgClient,
  migrate,
  PgFamilyStore,
  quoteIdentifier,
  toPgStoreError,
  type PgFamilyDialect,
  type SqlClient,
} from '../postgres/index.js';
import { cratedbClient } from './cratedb-client.js';
import { cratedbDialect, refreshTables } from './dialect.js';
import { CRATEDB_TABLES, type CratedbTableOptions } from './schema.js';

/** A CrateDB cluster to open a store on, as `parseStoreUrl` reads a `crate://` URL. */
export interface CratedbConnection extends CratedbTableOptions {
  /** A `postgres://` URL to CrateDB's PostgreSQL port, as `pg` reads it. */
  readonly url: string;
  /** The schema holding metre's tables (CrateDB creates it with its first table), or null. */
  readonly schema: string | null;
  /** The store as messages name it: its URL with the password masked. */
  readonly name: string;
}

/**
 * Opens a store on a CrateDB cluster through the `pg` driver (CrateDB speaks PostgreSQL's wire
 * protocol, without COPY FROM STDIN or transactions) and brings its schema up to date. CrateDB
 * works in UTC whatever the session says, so connections only set the schema. A cluster that
 * refuses the connection fails with METRE_STORE_UNAVAILABLE naming the store, password masked.
 *
 * @example
 * const store = await openCratedbStore({
 *   url: 'postgres://crate@db:5432/metre', schema: 'metre', name: 'crate://crate@db:5432/metre',
 *   shards: 6, replicas: '1',
 * });
 */
export async function openCratedbStore(
  connection: CratedbConnection,
  options: { readonly readOnly?: boolean } = {},
): Promise<PgFamilyStore> {
  let client: SqlClient | undefined;
  try {
    client = await createPgClient({
      connectionString: connection.url,
      setup: sessionSetup(connection.schema),
      copy: false,
      transactions: false,
    });
    return await cratedbStore(client, {
      name: connection.name,
      dialect: cratedbDialect(connection),
      readOnly: options.readOnly === true,
    });
  } catch (error) {
    await client?.close().catch(() => undefined);
    throw toPgStoreError(error, connection.name);
  }
}

/** What every new connection runs first: only the schema, since CrateDB works in UTC anyway. */
function sessionSetup(schema: string | null): string[] {
  return schema === null ? [] : [`SET search_path TO ${quoteIdentifier(schema)}`];
}

/** Options of `cratedbStore`. */
export interface CratedbStoreOptions {
  /** How messages name the store. */
  readonly name: string;
  readonly dialect: PgFamilyDialect;
  /** Only check the schema's version, write nothing. */
  readonly readOnly?: boolean;
}

/**
 * The CrateDB store over any driver speaking to it (a `pg` pool; in tests, a client that records
 * statements instead of sending them): the schema brought up to date, then the store. Closing the
 * store closes the client.
 *
 * @example const store = await cratedbStore(client, { name: 'crate://db', dialect: cratedbDialect() })
 */
export async function cratedbStore(
  driver: SqlClient,
  options: CratedbStoreOptions,
): Promise<PgFamilyStore> {
  const client = cratedbClient(driver);
  const { dialect, name } = options;
  if (options.readOnly === true) {
    await migrate(client, dialect.schema, { readOnly: true, store: name });
  } else {
    await bringUpToDate(client, dialect, name);
  }
  return new PgFamilyStore({ client, dialect, name });
}

/** SQLSTATE of a duplicate primary key: another process recorded the same schema version. */
const DUPLICATE_KEY = '23505';

/**
 * CrateDB has no lock to migrate under: two processes opening a new store at once may both apply
 * a step (each statement can run again) and one then fails to record the version the other
 * recorded. It reads the versions again (after a refresh, so it sees the other's) and finds
 * nothing left to do.
 */
async function bringUpToDate(client: SqlClient, dialect: PgFamilyDialect, name: string) {
  const refresh = (tables: readonly string[]) =>
    Promise.all(refreshTables(tables).map((statement) => client.query(statement)));
  await client.query(dialect.schema.createVersionsTable);
  for (let attempt = 1; ; attempt++) {
    await refresh(['schema_migrations']);
    try {
      await migrate(client, dialect.schema, { readOnly: false, store: name });
      break;
    } catch (error) {
      if (attempt > 1 || (error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
    }
  }
  await refresh(CRATEDB_TABLES);
}
