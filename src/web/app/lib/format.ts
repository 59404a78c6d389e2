/** Number and date formatting shared by every page, in the reader's locale. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export const formatInteger = (n: number): string => integer.format(n);
export const formatShare = (n: number): string => percent.format(n);

/** A cell of a result: integers grouped, fractions to two places, text as is. */
export function formatCell(value: unknown, column = ''): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (/share/i.test(column)) return formatShare(value);
    return Number.isInteger(value) ? formatInteger(value) : decimal.format(value);
  }
  return String(value);
}

/** `2024-03-01T10:00:00Z` as a short local date and time. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return 'never';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** How long ago, in words (`5 min ago`). */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return 'never';
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A bucket start (`YYYY-MM-DD`) as seconds since the epoch, the x of a chart. */
export const toSeconds = (day: string): number =>
  Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / 1000;

/** A camelCase field as a label: `newContributors` → `new contributors`. */
export const label = (field: string): string =>
  field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
