import type { ComponentChildren } from 'preact';
import { formatCell, label } from '../lib/format.js';

export interface Column {
  readonly key: string;
  readonly title?: string;
  /** Renders the cell (default: the formatted value). */
  readonly render?: (row: Readonly<Record<string, unknown>>) => ComponentChildren;
}

/**
 * A plain, accessible table: a caption for screen readers, numbers right-aligned.
 *
 * @example <DataTable caption="Top contributors" columns={[{ key: 'name' }]} rows={rows} />
 */
export function DataTable(props: {
  readonly caption: string;
  readonly columns: readonly (Column | string)[];
  readonly rows: readonly object[];
  readonly empty?: string;
}) {
  const columns = props.columns.map((c) => (typeof c === 'string' ? { key: c } : c));
  if (props.rows.length === 0) return <p class="empty">{props.empty ?? 'Nothing to show.'}</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col">
                {c.title ?? label(c.key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const value = (row as Record<string, unknown>)[c.key];
                return (
                  <td key={c.key} class={typeof value === 'number' ? 'num' : undefined}>
                    {c.render ? c.render(row as Record<string, unknown>) : formatCell(value, c.key)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
