import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from './driver.js';
import type { TableLayout } from './tables.js';

const { DuckDBDataChunk } = duckdb;

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

/** Appends items to one table, a data chunk (column vectors) at a time. */
export type AppendRows<T> = (items: readonly T[]) => void;

/**
 * Opens an appender on the layout's table, lets `fill` append any number of batches, then flushes.
 * Bulk rows go through the appender's data chunks rather than INSERTs: it is DuckDB's fast path,
 * and inside the caller's transaction the rows still commit or roll back with everything else.
 *
 * @example await withAppender(connection, commitsLayout, repoId, async (append) => append(commits))
 */
export async function withAppender<T>(
  connection: DuckDBConnection,
  layout: TableLayout<T>,
  repoId: string,
  fill: (append: AppendRows<T>) => Promise<void>,
): Promise<void> {
  const appender = await connection.createAppender(layout.table);
  try {
    await fill((items) => appendChunks(appender, layout, repoId, items));
    appender.closeSync();
  } catch (error) {
    discard(appender);
    throw error;
  }
}

function appendChunks<T>(
  appender: DuckDBAppender,
  layout: TableLayout<T>,
  repoId: string,
  items: readonly T[],
): void {
  for (let start = 0; start < items.length; start += CHUNK_ROWS) {
    const slice = items.slice(start, start + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create(layout.types, slice.length);
    chunk.setColumns(layout.columns(repoId, slice));
    appender.appendDataChunk(chunk);
  }
}

/** Drops what the appender still buffers; the transaction's rollback removes what it flushed. */
function discard(appender: DuckDBAppender): void {
  try {
    appender.clear();
    appender.closeSync();
  } catch {
    // The first error is the one worth reporting.
  }
}
