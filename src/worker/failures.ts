import { toMetreError, type ErrorCode } from '../errors/index.js';

/** Failures no retry can fix: the request itself is wrong, or what it names does not exist. */
const PERMANENT = new Set<ErrorCode>([
  'METRE_USAGE',
  'METRE_URL_INVALID',
  'METRE_URL_SCHEME_NOT_ALLOWED',
  'METRE_LOCAL_PATH_NOT_ALLOWED',
  'METRE_REPO_NOT_FOUND',
  'METRE_NOT_A_GIT_REPO',
  'METRE_METRIC_UNKNOWN',
  'METRE_PARAM_INVALID',
]);

/**
 * What git says of a remote that does not exist or refuses us, as opposed to one it could not
 * reach this time (a host that does not resolve, a refused connection, a timeout).
 */
const REMOTE_GONE =
  /not found|does not exist|not exported|access denied|authentication failed|could not read (username|password)|permission denied|terminal prompts disabled|invalid credentials/i;

/**
 * Whether a job's failure is permanent: a repository that cannot exist (bad URL, deleted
 * upstream, authentication refused), an unknown metric or invalid parameters. Anything else
 * (a store or network outage, a timeout) is worth retrying.
 *
 * @example isPermanent(new MetreError('METRE_REPO_UNREACHABLE', "repository 'x' not found")) // true
 */
export function isPermanent(error: unknown): boolean {
  const coded = toMetreError(error);
  if (PERMANENT.has(coded.code)) return true;
  const remote = coded.code === 'METRE_REPO_UNREACHABLE' || coded.code === 'METRE_GIT_FAILED';
  return remote && REMOTE_GONE.test(coded.message);
}
