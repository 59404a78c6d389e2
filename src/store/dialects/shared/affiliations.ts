import type { AffiliationEntry } from '../../../core/index.js';
import { MetreError } from '../../../errors/index.js';
import type { Row } from './rows.js';

/**
 * Checks an affiliation map before it is stored: every entry needs an email and an organisation,
 * and its ends (when given) must be dates, the start before the end. Every metric with
 * affiliations reads these, so a bad one is refused here rather than failing them all later.
 *
 * @example checkAffiliations([{ email: 'a@x.org', organization: 'X', from: null, to: null }])
 */
export function checkAffiliations(entries: readonly AffiliationEntry[]): void {
  entries.forEach((entry, i) => {
    const problem = affiliationProblem(entry);
    if (problem !== undefined) {
      throw new MetreError('METRE_AFFILIATIONS_INVALID', `Affiliation ${i}: ${problem}`);
    }
  });
}

function affiliationProblem(entry: AffiliationEntry): string | undefined {
  if (entry.email.trim() === '') return 'no email';
  if (entry.organization.trim() === '') return `${entry.email}: no organization`;
  for (const end of [entry.from, entry.to]) {
    if (end !== null && Number.isNaN(Date.parse(end))) return `${entry.email}: "${end}" is no date`;
  }
  if (entry.from !== null && entry.to !== null && Date.parse(entry.from) >= Date.parse(entry.to)) {
    return `${entry.email}: from ${entry.from} is not before to ${entry.to}`;
  }
  return undefined;
}

/** An `affiliations` row to an AffiliationEntry. */
export function toAffiliation(row: Row): AffiliationEntry {
  const orNull = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    email: String(row.email),
    organization: String(row.organization),
    from: orNull(row.valid_from),
    to: orNull(row.valid_to),
  };
}

/** An affiliation map as columns: positions (`entry`), emails, organisations, starts, ends. */
export function affiliationColumns(entries: readonly AffiliationEntry[]) {
  return {
    positions: entries.map((_, i) => i),
    emails: entries.map((e) => e.email),
    organizations: entries.map((e) => e.organization),
    froms: entries.map((e) => e.from),
    tos: entries.map((e) => e.to),
  };
}
