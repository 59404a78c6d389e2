import type { Cell } from '../api/types.js';

/** What a panel shows, as rows under named columns: what its downloads contain. */
export interface Shown {
  readonly columns: readonly string[];
  /** Plain objects keyed by column. */
  readonly rows: readonly object[];
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * RFC 4180 CSV, header row first, the same layout as the API's `format=csv`.
 *
 * @example toCsv({ columns: ['t', 'commits'], rows: [{ t: '2024-01-01', commits: 3 }] })
 */
export function toCsv(shown: Shown): string {
  const lines = [
    shown.columns,
    ...shown.rows.map((row) => shown.columns.map((c) => (row as Record<string, unknown>)[c])),
  ];
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

/** Saves text as a file through a temporary object URL (allowed by the CSP, unlike data: URLs). */
export function saveFile(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file-name-safe version of a label. */
export const fileName = (...parts: readonly string[]): string =>
  parts
    .join('-')
    .replace(/[^\w.-]+/g, '-')
    .replace(/-+/g, '-')
    .toLowerCase();

export type Row = Readonly<Record<string, Cell>>;
