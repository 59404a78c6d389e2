/**
 * The one catalogue of metre's error codes. Every failure a user can see maps to one entry here,
 * whatever backend or role raised it, so the CLI, the API and the logs speak the same language.
 * `status` is the HTTP status the API answers with; `exit` is the CLI's exit code.
 */
export const catalogue = {
  METRE_INTERNAL: { status: 500, exit: 1, message: 'Internal error' },
  METRE_CONFIG_INVALID: { status: 500, exit: 2, message: 'Invalid configuration' },
  METRE_USAGE: { status: 400, exit: 2, message: 'Invalid command usage' },
  METRE_URL_INVALID: { status: 400, exit: 2, message: 'Invalid repository URL' },
  METRE_URL_SCHEME_NOT_ALLOWED: {
    status: 400,
    exit: 2,
    message: 'Repository URL scheme is not allowed',
  },
  METRE_LOCAL_PATH_NOT_ALLOWED: {
    status: 400,
    exit: 2,
    message: 'Local repository paths are not allowed',
  },
  METRE_REPO_NOT_FOUND: { status: 404, exit: 3, message: 'Repository not found' },
  METRE_REPO_NAME_TAKEN: {
    status: 409,
    exit: 2,
    message: 'Another repository has this name',
  },
  METRE_NOT_A_GIT_REPO: { status: 400, exit: 3, message: 'Not a git repository' },
  METRE_REPO_UNREACHABLE: { status: 502, exit: 3, message: 'Repository could not be reached' },
  METRE_GIT_FAILED: { status: 502, exit: 3, message: 'git failed' },
  METRE_GIT_TIMEOUT: { status: 504, exit: 3, message: 'git timed out' },
  METRE_GIT_NOT_INSTALLED: { status: 500, exit: 3, message: 'git is not installed' },
  METRE_PARSE_ERROR: { status: 502, exit: 3, message: 'Unexpected git log output' },
  METRE_STORE_LOCKED: { status: 503, exit: 4, message: 'The store is locked by another process' },
  METRE_STORE_UNAVAILABLE: { status: 503, exit: 4, message: 'The store is unavailable' },
  METRE_STORE_URL_INVALID: { status: 500, exit: 2, message: 'Invalid store URL' },
  METRE_STORE_SCHEMA_TOO_NEW: {
    status: 500,
    exit: 4,
    message: 'The store was written by a newer version of metre',
  },
  METRE_STORE_FAILED: { status: 500, exit: 4, message: 'A store operation failed' },
  METRE_METRIC_UNKNOWN: { status: 404, exit: 2, message: 'Unknown metric' },
  METRE_PARAM_INVALID: { status: 400, exit: 2, message: 'Invalid metric parameter' },
  METRE_AFFILIATIONS_INVALID: { status: 500, exit: 2, message: 'Invalid affiliation file' },
  METRE_DISK_FULL: { status: 507, exit: 4, message: 'No space left on the device' },
  METRE_QUEUE_URL_INVALID: { status: 500, exit: 2, message: 'Invalid queue URL' },
  METRE_QUEUE_UNAVAILABLE: { status: 503, exit: 4, message: 'The job queue is unavailable' },
  METRE_SCHEDULE_INVALID: { status: 400, exit: 2, message: 'Invalid collection schedule' },
  METRE_REQUEST_INVALID: { status: 400, exit: 2, message: 'Invalid request' },
  METRE_UNAUTHORIZED: { status: 401, exit: 2, message: 'A valid bearer token is required' },
  METRE_NOT_FOUND: { status: 404, exit: 2, message: 'No such resource' },
  METRE_JOB_NOT_FOUND: { status: 404, exit: 2, message: 'Job not found' },
  METRE_BODY_TOO_LARGE: { status: 413, exit: 2, message: 'Request body too large' },
  METRE_UNSUPPORTED_MEDIA_TYPE: { status: 415, exit: 2, message: 'Unsupported media type' },
  METRE_RATE_LIMITED: { status: 429, exit: 2, message: 'Too many requests' },
  METRE_COMPUTE_FAILED: { status: 500, exit: 1, message: 'The metric could not be computed' },
} as const satisfies Record<string, { status: number; exit: number; message: string }>;

/** A code of the catalogue, e.g. `'METRE_REPO_NOT_FOUND'`. */
export type ErrorCode = keyof typeof catalogue;
