import { MetreError } from '../errors/index.js';
import type { RetryPolicy } from './backoff.js';
import type { Queue } from './port.js';

/** How a queue runs its jobs; every field has a default. */
export interface QueueOptions {
  /** Redis key prefix (BullMQ): queues with different prefixes share nothing. Default `metre`. */
  readonly prefix?: string | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /**
   * How long a worker holds an active job without renewing its lock (BullMQ): a worker that dies
   * loses its jobs to the others after about this long, twice at most. Default 30 s.
   */
  readonly lockMs?: number | undefined;
  /** Finished jobs kept for `listJobs`, per kind and outcome. Default 1000. */
  readonly keepJobs?: number | undefined;
  /** Called with failures of the queue's own connection (it reconnects by itself). */
  readonly onError?: ((error: Error) => void) | undefined;
}

/** The options with their defaults filled in. */
export interface ResolvedQueueOptions {
  readonly prefix: string;
  readonly retry: RetryPolicy;
  readonly lockMs: number;
  readonly keepJobs: number;
  readonly onError: (error: Error) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, backoffMs: 1_000, jitter: 0.5 };

export function resolveQueueOptions(options: QueueOptions = {}): ResolvedQueueOptions {
  return {
    prefix: options.prefix ?? 'metre',
    retry: { ...DEFAULT_RETRY, ...options.retry },
    lockMs: options.lockMs ?? 30_000,
    keepJobs: options.keepJobs ?? 1_000,
    onError: options.onError ?? (() => undefined),
  };
}

/** A queue URL taken apart. */
export type QueueTarget =
  | { readonly kind: 'in-process' }
  | {
      readonly kind: 'bullmq';
      /** The Redis URL as ioredis reads it (metre's `prefix` parameter taken out). */
      readonly url: string;
      readonly prefix: string | null;
      /** The URL with its password masked, for messages. */
      readonly name: string;
    };

const USAGE =
  'A queue URL is in-process (the default) or redis://[user:password@]host:port[/db][?prefix=name]';
const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Reads a queue URL: `in-process` (or nothing) for the in-process queue, `redis://…` or
 * `rediss://…` (TLS) for BullMQ on Redis, `?prefix=name` namespacing its keys.
 *
 * @example parseQueueUrl('redis://127.0.0.1:6379?prefix=test1') // { kind: 'bullmq', prefix: 'test1', … }
 */
export function parseQueueUrl(url: string | undefined): QueueTarget {
  if (url === undefined || url === '' || url === 'in-process') return { kind: 'in-process' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MetreError('METRE_QUEUE_URL_INVALID', USAGE);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new MetreError(
      'METRE_QUEUE_URL_INVALID',
      `Unknown queue URL scheme ${parsed.protocol} ${USAGE}`,
    );
  }
  const prefix = parsed.searchParams.get('prefix');
  if (prefix !== null && !PREFIX.test(prefix)) {
    throw new MetreError('METRE_QUEUE_URL_INVALID', `${USAGE}; a prefix is letters, digits, _ . -`);
  }
  parsed.searchParams.delete('prefix');
  return { kind: 'bullmq', url: parsed.toString(), prefix, name: maskUrl(parsed) };
}

function maskUrl(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password !== '') copy.password = '***';
  return copy.toString();
}

/**
 * Opens the queue a URL names. BullMQ and ioredis are imported only for a Redis URL, so the
 * embedded default never loads them.
 *
 * @example const queue = await openQueue(config.queue.url, { prefix: 'metre' });
 * @example const queue = await openQueue(undefined); // in-process
 */
export async function openQueue(
  url: string | undefined,
  options: QueueOptions = {},
): Promise<Queue> {
  const target = parseQueueUrl(url);
  if (target.kind === 'in-process') {
    const { InProcessQueue } = await import('./adapters/in-process/index.js');
    return new InProcessQueue(resolveQueueOptions(options));
  }
  const { openBullmqQueue } = await import('./adapters/bullmq/index.js');
  const resolved = resolveQueueOptions({ ...options, prefix: target.prefix ?? options.prefix });
  return openBullmqQueue(target, resolved);
}
