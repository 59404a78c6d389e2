import { resolve } from 'node:path';
import { MetreError } from '../errors/index.js';
import { maskStoreUrl } from './mask-url.js';
import type { Store } from './port.js';

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** Open without writing: no migrations, no directory creation; other readers may share it. */
  readonly readOnly?: boolean;
}

/** A store URL taken apart. */
export type StoreTarget = DuckDBTarget | PostgresTarget | PgliteTarget | CratedbTarget;

export interface DuckDBTarget {
  readonly dialect: 'duckdb';
  /** An absolute file path, or `:memory:`. */
  readonly file: string;
}

export interface PostgresTarget {
  readonly dialect: 'postgres';
  /** The URL as the driver reads it (metre's own `schema` parameter taken out). */
  readonly url: string;
  /** The schema of metre's tables (`?schema=`), created if missing; null for the default. */
  readonly schema: string | null;
  /** The URL with its password masked, for messages. */
  readonly name: string;
}

export interface PgliteTarget {
  readonly dialect: 'pglite';
  /** An absolute directory, or null for an in-memory database. */
  readonly dir: string | null;
}

export interface CratedbTarget {
  readonly dialect: 'cratedb';
  /** A `postgres://` URL to CrateDB's PostgreSQL port (default 5432, user `crate`), as `pg` reads it. */
  readonly url: string;
  /** The schema of metre's tables (the URL's path), created with them; null for CrateDB's `doc`. */
  readonly schema: string | null;
  /** Shards of each table that grows with the data (`?shards=`); null for CrateDB's default. */
  readonly shards: number | null;
  /** `number_of_replicas` of every table (`?replicas=`, e.g. `1` or `0-1`); null for CrateDB's. */
  readonly replicas: string | null;
  /** The URL with its password masked, for messages. */
  readonly name: string;
}

const CRATEDB_USAGE = 'crate://user:password@host:port[/schema][?shards=n&replicas=n]';
const SUPPORTED =
  'duckdb:<file path>, duckdb::memory:, postgres://user:password@host:port/database' +
  `[?schema=name] (or postgresql://), pglite:<directory>, pglite:memory, ${CRATEDB_USAGE}`;

/**
 * Opens the store a URL names: `duckdb:<file path>` (created with its directory if needed),
 * `duckdb::memory:`, `postgres://…` (or `postgresql://…`, with `?schema=name` to keep metre's
 * tables in their own schema), `pglite:<directory>`, `pglite:memory`, or `crate://…` (CrateDB's
 * PostgreSQL port, the path naming the schema, `?shards=n&replicas=n` shaping new tables). The
 * schema is brought up to date on open. The dialect's driver is imported only now, so it loads
 * only when used.
 *
 * @example const store = await openStore('duckdb:/var/lib/metre/metre.duckdb')
 * @example const store = await openStore('postgres://metre:secret@db:5432/metre?schema=metre')
 * @example const store = await openStore('crate://crate@db:5432/metre?shards=6&replicas=1')
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  return (await openTarget(parseStoreUrl(url), options)).store;
}

async function openTarget(
  target: StoreTarget,
  options: OpenStoreOptions,
): Promise<{ store: Store; latest: number }> {
  switch (target.dialect) {
    case 'duckdb': {
      const { openDuckDBStore, latestVersion } = await import('./dialects/duckdb/index.js');
      return { store: await openDuckDBStore(target.file, options), latest: latestVersion };
    }
    case 'postgres': {
      const { openPostgresStore, latestVersion } = await import('./dialects/postgres/index.js');
      return { store: await openPostgresStore(target, options), latest: latestVersion };
    }
    case 'pglite': {
      const { openPgliteStore, latestVersion } = await import('./dialects/pglite/index.js');
      return { store: await openPgliteStore(target.dir, options), latest: latestVersion };
    }
    case 'cratedb': {
      const { openCratedbStore, latestVersion } = await import('./dialects/cratedb/index.js');
      return { store: await openCratedbStore(target, options), latest: latestVersion };
    }
  }
}

/** A store's schema after `migrateStore`. */
export interface SchemaReport {
  /** The store's URL, password masked. */
  readonly store: string;
  /** The store's schema version now. */
  readonly version: number;
  /** The version this metre expects (equal to `version` after a migration). */
  readonly latest: number;
  /** Every version recorded in the store, with when it was applied. */
  readonly applied: readonly { readonly version: number; readonly appliedAt: Date | null }[];
}

/** The stores' own read, which both dialect classes offer (not part of the port). */
interface SchemaReader {
  readRows(query: string): Promise<Record<string, unknown>[]>;
}

/**
 * Brings a store's schema up to date (what opening it does) and reports its versions: what
 * `metre db migrate` prints.
 *
 * @example const { version, latest } = await migrateStore('postgres://metre@db/metre')
 */
export async function migrateStore(url: string): Promise<SchemaReport> {
  const target = parseStoreUrl(url);
  const { store, latest } = await openTarget(target, {});
  try {
    const rows = await (store as Store & SchemaReader).readRows(
      'SELECT version, applied_at FROM schema_migrations ORDER BY version',
    );
    const applied = rows.map((row) => ({
      version: Number(row.version),
      appliedAt: row.applied_at instanceof Date ? row.applied_at : null,
    }));
    const version = Math.max(0, ...applied.map((step) => step.version));
    return { store: storeName(target), version, latest, applied };
  } finally {
    await store.close();
  }
}

