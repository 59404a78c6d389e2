import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { MetreError } from '../errors/index.js';
import type { ApiEnv } from './env.js';
import { header } from './headers.js';
import { problem } from './problem.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Compares in constant time: both sides are hashed first, so their lengths leak nothing either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Whether a request may go on as far as bearer tokens go: with `token` set every mutation needs
 * it; with `readToken` set every read needs it or `token`. Unset, that side is open.
 *
 * @example const allowed = tokenCheck({ token: 's3cret', readToken: undefined })('GET', undefined);
 */
export function tokenCheck(options: {
  readonly token: string | undefined;
  readonly readToken: string | undefined;
}): (method: string, authorization: string | undefined) => boolean {
  const { token, readToken } = options;
  const readTokens = [readToken, token].filter((t): t is string => t !== undefined);
  const writeTokens = token === undefined ? [] : [token];
  return (method, authorization) => {
    const read = READ_METHODS.has(method);
    const required = read ? readToken !== undefined : token !== undefined;
    if (!required) return true;
    const given = bearer(authorization);
    // Every accepted token is compared, so the time taken does not say which one matched.
    const accepted = read ? readTokens : writeTokens;
    return given !== undefined && accepted.map((t) => sameSecret(given, t)).some(Boolean);
  };
}

/**
 * Bearer tokens (see `tokenCheck`): 401, a problem with a challenge, or undefined to let the
 * request through.
 *
 * @example const denied = bearerAuth({ token: 's3cret', readToken: undefined })(c);
 */
export function bearerAuth(options: {
  readonly token: string | undefined;
  readonly readToken: string | undefined;
}): (c: Context<ApiEnv>) => Response | undefined {
  const allowed = tokenCheck(options);
  return (c) => {
    if (allowed(c.req.method, header(c, 'authorization'))) return undefined;
    const what = READ_METHODS.has(c.req.method) ? 'Reading' : 'Changing';
    return problem(
      c,
      new MetreError(
        'METRE_UNAUTHORIZED',
        `${what} needs "Authorization: Bearer <token>" with a valid token`,
      ),
      {},
      { 'www-authenticate': 'Bearer realm="metre"' },
    );
  };
}
