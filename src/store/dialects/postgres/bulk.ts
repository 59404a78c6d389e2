import type { Param, SqlSession } from './sql-client.js';
import type { BulkColumn, BulkTable, Cell } from './tables.js';

/** How a dialect writes many rows at once. */
export interface BulkWriter {
  readonly method: 'copy' | 'unnest';
  /**
   * Inserts one row per item into `table` for the repository, skipping rows whose key is already
   * stored, so a batch written twice (a retried or resumed job) is stored once.
   */
  insert<T>(
    session: SqlSession,
    table: BulkTable<T>,
    repoId: string,
    items: readonly T[],
  ): Promise<void>;
}

/** Rows per `unnest` statement: bounds the size of one statement's parameters. */
const UNNEST_ROWS = 5_000;

/**
 * `INSERT … SELECT … FROM unnest($2::T[], …) ON CONFLICT DO NOTHING`: one array parameter per
 * column, a few statements per batch. Runs on PostgreSQL, PGlite and CrateDB alike.
 *
 * @example await unnestWriter.insert(session, commitsTable, repoId, commits)
 */
export const unnestWriter: BulkWriter = {
  method: 'unnest',
  async insert(session, table, repoId, items) {
    const arrays = table.columns.map((c, i) => `CAST($${i + 2} AS ${c.type}[])`).join(', ');
    const names = table.columns.map((c) => c.name).join(', ');
    const sql = `${insertSelect(table)} FROM unnest(${arrays}) AS u(${names}) ON CONFLICT DO NOTHING`;
    for (let start = 0; start < items.length; start += UNNEST_ROWS) {
      const slice = items.slice(start, start + UNNEST_ROWS);
      const columns = table.columns.map((c) => slice.map((item, i) => c.value(item, start + i)));
      await session.query(sql, [repoId, ...(columns satisfies Param[])]);
    }
  },
};

/**
 * COPY into a session-private staging table, then `INSERT … SELECT … ON CONFLICT DO NOTHING` into
 * the real one: COPY's speed with an upsert's idempotence. Needs the session's `copyFrom`, and a
 * transaction around the call (the staging rows of a failed call must roll back with it).
 *
 * @example await copyWriter.insert(session, fileChangesTable, repoId, rows)
 */
export const copyWriter: BulkWriter = {
  method: 'copy',
  async insert(session, table, repoId, items) {
    if (items.length === 0) return;
    if (session.copyFrom === undefined) throw new Error('This connection cannot COPY');
    const stage = `metre_stage_${table.table}`;
    const definition = table.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    await session.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (${definition})`);
    const names = table.columns.map((c) => c.name);
    await session.copyFrom(stage, names, copyLines(table, items));
    await session.query(`${insertSelect(table)} FROM ${stage} u ON CONFLICT DO NOTHING`, [repoId]);
    await session.query(`TRUNCATE ${stage}`);
  },
};

/** `INSERT INTO t (repo_id, …) SELECT $1, u.…`: the part both paths share. */
function insertSelect<T>(table: BulkTable<T>): string {
  const names = table.columns.map((c) => c.name).join(', ');
  const values = table.columns.map((c) => (c.select ? c.select(`u.${c.name}`) : `u.${c.name}`));
  return `INSERT INTO ${table.table} (repo_id, ${names}) SELECT CAST($1 AS TEXT), ${values.join(', ')}`;
}

/** Lines per chunk handed to the driver: big enough to amortise, small enough to stay flat. */
const COPY_CHUNK = 500;

/** The items as COPY text-format lines, a chunk of lines per string. */
export function* copyLines<T>(table: BulkTable<T>, items: readonly T[]): Generator<string> {
  const columns = table.columns;
  for (let start = 0; start < items.length; start += COPY_CHUNK) {
    let chunk = '';
    const end = Math.min(items.length, start + COPY_CHUNK);
    for (let i = start; i < end; i++) {
      const item = items[i] as T;
      for (let c = 0; c < columns.length; c++) {
        chunk += (c === 0 ? '' : '\t') + copyText((columns[c] as BulkColumn<T>).value(item, i));
      }
      chunk += '\n';
    }
    yield chunk;
  }
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** One cell in COPY's text format: `\N` for NULL, backslash escapes for the separators. */
export function copyText(cell: Cell): string {
  if (cell === null) return '\\N';
  if (typeof cell === 'boolean') return cell ? 't' : 'f';
  if (typeof cell === 'number') return String(cell);
  return SPECIAL.test(cell) ? cell.replace(SPECIALS, (c) => ESCAPES[c] ?? c) : cell;
}
