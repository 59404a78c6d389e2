/**
 * Coded errors: `new MetreError('METRE_REPO_NOT_FOUND', 'No repository named "x"')`.
 *
 * @example
 * try { await collect(...) } catch (e) { if (isMetreError(e, 'METRE_STORE_LOCKED')) retryLater() }
 */
export { catalogue, type ErrorCode } from './catalogue.js';
export { MetreError, isMetreError, toMetreError } from './metre-error.js';
