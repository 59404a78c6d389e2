import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { MetreError } from '../errors/index.js';
import type { ApiEnv } from './env.js';
import { header, incomingHeader } from './headers.js';
import { problem } from './problem.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Most clients tracked at once; the least recently seen are forgotten beyond it. */
const MAX_CLIENTS = 10_000;

/**
 * Takes one request from a client's bucket: undefined when it may go on (one token spent), else
 * the whole seconds until it may (nothing spent, so asking again at once answers the same: the
 * cached-metric front can ask, step aside, and let the app ask and refuse).
 */
export type TakeToken = (client: string) => number | undefined;

/**
 * A token bucket per client: `perMinute` requests a minute, in bursts of up to `perMinute`. 0
 * turns it off (every request goes on).
 *
 * @example const take = tokenBuckets({ perMinute: 600, now: Date.now }); take('192.0.2.1');
 */
export function tokenBuckets(options: {
  readonly perMinute: number;
  readonly now: () => number;
}): TakeToken {
  const { perMinute, now } = options;
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  return (client) => {
    if (perMinute === 0) return undefined;
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
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  };
}

/**
 * The rate limit of a request: 429 with `Retry-After` (whole seconds until one more request is
 * allowed) past the client's bucket; undefined lets the request through.
 *
 * @example const limited = rateLimit({ perMinute: 600, take: tokenBuckets(…), clientOf: (c) => 'ip' })(c);
 */
export function rateLimit(options: {
  readonly perMinute: number;
  readonly take: TakeToken;
  readonly clientOf: (c: Context<ApiEnv>) => string;
}): (c: Context<ApiEnv>) => Response | undefined {
  const { perMinute, take, clientOf } = options;
  return (c) => {
    if (perMinute === 0) return undefined;
    const retryAfter = take(clientOf(c));
    if (retryAfter === undefined) return undefined;
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

/** The first address an X-Forwarded-For header names (at most 64 characters), if any. */
function firstForwarded(value: string | undefined): string | undefined {
  const forwarded = value?.split(',')[0]?.trim();
  return forwarded ? forwarded.slice(0, 64) : undefined;
}

/**
 * Who a request comes from: the socket's address, or with `trustProxy` the first address of
 * X-Forwarded-For (set by the proxy in front); `local` when neither is known (in-process tests).
 */
export function clientAddress(trustProxy: boolean): (c: Context<ApiEnv>) => string {
  const of = incomingClient(trustProxy);
  return (c) => {
    const incoming = c.env?.incoming;
    if (incoming !== undefined) return of(incoming);
    return (trustProxy ? firstForwarded(header(c, 'x-forwarded-for')) : undefined) ?? 'local';
  };
}

/** `clientAddress` read straight from a node request. */
export function incomingClient(trustProxy: boolean): (incoming: IncomingMessage) => string {
  return (incoming) =>
    (trustProxy ? firstForwarded(incomingHeader(incoming, 'x-forwarded-for')) : undefined) ??
    incoming.socket.remoteAddress ??
    'local';
}
