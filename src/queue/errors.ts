import { toMetreError } from '../errors/index.js';

/**
 * Thrown by a handler for a failure no retry can fix (a repository that cannot exist, an unknown
 * metric): the job fails at once, whatever attempts it has left. The cause says why.
 *
 * @example throw new UnrecoverableError(new MetreError('METRE_REPO_NOT_FOUND', 'gone'))
 */
export class UnrecoverableError extends Error {
  override readonly name = 'UnrecoverableError';

  constructor(cause: unknown) {
    super(errorText(cause), { cause });
  }
}

/** Whether a handler's failure must not be retried. */
export function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError;
}

/**
 * How a job records a failure: the METRE_* code first, then the message, e.g.
 * `METRE_REPO_NOT_FOUND: No such file or directory: /src/x`.
 */
export function errorText(error: unknown): string {
  if (error instanceof UnrecoverableError) return error.message;
  const coded = toMetreError(error);
  return `${coded.code}: ${coded.message}`;
}
