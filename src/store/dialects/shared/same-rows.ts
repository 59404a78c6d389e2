import type { MailmapEntry, Ref } from '../../../core/index.js';

/** Whether the stored refs are the wanted ones, in any order (a rewrite can then be skipped). */
export function sameRefs(stored: readonly Ref[], wanted: readonly Ref[]): boolean {
  return sameRows(stored, wanted, (r) => [r.kind, r.name, r.sha, r.createdAt]);
}

/** Whether the stored mailmap entries are the wanted ones, in any order. */
export function sameMailmap(
  stored: readonly MailmapEntry[],
  wanted: readonly MailmapEntry[],
): boolean {
  return sameRows(stored, wanted, (e) => [
    e.properName,
    e.properEmail,
    e.commitName,
    e.commitEmail,
  ]);
}

/** Whether two lists hold the same rows in any order; `fields` lists what makes a row. */
function sameRows<T>(a: readonly T[], b: readonly T[], fields: (row: T) => unknown[]): boolean {
  const key = (rows: readonly T[]) =>
    rows
      .map((row) => JSON.stringify(fields(row)))
      .sort()
      .join('\n');
  return a.length === b.length && key(a) === key(b);
}
