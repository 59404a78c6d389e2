import type { BulkTable, BulkWriter, Cell, Param } from '../postgres/index.js';

/** CrateDB refuses a statement longer than this many characters. */
export const MAX_STATEMENT_CHARS = 262_144;

/**
 * Bounds on one `unnest` statement's rows and on the characters its parameters carry. The
 * statement text is short (values are bound, never inlined), so CrateDB's limit on it is checked
 * once per table; what grows with a batch is the bound arrays, which CrateDB receives, unnests and
 * indexes as one request held in memory on the node handling it. Keeping each request to a few
 * megabytes bounds that memory and the time one insert holds its shards, whatever the size of the
 * commit messages in it.
 */
export const UNNEST_LIMITS = { rows: 5_000, chars: 4_000_000 } as const;

/**
 * `INSERT INTO t (repo_id, …) SELECT $1, u.… FROM unnest($2::T[], …) AS u(…) ON CONFLICT DO
 * NOTHING` in batches bounded by `UNNEST_LIMITS`: CrateDB's bulk path (it has no COPY FROM STDIN).
 * Rows whose key is stored already are skipped, so a batch written twice is stored once.
 *
 * @example await cratedbUnnestWriter.insert(session, commitsTable, repoId, commits)
 */
export const cratedbUnnestWriter: BulkWriter = {
  method: 'unnest',
  async insert(session, table, repoId, items) {
    const sql = unnestInsert(table);
    for (const [start, end] of batches(table, items, UNNEST_LIMITS)) {
      const slice = items.slice(start, end);
      const columns = table.columns.map((c) => slice.map((item, i) => c.value(item, start + i)));
      await session.query(sql, [repoId, ...(columns satisfies Param[])]);
    }
  },
};

/**
 * The statement inserting `table`'s rows from one array parameter per column.
 *
 * @example unnestInsert(treeFilesTable) // INSERT INTO tree_files (repo_id, path, bytes) SELECT …
 */
export function unnestInsert<T>(table: BulkTable<T>): string {
  const names = table.columns.map((c) => c.name).join(', ');
  const values = table.columns.map((c) => (c.select ? c.select(`u.${c.name}`) : `u.${c.name}`));
  const arrays = table.columns.map((c, i) => `CAST($${i + 2} AS ${c.type}[])`).join(', ');
  const sql =
    `INSERT INTO ${table.table} (repo_id, ${names}) SELECT CAST($1 AS TEXT), ${values.join(', ')}` +
    ` FROM unnest(${arrays}) AS u(${names}) ON CONFLICT DO NOTHING`;
  if (sql.length > MAX_STATEMENT_CHARS) {
    throw new Error(`The bulk insert into ${table.table} is longer than CrateDB accepts`);
  }
  return sql;
}

/**
 * `[start, end)` ranges of `items`, each within `limits.rows` rows and `limits.chars` characters
 * of bound values (a single larger row still goes alone).
 *
 * @example [...batches(table, items, { rows: 2, chars: 1e6 })] // [[0, 2], [2, 3]]
 */
export function* batches<T>(
  table: BulkTable<T>,
  items: readonly T[],
  limits: { readonly rows: number; readonly chars: number },
): Generator<[number, number]> {
  let start = 0;
  let chars = 0;
  for (let i = 0; i < items.length; i++) {
    const size = rowChars(table, items[i] as T, i);
    if (i > start && (i - start >= limits.rows || chars + size > limits.chars)) {
      yield [start, i];
      start = i;
      chars = 0;
    }
    chars += size;
  }
  if (start < items.length) yield [start, items.length];
}

function rowChars<T>(table: BulkTable<T>, item: T, index: number): number {
  let chars = 0;
  for (const column of table.columns) chars += cellChars(column.value(item, index));
  return chars;
}

function cellChars(cell: Cell): number {
  return typeof cell === 'string' ? cell.length + 1 : 8;
}
