import { MetreError } from '../../../errors/index.js';
import { raceAbort, settlesWithin } from '../../abort.js';
import { backoffDelay } from '../../backoff.js';
import { errorText, isUnrecoverable } from '../../errors.js';
import type { ResolvedQueueOptions } from '../../open-queue.js';
import type {
  EnqueueOptions,
  JobDataMap,
  JobHandler,
  JobInfo,
  JobName,
  JobProgress,
  JobState,
  ProcessOptions,
  Queue,
  QueueEvent,
  RepeatInfo,
  RepeatSpec,
} from '../../port.js';
import { nextDue } from '../../cron.js';

/** A job held in memory: its public view plus what the queue needs to run it. */
interface Entry {
  info: Mutable<JobInfo>;
  readonly priority: number;
  readonly seq: number;
  readonly dedup: string | undefined;
  timer?: NodeJS.Timeout;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Runner {
  readonly handler: JobHandler<JobName>;
  readonly concurrency: number;
  running: number;
}

interface Repeat {
  readonly spec: RepeatSpec;
  next: Date | null;
  timer?: NodeJS.Timeout;
}

/** setTimeout's longest wait; a later due time re-arms the timer when it ends. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The embedded queue: jobs, retries, repeats and events in this process's memory, nothing
 * persisted (the embedded shape re-enqueues what a stopped process left undone when it starts).
 * Same semantics as the BullMQ adapter; both pass `testing/contract.ts`.
 */
export class InProcessQueue implements Queue {
  readonly kind = 'in-process' as const;
  readonly #options: ResolvedQueueOptions;
  readonly #jobs = new Map<string, Entry>();
  readonly #dedup = new Map<string, string>();
  readonly #runners = new Map<JobName, Runner>();
  readonly #listeners = new Set<(event: QueueEvent) => void>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #repeats = new Map<string, Repeat>();
  readonly #running = new Set<Promise<void>>();
  readonly #shutdown = new AbortController();
  #seq = 0;
  #closing = false;

  constructor(options: ResolvedQueueOptions) {
    this.#options = options;
  }

  async enqueue<N extends JobName>(
    name: N,
    data: JobDataMap[N],
    options: EnqueueOptions = {},
  ): Promise<JobInfo<N>> {
    return this.#add(name, data, options, null) as JobInfo<N>;
  }

