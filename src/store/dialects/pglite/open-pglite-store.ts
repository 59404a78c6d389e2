import { mkdir } from 'node:fs/promises';
import type { PGliteInterface } from '@electric-sql/pglite';
import { MetreError } from '../../../errors/index.js';
import {
  migrate,
  PgFamilyStore,
  postgresDialect,
  toPgStoreError,
  type PgFamilyDialect,
} from '../postgres/index.js';
import { pgliteClient } from './pglite-client.js';

/** PostgreSQL's dialect as it is, in-process. */
export const pgliteDialect: PgFamilyDialect = { ...postgresDialect, name: 'pglite' };

// PGlite does not lock its directory: a second instance on it in this process would corrupt it.
const openDirs = new Set<string>();

/**
 * Opens (creating it and its parents if needed) a PGlite store in `dir`, or in memory when `dir` is null, and
 * brings its schema up to date. `dir` must be absolute, as `openStore` resolves it.
 *
 * @example const store = await openPgliteStore('/data/metre.pglite')
 */
export async function openPgliteStore(
  dir: string | null,
  options: { readOnly?: boolean } = {},
): Promise<PgFamilyStore> {
  const name = `pglite:${dir ?? 'memory'}`;
  claim(dir, name);
  const release = () => dir !== null && openDirs.delete(dir);
  try {
    if (dir !== null && options.readOnly !== true) await mkdir(dir, { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dir ?? undefined);
    return await pgliteStore(db, {
      name,
      owned: true,
      readOnly: options.readOnly,
      onClose: release,
    });
  } catch (error) {
    release();
    throw toPgStoreError(error, name);
  }
}

/** Options of `pgliteStore`. */
export interface PgliteStoreOptions {
  /** How messages name the store. */
  readonly name: string;
  /** Whether closing the store closes the database. */
  readonly owned: boolean;
  readonly readOnly?: boolean | undefined;
  readonly onClose?: () => void;
  /** Another dialect over PGlite (default: `pgliteDialect`), e.g. one with the unnest bulk path. */
  readonly dialect?: PgFamilyDialect;
}

/**
 * A store over a PGlite database opened elsewhere (e.g. one shared by several stores in a test).
 *
 * @example const store = await pgliteStore(await PGlite.create(), { name: 'pglite:memory', owned: true })
 */
export async function pgliteStore(
  db: PGliteInterface,
  options: PgliteStoreOptions,
): Promise<PgFamilyStore> {
  const client = pgliteClient(db, options.owned);
  try {
    await client.query("SET TIME ZONE 'UTC'");
    const readOnly = options.readOnly === true;
    if (readOnly) await client.query('SET default_transaction_read_only = on');
    const dialect = options.dialect ?? pgliteDialect;
    await migrate(client, dialect.schema, { readOnly, store: options.name });
    const parts = { client, dialect, name: options.name };
    return new PgFamilyStore(options.onClose ? { ...parts, onClose: options.onClose } : parts);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw toPgStoreError(error, options.name);
  }
}

function claim(dir: string | null, name: string): void {
  if (dir === null) return;
  if (openDirs.has(dir)) {
    throw new MetreError(
      'METRE_STORE_LOCKED',
      `The store ${name} is already open in this process (PID ${process.pid}); share that store`,
    );
  }
  openDirs.add(dir);
}
