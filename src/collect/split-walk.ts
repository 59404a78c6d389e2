import { MetreError } from '../errors/index.js';
import type { GitStream } from './git-runner.js';

/** Turns a walk's raw output into its records, one per commit, in walk order. */
export type Parse<T> = (output: AsyncIterable<Uint8Array>) => AsyncIterable<T>;

/** A walk's output, whichever git processes print it. */
export interface WalkOutput {
  /** The walk's records in walk order, exactly once each. Iterate once. */
  records<T>(parse: Parse<T>): AsyncIterable<T>;
  /** Ends every git process still running (safe to call at any time). */
  cancel(): Promise<void>;
}

/** How a walk is shared between git processes. */
export interface SplitOptions {
  /** How many records the walk has: known once git has counted it. */
  readonly length: Promise<number>;
  /** At most this many processes... */
  readonly processes: number;
  /** ...and each with at least this many records, or fewer processes. */
  readonly minPerProcess: number;
  /** Starts the walk printing `count` records after the first `skip` (null: to the end). */
  start(skip: number, count: number | null): GitStream;
}

/** A walk printed by one git process. */
export function wholeWalk(stream: GitStream): WalkOutput {
  return { records: (parse) => parse(stream), cancel: () => stream.cancel() };
}

interface Slice {
  readonly stream: GitStream;
  /** How many records it prints; null for a walk that could not be counted. */
  readonly count: number | null;
}

/**
 * A walk printed by several git processes side by side, each a slice of the same walk order
 * (`git log` is deterministic: `--skip=k --max-count=n` prints records k to k+n-1 of what it
 * prints without them), read back to back. git's diffs are the slow part of a collection and a
 * git process uses one core, so on several cores the walk is printed that much sooner, while
 * whoever reads it still sees one walk, in order: progress markers (`done`) mean what they mean
 * for a single process, and a resumed walk skips what was stored whatever printed it.
 *
 * The slices start once the walk is counted. A walk too short to share stays with one process,
 * as does one that could not be counted (then printed to its end, whatever its length).
 */
export function splitWalk(options: SplitOptions): WalkOutput {
  let cancelled = false;
  /** One process printing the walk to its end, however long. */
  const whole = (): readonly Slice[] =>
    cancelled ? [] : [{ stream: options.start(0, null), count: null }];
  const slices: Promise<readonly Slice[]> = options.length.then((length) => {
    // A count that is no count (never from a working git) must not end the walk early: then
    // one process prints it to its end, as for a walk that could not be counted.
    if (!Number.isSafeInteger(length) || length < 0) return whole();
    const processes = Math.max(
      1,
      Math.min(options.processes, Math.floor(length / options.minPerProcess)),
    );
    const bounds = Array.from({ length: processes + 1 }, (_, i) =>
      Math.round((length * i) / processes),
    );
    if (cancelled) return [];
    const started: Slice[] = [];
    try {
      for (const [i, end] of bounds.slice(1).entries()) {
        const skip = bounds[i] ?? 0;
        started.push({ stream: options.start(skip, end - skip), count: end - skip });
      }
    } catch (error) {
      // The slices already running are ended: none is left printing for nobody.
      void Promise.all(started.map(({ stream }) => stream.cancel()));
      throw error;
    }
    return started;
  }, whole);
  // Read by `records`, or by `cancel` when the walk is dropped: a slice that could not start (no
  // room for its spool) fails the reader, and must not end the process before anyone reads.
  slices.catch(() => undefined);
  const cancel = async () => {
    cancelled = true;
    const started = await slices.catch(() => []);
    await Promise.all(started.map(({ stream }) => stream.cancel()));
  };
  async function* records<T>(parse: Parse<T>): AsyncGenerator<T> {
    for (const { stream, count } of await slices) {
      let read = 0;
      for await (const record of parse(stream)) {
        yield record;
        read++;
      }
      if (count !== null && read !== count) {
        throw new MetreError(
          'METRE_GIT_FAILED',
          `git printed ${read} commits of a slice of ${count} it had counted`,
        );
      }
    }
  }
  return { records, cancel };
}