  #add(
    name: JobName,
    data: JobDataMap[JobName],
    options: EnqueueOptions,
    repeat: JobInfo['repeat'],
  ): JobInfo {
    this.#checkOpen();
    const existing = options.jobId === undefined ? undefined : this.#dedup.get(options.jobId);
    if (existing !== undefined) return this.#view(this.#jobs.get(existing)!);
    const seq = ++this.#seq;
    const entry: Entry = {
      info: {
        id: `${name}-${seq}`,
        name,
        data: structuredClone(data),
        state: 'waiting',
        progress: null,
        attempts: 0,
        error: null,
        result: null,
        createdAt: new Date(),
        finishedAt: null,
        repeat,
      },
      priority: options.priority ?? 0,
      seq,
      dedup: options.jobId,
    };
    this.#jobs.set(entry.info.id, entry);
    if (entry.dedup !== undefined) this.#dedup.set(entry.dedup, entry.info.id);
    queueMicrotask(() => this.#pump(name));
    return this.#view(entry);
  }

  process<N extends JobName>(name: N, handler: JobHandler<N>, options: ProcessOptions = {}): void {
    this.#checkOpen();
    if (this.#runners.has(name)) throw new MetreError('METRE_INTERNAL', `${name} has a handler`);
    const concurrency = Math.max(1, options.concurrency ?? 1);
    this.#runners.set(name, { handler: handler as JobHandler<JobName>, concurrency, running: 0 });
    queueMicrotask(() => this.#pump(name));
  }

  async getJob(id: string): Promise<JobInfo | undefined> {
    const entry = this.#jobs.get(id);
    return entry === undefined ? undefined : this.#view(entry);
  }

  async listJobs(states?: readonly JobState[]): Promise<JobInfo[]> {
    const wanted = states === undefined ? undefined : new Set(states);
    return [...this.#jobs.values()]
      .filter((entry) => wanted === undefined || wanted.has(entry.info.state))
      .sort((a, b) => b.seq - a.seq)
      .map((entry) => this.#view(entry));
  }

  async waitForJob(id: string, timeoutMs: number): Promise<JobInfo | undefined> {
    const entry = this.#jobs.get(id);
    if (entry === undefined || isFinished(entry.info.state)) return this.getJob(id);
    await new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(timeoutMs, MAX_TIMER_MS));
      waiters.add(done);
    });
    return this.getJob(id);
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
    for (const entry of this.#jobs.values()) counts[entry.info.state] += 1;
    return counts;
  }

  async repeat(spec: RepeatSpec): Promise<void> {
    this.#checkOpen();
    nextDue(spec.cron, new Date()); // throws on an invalid expression before anything changes
    const existing = this.#repeats.get(spec.key);
    // Re-arming an unchanged repeat could skip a due time it is about to reach.
    if (existing !== undefined && JSON.stringify(existing.spec) === JSON.stringify(spec)) return;
    await this.removeRepeat(spec.key);
    const repeat: Repeat = { spec: structuredClone(spec), next: null };
    this.#repeats.set(spec.key, repeat);
    this.#arm(repeat);
  }

  async removeRepeat(key: string): Promise<void> {
    const repeat = this.#repeats.get(key);
    if (repeat !== undefined) clearTimeout(repeat.timer);
    this.#repeats.delete(key);
  }

  async listRepeats(): Promise<RepeatInfo[]> {
    return [...this.#repeats.values()].map((r) => ({ ...structuredClone(r.spec), next: r.next }));
  }

  on(listener: (event: QueueEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async ping(): Promise<void> {
    this.#checkOpen();
  }

  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const repeat of this.#repeats.values()) clearTimeout(repeat.timer);
    for (const entry of this.#jobs.values()) clearTimeout(entry.timer);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const running = Promise.allSettled([...this.#running]);
    if (!(await settlesWithin(running, timeoutMs))) {
      // Handlers still running are released: their jobs go back to waiting, not failed.
      this.#shutdown.abort(new MetreError('METRE_QUEUE_UNAVAILABLE', 'The queue is closing'));
      await running;
    }
  }

  /** Arms the timer of a repeat for its next due time. */
  #arm(repeat: Repeat): void {
    if (this.#closing) return;
    const due = nextDue(repeat.spec.cron, new Date());
    repeat.next = due;
    const wait = due.getTime() - Date.now();
    repeat.timer = setTimeout(
      () => {
        if (this.#repeats.get(repeat.spec.key) !== repeat) return;
        if (Date.now() >= due.getTime()) this.#fire(repeat, due);
        this.#arm(repeat);
      },
      Math.min(Math.max(wait, 0), MAX_TIMER_MS),
    );
  }

  #fire(repeat: Repeat, dueAt: Date): void {
    const { spec } = repeat;
    this.#add(spec.name, spec.data, { jobId: spec.jobId }, { key: spec.key, dueAt });
  }

  /** Starts waiting jobs of this kind while its handler has room. */
  #pump(name: JobName): void {
    const runner = this.#runners.get(name);
    while (!this.#closing && runner !== undefined && runner.running < runner.concurrency) {
      const next = this.#nextWaiting(name);
      if (next === undefined) return;
      const run = this.#run(next, runner).finally(() => this.#running.delete(run));
      this.#running.add(run);
    }
  }

  /** Jobs without priority first, in order; then by priority, then in order (BullMQ's rule). */
  #nextWaiting(name: JobName): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.#jobs.values()) {
      if (entry.info.name !== name || entry.info.state !== 'waiting') continue;
      if (best === undefined || before(entry, best)) best = entry;
    }
    return best;
  }

  async #run(entry: Entry, runner: Runner): Promise<void> {
    runner.running += 1;
    entry.info.state = 'active';
    entry.info.attempts += 1;
    this.#emit({ type: 'active', job: this.#view(entry) });
    try {
      const context = {
        signal: this.#shutdown.signal,
        progress: async (progress: JobProgress) => this.#progress(entry, progress),
      };
      const result = await raceAbort(
        runner.handler(this.#view(entry), context),
        this.#shutdown.signal,
      );
      this.#finish(entry, 'completed', null, toJson(result));
    } catch (error) {
      this.#failed(entry, error);
    } finally {
      runner.running -= 1;
      queueMicrotask(() => this.#pump(entry.info.name));
    }
  }

  #progress(entry: Entry, progress: JobProgress): void {
    if (entry.info.state !== 'active') return;
    entry.info.progress = { ...progress };
    this.#emit({ type: 'progress', job: this.#view(entry), progress: { ...progress } });
  }

  #failed(entry: Entry, error: unknown): void {
    if (this.#shutdown.signal.aborted) {
      // Released, not failed: the attempt does not count.
      entry.info.state = 'waiting';
      entry.info.attempts -= 1;
      return;
    }
    entry.info.error = errorText(error);
    if (isUnrecoverable(error) || entry.info.attempts >= this.#options.retry.attempts) {
      this.#finish(entry, 'failed', entry.info.error, null);
      return;
    }
    entry.info.state = 'delayed';
    entry.timer = setTimeout(
      () => {
        entry.info.state = 'waiting';
        this.#pump(entry.info.name);
      },
      backoffDelay(entry.info.attempts, this.#options.retry),
    );
    this.#emit({ type: 'retrying', job: this.#view(entry) });
  }

  #finish(entry: Entry, state: 'completed' | 'failed', error: string | null, result: unknown) {
    Object.assign(entry.info, { state, error, result, finishedAt: new Date() });
    if (entry.dedup !== undefined && this.#dedup.get(entry.dedup) === entry.info.id) {
      this.#dedup.delete(entry.dedup);
    }
    this.#emit({ type: state, job: this.#view(entry) });
    for (const wake of this.#waiters.get(entry.info.id) ?? []) wake();
    this.#waiters.delete(entry.info.id);
    this.#trim(state);
  }

  /** Forgets the oldest finished jobs beyond `keepJobs` per outcome. */
  #trim(state: 'completed' | 'failed'): void {
    const finished = [...this.#jobs.values()].filter((e) => e.info.state === state);
    for (const entry of finished.slice(0, Math.max(0, finished.length - this.#options.keepJobs))) {
      this.#jobs.delete(entry.info.id);
    }
  }

  #emit(event: QueueEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#options.onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  #view(entry: Entry): JobInfo {
    return structuredClone(entry.info);
  }

  #checkOpen(): void {
    if (this.#closing) throw new MetreError('METRE_QUEUE_UNAVAILABLE', 'The queue is closed');
  }
}

function before(a: Entry, b: Entry): boolean {
  if ((a.priority === 0) !== (b.priority === 0)) return a.priority === 0;
  return a.priority !== b.priority ? a.priority < b.priority : a.seq < b.seq;
}

function isFinished(state: JobState): boolean {
  return state === 'completed' || state === 'failed';
}

/** A handler's result as the BullMQ adapter would return it: through JSON. */
function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
