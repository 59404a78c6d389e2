/** How a failed job waits before its next attempt. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly attempts: number;
  /** The wait after the first failure; it doubles after each one. */
  readonly backoffMs: number;
  /** The share of each wait drawn at random (0 to 1), so retries of many jobs spread out. */
  readonly jitter: number;
}

/**
 * The wait before the attempt after `failures` failed ones: `backoffMs · 2^(failures-1)`, the
 * last `jitter` share of it drawn at random (BullMQ's exponential strategy, so both adapters wait
 * alike).
 *
 * @example backoffDelay(3, { attempts: 5, backoffMs: 1000, jitter: 0.5 }) // 2000 to 4000
 */
export function backoffDelay(
  failures: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const max = Math.round(2 ** (failures - 1) * policy.backoffMs);
  return Math.floor(max * (1 - policy.jitter) + random() * max * policy.jitter);
}
