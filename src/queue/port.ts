/**
 * The Queue port: jobs with deduplicating ids and priorities, handlers with an abort signal and a
 * progress callback, typed events. Two adapters implement it: `in-process` (the embedded default,
 * no dependency) and `bullmq` (Redis). One contract suite (`testing/contract.ts`) runs on both.
 */

/** The kinds of job metre runs, and the data each carries. */
export interface JobDataMap {
  /** Collect one repository (one at a time per repository: its job id deduplicates). */
  readonly collect: { readonly repositoryId: string };
  /** Compute one metric over a repository set and cache the result. */
  readonly compute: {
    readonly metric: string;
    readonly repositories: readonly string[];
    readonly params: Readonly<Record<string, unknown>>;
  };
}

export type JobName = keyof JobDataMap;

export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

/** How far a job has got: e.g. commits stored of commits to walk (total null until counted). */
export interface JobProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number | null;
}

/** A job as the queue reports it. */
export interface JobInfo<N extends JobName = JobName> {
  readonly id: string;
  readonly name: N;
  readonly data: JobDataMap[N];
  readonly state: JobState;
  readonly progress: JobProgress | null;
  /** Attempts made so far (the running one included). */
  readonly attempts: number;
  /** The last failure's message (a METRE_* code first when it had one), or null. */
  readonly error: string | null;
  /** What the handler returned (JSON), once completed. */
  readonly result: unknown;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
  /** For a job a repeat fired: its key and the time it was due; null for a job enqueued directly. */
  readonly repeat: { readonly key: string; readonly dueAt: Date } | null;
}

export interface EnqueueOptions {
  /**
   * Deduplicates: while a job enqueued with this id is waiting, active or delayed, enqueue returns
   * it instead of adding another. The job's own `id` is generated (`<name>-…`), not this.
   */
  readonly jobId?: string | undefined;
  /**
   * Lower runs first (1 is the highest priority). Jobs without one run first, in the order they
   * came (BullMQ's rule, which the in-process adapter follows too).
   */
  readonly priority?: number | undefined;
}

/** What a handler gets beside the job. */
export interface JobContext {
  /** Aborted when the process shuts down: stop soon and throw, the job is released, not failed. */
  readonly signal: AbortSignal;
  progress(progress: JobProgress): Promise<void>;
}

export type JobHandler<N extends JobName> = (
  job: JobInfo<N>,
  context: JobContext,
) => Promise<unknown>;

export interface ProcessOptions {
  readonly concurrency?: number | undefined;
}

export type QueueEvent =
  | { readonly type: 'active' | 'completed' | 'failed' | 'retrying'; readonly job: JobInfo }
  | { readonly type: 'progress'; readonly job: JobInfo; readonly progress: JobProgress };

/** A repeatable job: fires `name` with `data` on a schedule; the same `key` never fires twice. */
export interface RepeatSpec<N extends JobName = JobName> {
  readonly key: string;
  readonly name: N;
  readonly data: JobDataMap[N];
  /** A cron expression (5 fields, or 6 with seconds first; UTC). */
  readonly cron: string;
  /** The dedup id each fired job is enqueued with (see `EnqueueOptions.jobId`). */
  readonly jobId?: string | undefined;
}

/** A repeat as the queue holds it, with when it fires next. */
export interface RepeatInfo extends RepeatSpec {
  readonly next: Date | null;
}

export interface Queue {
  readonly kind: 'in-process' | 'bullmq';
  enqueue<N extends JobName>(
    name: N,
    data: JobDataMap[N],
    options?: EnqueueOptions,
  ): Promise<JobInfo<N>>;
  /** Starts taking jobs of this kind with the handler. */
  process<N extends JobName>(name: N, handler: JobHandler<N>, options?: ProcessOptions): void;
  getJob(id: string): Promise<JobInfo | undefined>;
  listJobs(states?: readonly JobState[]): Promise<JobInfo[]>;
  /** Resolves with the job once it completes or fails, or with its current state after `timeoutMs`. */
  waitForJob(id: string, timeoutMs: number): Promise<JobInfo | undefined>;
  /** Jobs by state, for health and Prometheus. */
  counts(): Promise<Record<JobState, number>>;
  /**
   * Adds or replaces a repeatable job. Repeats fire while a queue that called `repeat` is open (the
   * scheduler's); however many do, each due time fires once.
   */
  repeat(spec: RepeatSpec): Promise<void>;
  removeRepeat(key: string): Promise<void>;
  listRepeats(): Promise<RepeatInfo[]>;
  on(listener: (event: QueueEvent) => void): () => void;
  /** Fails when the queue's backend is unreachable (readiness). */
  ping(): Promise<void>;
  /** Stops taking jobs, lets running handlers finish or releases them (aborting their signal), closes. */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}
