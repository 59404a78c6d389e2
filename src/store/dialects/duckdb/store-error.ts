import { MetreError } from '../../../errors/index.js';

// DuckDB's wording when another process holds the file, e.g.
// IO Error: Could not set lock on file "/x.duckdb": Conflicting lock is held in /usr/bin/node (PID 42)
const LOCK_CONFLICT =
  /Could not set lock on file "(.*?)": Conflicting lock is held in (.*?) \(PID (\d+)\)/;
const DISK_FULL = /No space left on device|disk is full/i;

/**
 * Maps a DuckDB failure to the error catalogue, so a user sees the same codes whatever the backend:
 * a lock held by another process, a full disk, or any other store failure with its cause attached.
 *
 * @example throw toStoreError(error, '/data/metre.duckdb')
 */
export function toStoreError(error: unknown, file: string): MetreError {
  if (error instanceof MetreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const lock = LOCK_CONFLICT.exec(message);
  if (lock) return lockedError(lock[1] ?? file, lock[2] ?? 'another program', lock[3], error);
  if (DISK_FULL.test(message)) {
    return new MetreError('METRE_DISK_FULL', `No space left on the device of ${file}: ${message}`, {
      cause: error,
    });
  }
  return new MetreError('METRE_STORE_FAILED', `Store ${file}: ${message}`, { cause: error });
}

function lockedError(file: string, program: string, pid: string | undefined, cause: unknown) {
  return new MetreError(
    'METRE_STORE_LOCKED',
    `The store ${file} is locked by ${program} (PID ${pid}); stop that process or use another store`,
    { cause },
  );
}
