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
 * Bearer tokens: with `token` set every mutation needs it; with `readToken` set every read needs
 * it or `token`. Unset, that side is open. The check answers 401 (a problem with a challenge), or
 * undefined to let the request through.
 *
 * @example const denied = bearerAuth({ token: 's3cret', readToken: undefined })(c);
 */
export function bearerAuth(options: {
  readonly token: string | undefined;
  readonly readToken: string | undefined;
}): (c: Context<ApiEnv>) => Response | undefined {
  const { token, readToken } = options;
  return (c) => {
    const read = READ_METHODS.has(c.req.method);
    const accepted = (read ? [readToken, token] : [token]).filter(
      (t): t is string => t !== undefined,
    );
    const required = read ? readToken !== undefined : token !== undefined;
    if (!required) return undefined;
    const given = bearer(header(c, 'authorization'));
    // Every accepted token is compared, so the time taken does not say which one matched.
    const ok = given !== undefined && accepted.map((t) => sameSecret(given, t)).some(Boolean);
    if (ok) return undefined;
    const what = read ? 'Reading' : 'Changing';
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
