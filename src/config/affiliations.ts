import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { parse } from 'yaml';
import { z } from 'zod';
import type { AffiliationEntry } from '../core/index.js';
import { MetreError } from '../errors/index.js';

const day = z
  .union([z.string(), z.date()])
  .transform((value, ctx) => {
    const time = value instanceof Date ? value.getTime() : Date.parse(value);
    if (Number.isNaN(time)) {
      ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a date` });
      return z.NEVER;
    }
    return new Date(time).toISOString();
  })
  .nullish();

const period = z.strictObject({ organization: z.string().min(1), from: day, to: day });

const listEntry = period.extend({
  email: z.string().min(3).optional(),
  emails: z.array(z.string().min(3)).min(1).optional(),
});

/** A list of entries, or a map from email to an organisation or to its periods. */
const listSchema = z.array(listEntry);
const mapSchema = z.record(z.string().min(3), z.union([z.string().min(1), z.array(period).min(1)]));

/**
 * Reads an affiliation file (YAML or JSON, which YAML reads too). Two forms:
 *
 * @example
 * # a list; `emails` takes several, `from` is inclusive and `to` exclusive, both optional
 * - email: ada@example.org
 *   organization: Analytical Engines
 *   from: 2020-01-01
 * # or a map
 * ada@example.org: Analytical Engines
 * bob@example.org:
 *   - { organization: Initech, to: 2021-01-01 }
 *   - { organization: Acme, from: 2021-01-01 }
 */
export function readAffiliations(file: string): AffiliationEntry[] {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(
      file,
      error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
    );
  }
  const parsed = (Array.isArray(data) ? listSchema : mapSchema).safeParse(data ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(file, `${issue?.path.join('.') || 'top level'}: ${issue?.message}`);
  }
  const entries = Array.isArray(parsed.data) ? fromList(file, parsed.data) : fromMap(parsed.data);
  for (const entry of entries) {
    if (entry.from !== null && entry.to !== null && entry.from >= entry.to) {
      throw invalid(file, `${entry.email}: from ${entry.from} is not before to ${entry.to}`);
    }
  }
  return entries;
}

/**
 * YAML's parser, loaded on first use: only an affiliation file needs it, and loading it costs
 * every metre process ~50 ms at start (a collection's wall time is measured against git's).
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as { parse: typeof parse };
  return yaml.parse(text);
}

type ListEntry = z.output<typeof listEntry>;
type Period = z.output<typeof period>;

function fromList(file: string, list: readonly ListEntry[]): AffiliationEntry[] {
  return list.flatMap((entry, i) => {
    const emails = [...(entry.email ? [entry.email] : []), ...(entry.emails ?? [])];
    if (emails.length === 0) throw invalid(file, `entry ${i}: needs email or emails`);
    return emails.map((email) => toEntry(email, entry));
  });
}

function fromMap(map: Record<string, string | Period[]>): AffiliationEntry[] {
  return Object.entries(map).flatMap(([email, value]) =>
    typeof value === 'string'
      ? [toEntry(email, { organization: value })]
      : value.map((p) => toEntry(email, p)),
  );
}

function toEntry(
  email: string,
  p: { organization: string; from?: string | null; to?: string | null },
): AffiliationEntry {
  return {
    email: email.trim().toLowerCase(),
    organization: p.organization.trim(),
    from: p.from ?? null,
    to: p.to ?? null,
  };
}

function invalid(file: string, why: string): MetreError {
  return new MetreError('METRE_AFFILIATIONS_INVALID', `Invalid affiliation file ${file}: ${why}`);
}
