import { ApiError } from '../api/client.js';
import type { Problem } from '../api/types.js';

/** Messages for the add form's fields, and for the form as a whole. */
export type FieldErrors = Partial<Record<'url' | 'name' | 'schedule' | 'form', string>>;

/**
 * The API's problem as messages next to the add form's fields: the problem's per-field errors
 * when it has them, else its detail under the field its code is about.
 *
 * @example fieldErrors(new ApiError({ status: 400, code: 'METRE_URL_INVALID', detail: 'bad' })) // { url: 'bad' }
 */
export function fieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError))
    return { form: error instanceof Error ? error.message : String(error) };
  const problem: Problem = error.problem;
  const out: FieldErrors = {};
  for (const item of problem.errors ?? []) {
    const field = item.path.replace(/^\/?(body\.)?/, '').split(/[./]/)[0];
    if (field === 'url' || field === 'name' || field === 'schedule') out[field] ??= item.message;
  }
  if (Object.keys(out).length > 0) return out;
  const message = problem.detail ?? problem.title ?? error.message;
  const code = problem.code ?? '';
  if (/URL|LOCAL_PATH|NOT_A_GIT_REPO|UNREACHABLE/.test(code)) return { url: message };
  if (/SCHEDULE|CRON/.test(code)) return { schedule: message };
  if (/NAME|CONFLICT|EXISTS/.test(code)) return { name: message };
  return { form: message };
}
