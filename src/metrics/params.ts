import { z } from 'zod';

/**
 * The parameters metrics share, named as in METRICS.md. Every schema fills its default, so the
 * parsed parameters are the normalised ones the cache key is made of. Numbers are coerced, so
 * CLI and query-string values (`"0.5"`) parse the same as JSON ones.
 */

export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const granularity = z.enum(GRANULARITIES).default('month');
/** Which date places a commit in time. */
export const dateKind = z.enum(['author', 'committer']).default('author');
/** Whether commits with more than one parent count. */
export const merges = z.enum(['include', 'exclude']).default('include');
/** The default branch's history, or every branch and tag. */
export const refs = z.enum(['default', 'all']).default('default');
/** How people are told apart (see METRICS.md, People). */
export const identity = z.enum(['person', 'email', 'raw']).default('person');
export const bots = z.enum(['include', 'exclude']).default('include');

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A date or an ISO instant, normalised to the instant (`…Z`); a bare date is UTC midnight. */
export const instant = z
  .string()
  .regex(DATE, 'expected a date YYYY-MM-DD or an ISO instant')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'not a real date')
  .transform((value) => new Date(value).toISOString());

/** `[from, to)`: both optional. */
export const range = { from: instant.optional(), to: instant.optional() };

/** A share strictly between 0 and 1 (e.g. the contributor absence factor's threshold). */
export const share = z.coerce.number().gt(0).lt(1);

export const positive = z.coerce.number().int().positive();

/** Checks `from < to` on a parsed parameter object with a range. */
export function orderedRange<T extends { from?: string | undefined; to?: string | undefined }>(
  schema: z.ZodType<T>,
): z.ZodType<T> {
  return schema.refine((p) => p.from === undefined || p.to === undefined || p.from < p.to, {
    message: 'from must be before to',
    path: ['to'],
  });
}
