/**
 * Runs async tasks one after another. The store has one DuckDB connection, and a connection has one
 * transaction at a time, so two overlapping calls would otherwise interleave their statements
 * inside each other's BEGIN … COMMIT.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` once every task queued before it has settled; resolves with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // A failed task must not block the ones after it; its caller still sees the rejection.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
