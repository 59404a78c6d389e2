/** A column of a text table: its title and how a row shows in it. */
export interface Column<T> {
  readonly title: string;
  readonly value: (row: T) => string;
}

/**
 * Renders rows as an aligned text table.
 *
 * @example formatTable([{ title: 'name', value: (r: { n: string }) => r.n }], [{ n: 'metre' }])
 */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...cells.map((r) => r[i]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join('\n') + '\n';
}

/** A count with thousands separators. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** Seconds with one decimal, from milliseconds. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