/** How messages name a store: its URL, password masked. */
export function storeName(target: StoreTarget): string {
  if (target.dialect === 'duckdb') return `duckdb:${target.file}`;
  if (target.dialect === 'pglite') return `pglite:${target.dir ?? 'memory'}`;
  return target.name;
}

/**
 * Reads a store URL; relative file paths resolve against the working directory. Errors name the
 * scheme only, never the whole URL, which may carry a password.
 *
 * @example parseStoreUrl('duckdb:metre.duckdb') // { dialect: 'duckdb', file: '/cwd/metre.duckdb' }
 * @example parseStoreUrl('pglite:memory') // { dialect: 'pglite', dir: null }
 * @example parseStoreUrl('crate://db/metre?shards=6') // { dialect: 'cratedb', schema: 'metre', shards: 6, … }
 */
export function parseStoreUrl(url: string): StoreTarget {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  const rest = url.slice(scheme?.length ?? 0);
  if (scheme === 'duckdb:') return parseDuckDB(rest);
  if (scheme === 'pglite:') return parsePglite(rest);
  if (scheme === 'postgres:' || scheme === 'postgresql:') return parsePostgres(url);
  if (scheme === 'crate:') return parseCratedb(url);
  throw unsupported(scheme);
}

function parseDuckDB(path: string): DuckDBTarget {
  if (path === ':memory:') return { dialect: 'duckdb', file: ':memory:' };
  if (path === '' || path.startsWith('//')) {
    throw invalid(
      'A duckdb store URL is duckdb:<file path> (e.g. duckdb:/data/metre.duckdb) or duckdb::memory:',
    );
  }
  return { dialect: 'duckdb', file: resolve(path) };
}

function parsePglite(path: string): PgliteTarget {
  if (path === 'memory') return { dialect: 'pglite', dir: null };
  if (path === '' || path.startsWith('//')) {
    throw invalid(
      'A pglite store URL is pglite:<directory> (e.g. pglite:/data/metre.pglite) or pglite:memory',
    );
  }
  return { dialect: 'pglite', dir: resolve(path) };
}

/** A schema name metre accepts: a plain, unquoted PostgreSQL identifier. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function parsePostgres(url: string): PostgresTarget {
  const usage = 'A postgres store URL is postgres://user:password@host:port/database[?schema=name]';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(usage);
  }
  const schema = parsed.searchParams.get('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw invalid(`${usage}; a schema name is lower-case letters, digits and _, e.g. metre`);
  }
  if (schema !== null) parsed.searchParams.delete('schema');
  return {
    dialect: 'postgres',
    url: schema === null ? url : parsed.toString(),
    schema,
    name: maskStoreUrl(url),
  };
}

/** CrateDB's defaults where a `crate://` URL leaves them out. */
const CRATEDB_PORT = '5432';
const CRATEDB_USER = 'crate';
const SHARDS = /^[1-9][0-9]{0,3}$/;
const REPLICAS = /^[0-9]{1,3}(-([0-9]{1,3}|all))?$/;

// The configuration of a CrateDB store is its URL: nothing else reads it.
function parseCratedb(url: string): CratedbTarget {
  const usage = `A cratedb store URL is ${CRATEDB_USAGE}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(usage);
  }
  if (parsed.hostname === '') throw invalid(usage);
  const path = parsed.pathname.replace(/^\//, '');
  const schema = path === '' ? null : path;
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw invalid(`${usage}; a schema name is lower-case letters, digits and _, e.g. metre`);
  }
  const params = parsed.searchParams;
  const shards = params.get('shards');
  if (shards !== null && !SHARDS.test(shards)) {
    throw invalid(`${usage}; shards is a number of shards from 1 to 9999`);
  }
  const replicas = params.get('replicas');
  if (replicas !== null && !REPLICAS.test(replicas)) {
    throw invalid(`${usage}; replicas is a number of replicas or a range, e.g. 1, 0-1 or 0-all`);
  }
  params.delete('shards');
  params.delete('replicas');
  const user = parsed.username === '' ? CRATEDB_USER : parsed.username;
  const password = parsed.password === '' ? '' : `:${parsed.password}`;
  const port = parsed.port === '' ? CRATEDB_PORT : parsed.port;
  const rest = params.toString();
  const query = rest === '' ? '' : `?${rest}`;
  return {
    dialect: 'cratedb',
    url: `postgres://${user}${password}@${parsed.hostname}:${port}/${schema ?? 'doc'}${query}`,
    schema,
    shards: shards === null ? null : Number(shards),
    replicas,
    name: maskStoreUrl(url),
  };
}

function invalid(message: string): MetreError {
  return new MetreError('METRE_STORE_URL_INVALID', message);
}

function unsupported(scheme: string | undefined): MetreError {
  const supported = `Supported store URLs: ${SUPPORTED}`;
  if (scheme === undefined) return invalid(`A store URL needs a scheme. ${supported}`);
  return invalid(`Unknown store URL scheme ${scheme}. ${supported}`);
}
