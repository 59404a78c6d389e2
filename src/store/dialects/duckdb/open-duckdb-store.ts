import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance as Instance } from '@duckdb/node-api';
import { duckdb } from './driver.js';
import { MetreError } from '../../../errors/index.js';
import { DuckDBStore } from './duckdb-store.js';
import { migrate } from './schema.js';
import { toStoreError } from './store-error.js';

const { DuckDBInstance } = duckdb;

/** DuckDB's name for an in-memory database. */
export const MEMORY = ':memory:';

// DuckDB's file lock is per process: a second instance on the same file in this process would be
// let in and the two would corrupt each other, so this process keeps its own list.
const openFiles = new Set<string>();

/**
 * Opens (creating it and its directory if needed) a DuckDB store file, or `:memory:`, and brings
 * its schema up to date. `file` must be an absolute path, as `openStore` resolves it.
 *
 * @example const store = await openDuckDBStore('/data/metre.duckdb', { readOnly: false })
 */
export async function openDuckDBStore(
  file: string,
  options: { readOnly?: boolean } = {},
): Promise<DuckDBStore> {
  const readOnly = options.readOnly === true && file !== MEMORY;
  claim(file);
  try {
    if (file !== MEMORY && !readOnly) await mkdir(dirname(file), { recursive: true });
    const instance = await DuckDBInstance.create(
      file,
      readOnly ? { access_mode: 'READ_ONLY' } : {},
    );
    const connection = await prepare(instance, file, readOnly);
    return new DuckDBStore({ instance, connection, file, onClose: () => openFiles.delete(file) });
  } catch (error) {
    openFiles.delete(file);
    throw toStoreError(error, file);
  }
}

function claim(file: string): void {
  if (file === MEMORY) return;
  if (openFiles.has(file)) {
    throw new MetreError(
      'METRE_STORE_LOCKED',
      `The store ${file} is already open in this process (PID ${process.pid}); share that store`,
    );
  }
  openFiles.add(file);
}

async function prepare(
  instance: Instance,
  file: string,
  readOnly: boolean,
): Promise<DuckDBConnection> {
  const connection = await instance.connect();
  try {
    // date_trunc and friends must cut days in UTC, the same on every backend.
    await connection.run("SET TimeZone = 'UTC'");
    await migrate(connection, { readOnly, file });
    return connection;
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
}
