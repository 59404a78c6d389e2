import type { Context } from 'hono';
import { MetreError } from '../errors/index.js';
import type { ApiEnv } from './env.js';
import { header } from './headers.js';
import { problem } from './problem.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Most clients tracked at once; the least recently seen are forgotten beyond it. */
const MAX_CLIENTS = 10_000;

/**
 * A token bucket per client: `perMinute` requests a minute, in bursts of up to `perMinute`. Past
 * it, 429 with `Retry-After` (whole seconds until one more request is allowed); undefined lets
 * the request through. 0 turns it off.
 *
 * @example const limited = rateLimit({ perMinute: 600, clientOf: (c) => 'ip', now: Date.now })(c);
 */
export function rateLimit(options: {
  readonly perMinute: number;
  readonly clientOf: (c: Context<ApiEnv>) => string;
  readonly now: () => number;
}): (c: Context<ApiEnv>) => Response | undefined {
  const { perMinute, clientOf, now } = options;
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  return (c) => {
    if (perMinute === 0) return undefined;
    const client = clientOf(c);
    const at = now();
    const bucket = buckets.get(client) ?? { tokens: perMinute, at };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (at - bucket.at) * perMs);
    bucket.at = at;
    buckets.delete(client); // re-inserted last: the map stays ordered by last use
    buckets.set(client, bucket);
    if (buckets.size > MAX_CLIENTS) buckets.delete(buckets.keys().next().value ?? '');
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    return problem(
      c,
      new MetreError(
        'METRE_RATE_LIMITED',
        `More than ${perMinute} requests a minute from this client; retry in ${retryAfter} s`,
      ),
      {},
      { 'retry-after': String(retryAfter) },
    );
  };
}

/**
 * Who a request comes from: the socket's address, or with `trustProxy` the first address of
 * X-Forwarded-For (set by the proxy in front); `local` when neither is known (in-process tests).
 */
export function clientAddress(trustProxy: boolean): (c: Context<ApiEnv>) => string {
  return (c) => {
    if (trustProxy) {
      const forwarded = header(c, 'x-forwarded-for')?.split(',')[0]?.trim();
      if (forwarded) return forwarded.slice(0, 64);
    }
    return c.env?.incoming?.socket.remoteAddress ?? 'local';
  };
}
