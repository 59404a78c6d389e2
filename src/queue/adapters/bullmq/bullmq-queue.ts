import { randomUUID } from 'node:crypto';
import type * as bullmq from 'bullmq';
import type {
  ConnectionOptions,
  Job,
  JobsOptions,
  Queue as BullQueue,
  QueueEvents,
  Worker as BullWorker,
} from 'bullmq';
import { MetreError } from '../../../errors/index.js';
import { raceAbort, settlesWithin } from '../../abort.js';
import { checkCron } from '../../cron.js';
import { errorText, isUnrecoverable } from '../../errors.js';
import type { QueueTarget, ResolvedQueueOptions } from '../../open-queue.js';
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
import {
  BULL_STATES,
  JOB_NAMES,
  nameOfId,
  portState,
  toJobInfo,
  withRepeat,
  type BullState,
} from './job-info.js';

type BullModule = typeof bullmq;

/** The queue holding the repeats' ticks; each tick enqueues the real job. */
const REPEAT_QUEUE = 'repeat';
/** A job that stalls (its worker died) this many times fails; a collection resumes, so allow many. */
const MAX_STALLED = 10;
/** How long `ping` waits for Redis. */
const PING_TIMEOUT_MS = 2_000;
/** Safety net of `waitForJob` beside the events: the job is read again this often. */
const WAIT_POLL_MS = 500;

/** What a tick carries: the job to enqueue when its repeat is due. */
interface Tick {
  readonly name: JobName;
  readonly data: JobDataMap[JobName];
  readonly jobId: string | null;
}

/**
 * Opens the BullMQ adapter on the Redis a URL names. BullMQ (and through it ioredis) is imported
 * only now.
 */
export async function openBullmqQueue(
  target: Extract<QueueTarget, { kind: 'bullmq' }>,
  options: ResolvedQueueOptions,
): Promise<Queue> {
  const bull = await import('bullmq');
  return new BullmqQueue(bull, target, options);
}

/**
 * The Queue port on BullMQ: one BullMQ queue per kind of job (`collect`, `compute`) so a worker
 * takes only the kinds it runs, plus `repeat`, whose job schedulers fire ticks that enqueue the
 * real jobs with their dedup id. BullMQ's schedulers produce one tick per due time, however many
 * processes upsert them, so two schedulers never double-fire.
 */
class BullmqQueue implements Queue {
  readonly kind = 'bullmq' as const;
  readonly #bull: BullModule;
  readonly #target: Extract<QueueTarget, { kind: 'bullmq' }>;
  readonly #options: ResolvedQueueOptions;
  readonly #connection: ConnectionOptions;
  readonly #queues = new Map<string, BullQueue>();
  readonly #events = new Map<JobName, QueueEvents>();
  readonly #workers: BullWorker[] = [];
  readonly #listeners = new Set<(event: QueueEvent) => void>();
  readonly #shutdown = new AbortController();
  #forwarding = false;
  #closing: Promise<void> | undefined;

  constructor(
    bull: BullModule,
    target: Extract<QueueTarget, { kind: 'bullmq' }>,
    options: ResolvedQueueOptions,
  ) {
    this.#bull = bull;
    this.#target = target;
    this.#options = options;
    this.#connection = connectionOptions(target.url);
  }

  async enqueue<N extends JobName>(
    name: N,
    data: JobDataMap[N],
    options: EnqueueOptions = {},
  ): Promise<JobInfo<N>> {
    return (await this.#add(name, data, options, null)) as JobInfo<N>;
  }

  async #add(
    name: JobName,
    data: object,
    options: EnqueueOptions,
    repeat: JobInfo['repeat'],
  ): Promise<JobInfo> {
    this.#checkOpen();
    const jobOptions: JobsOptions = { jobId: `${name}-${randomUUID()}` };
    if (options.jobId !== undefined) jobOptions.deduplication = { id: options.jobId };
    if (options.priority !== undefined) jobOptions.priority = options.priority;
    const job = await this.#queue(name).add(name, withRepeat(data, repeat), jobOptions);
    // A duplicate returns the id of the job it joins: read that one back.
    return (await this.getJob(String(job.id))) ?? toJobInfo(job, 'waiting');
  }

  process<N extends JobName>(name: N, handler: JobHandler<N>, options: ProcessOptions = {}): void {
    this.#checkOpen();
    const processor = async (job: Job, token?: string, signal?: AbortSignal) => {
      const abort = signal
        ? AbortSignal.any([this.#shutdown.signal, signal])
        : this.#shutdown.signal;
      const context = {
        signal: abort,
        progress: (progress: JobProgress) => job.updateProgress({ ...progress }),
      };
      try {
        return await raceAbort(handler(toJobInfo(job, 'active') as JobInfo<N>, context), abort);
      } catch (error) {
        throw await this.#failure(job, token, error);
      }
    };
    this.#workers.push(this.#worker(name, processor, Math.max(1, options.concurrency ?? 1)));
  }

  /** What a processor throws: a release on shutdown, BullMQ's no-retry signal, or the failure. */
  async #failure(job: Job, token: string | undefined, error: unknown): Promise<Error> {
    if (this.#shutdown.signal.aborted && token !== undefined) {
      await job.moveToWait(token); // released: back to waiting, taken by another worker
      return new this.#bull.WaitingError();
    }
    if (isUnrecoverable(error)) return new this.#bull.UnrecoverableError(errorText(error));
    return new Error(errorText(error));
  }

  #worker(
    name: string,
    processor: (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>,
    concurrency: number,
  ): BullWorker {
    const worker = new this.#bull.Worker(name, processor, {
      connection: this.#connection,
      prefix: this.#options.prefix,
      concurrency,
      lockDuration: this.#options.lockMs,
      stalledInterval: this.#options.lockMs,
      maxStalledCount: MAX_STALLED,
    });
    worker.on('error', (error) => this.#options.onError(error));
    return worker;
  }

  async getJob(id: string): Promise<JobInfo | undefined> {
    const name = nameOfId(id);
    if (name === undefined) return undefined;
    const queue = this.#queue(name);
    // State first: a job read after it is finished carries its result; one that finished between
    // the two reads is asked its state again (finished states are final).
    let state = portState(await queue.getJobState(id));
    const job = await this.#bull.Job.fromId(queue, id);
    if (job === undefined || state === undefined) return undefined;
    if (job.finishedOn !== undefined && state !== 'completed' && state !== 'failed') {
      state = portState(await queue.getJobState(id)) ?? state;
    }
    return toJobInfo(job, state);
  }

  async listJobs(states: readonly JobState[] = Object.keys(BULL_STATES) as JobState[]) {
    const lists = await Promise.all(
      JOB_NAMES.flatMap((name) =>
        states.map(async (state) => {
          const types = [...BULL_STATES[state]] as BullState[];
          const jobs = await this.#queue(name).getJobs(types, 0, this.#options.keepJobs - 1);
          return jobs.map((job) => toJobInfo(job as Job, state));
        }),
      ),
    );
    return lists.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async waitForJob(id: string, timeoutMs: number): Promise<JobInfo | undefined> {
    const waiting = this.#waitForJob(id, timeoutMs);
    waiting.catch(() => undefined); // a late failure after the bound is no one's concern
    // Commands wait for a lost Redis to come back: bound the whole wait, so a caller with a
    // budget (an API request) gets an answer in time.
    if (await settlesWithin(waiting, timeoutMs + PING_TIMEOUT_MS)) return waiting;
    throw new MetreError(
      'METRE_QUEUE_UNAVAILABLE',
      `The queue ${this.#target.name} does not answer`,
    );
  }

  async #waitForJob(id: string, timeoutMs: number): Promise<JobInfo | undefined> {
    const name = nameOfId(id);
    if (name === undefined) return undefined;
    const events = await this.#eventsOf(name);
    const deadline = Date.now() + timeoutMs;
    let wake: () => void = () => undefined;
    const onFinished = ({ jobId }: { jobId: string }) => jobId === id && wake();
    events.on('completed', onFinished);
    events.on('failed', onFinished);
    try {
      for (;;) {
        const job = await this.getJob(id);
        const left = deadline - Date.now();
        if (job === undefined || job.state === 'completed' || job.state === 'failed' || left <= 0) {
          return job;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, WAIT_POLL_MS));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      events.off('completed', onFinished);
      events.off('failed', onFinished);
    }
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
    for (const name of JOB_NAMES) {
      const types = Object.values(BULL_STATES).flat();
      const byType = await this.#queue(name).getJobCounts(...types);
      for (const [type, n] of Object.entries(byType)) {
        const state = portState(type);
        if (state !== undefined) counts[state] += n;
      }
    }
    return counts;
  }

  async repeat(spec: RepeatSpec): Promise<void> {
    this.#checkOpen();
    const cron = checkCron(spec.cron);
    const tick: Tick = { name: spec.name, data: spec.data, jobId: spec.jobId ?? null };
    const queue = this.#queue(REPEAT_QUEUE);
    const existing = await queue.getJobScheduler(spec.key);
    const same =
      existing?.pattern === cron &&
      existing.tz === 'UTC' &&
      JSON.stringify(existing.template?.data) === JSON.stringify(tick);
    // Upserting an unchanged scheduler could move its pending tick: only write a change.
    if (!same) {
      await queue.upsertJobScheduler(
        spec.key,
        { pattern: cron, tz: 'UTC' },
        { name: spec.name, data: tick, opts: this.#keep() },
      );
    }
    this.#forwardTicks();
  }

  async removeRepeat(key: string): Promise<void> {
    await this.#queue(REPEAT_QUEUE).removeJobScheduler(key);
  }

  async listRepeats(): Promise<RepeatInfo[]> {
    const schedulers = await this.#queue(REPEAT_QUEUE).getJobSchedulers(0, -1, true);
    return schedulers.flatMap((scheduler) => {
      const tick = scheduler.template?.data as Tick | undefined;
      if (tick === undefined || scheduler.pattern === undefined || scheduler.pattern === null) {
        return [];
      }
      return [
        {
          key: scheduler.key,
          name: tick.name,
          data: tick.data,
          cron: scheduler.pattern,
          ...(tick.jobId === null ? {} : { jobId: tick.jobId }),
          next: scheduler.next === undefined ? null : new Date(scheduler.next),
        },
      ];
    });
  }

  /** Runs the ticks of every repeat in this process: each tick enqueues its job once. */
  #forwardTicks(): void {
    if (this.#forwarding) return;
    this.#forwarding = true;
    const forward = async (job: Job) => {
      const tick = job.data as Tick;
      const dueAt = new Date(job.opts.prevMillis ?? job.timestamp);
      const repeat = { key: job.repeatJobKey ?? '', dueAt };
      const options = tick.jobId === null ? {} : { jobId: tick.jobId };
      const fired = await this.#add(tick.name, tick.data, options, repeat);
      return { jobId: fired.id, joined: fired.repeat?.dueAt.getTime() !== dueAt.getTime() };
    };
    this.#workers.push(this.#worker(REPEAT_QUEUE, forward, 1));
  }

  on(listener: (event: QueueEvent) => void): () => void {
    this.#listeners.add(listener);
    for (const name of JOB_NAMES) {
      this.#eventsOf(name).catch((error: unknown) => this.#options.onError(asError(error)));
    }
    return () => this.#listeners.delete(listener);
  }

  async ping(): Promise<void> {
    const probe = this.#queue(JOB_NAMES[0] ?? 'collect').getJobCounts('active');
    probe.catch(() => undefined); // a late failure after the time limit is no one's concern
    if (
      !(await settlesWithin(probe, PING_TIMEOUT_MS)) ||
      !(await probe.then(
        () => true,
        () => false,
      ))
    ) {
      throw new MetreError(
        'METRE_QUEUE_UNAVAILABLE',
        `The queue ${this.#target.name} does not answer`,
      );
    }
  }

  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeoutMs ?? 10_000);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    const grace = Math.min(timeoutMs, 2_000);
    const workers = Promise.allSettled(this.#workers.map((worker) => worker.close()));
    if (!(await settlesWithin(workers, timeoutMs))) {
      // Jobs still running are released: they go back to waiting, for another worker.
      this.#shutdown.abort(new MetreError('METRE_QUEUE_UNAVAILABLE', 'The worker is stopping'));
      await settlesWithin(workers, grace);
    }
    const rest = [...this.#events.values(), ...this.#queues.values()].map((q) => q.close());
    await settlesWithin(Promise.allSettled(rest), grace);
  }

  #queue(name: string): BullQueue {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new this.#bull.Queue(name, {
        connection: this.#connection,
        prefix: this.#options.prefix,
        defaultJobOptions: {
          attempts: this.#options.retry.attempts,
          backoff: {
            type: 'exponential',
            delay: this.#options.retry.backoffMs,
            jitter: this.#options.retry.jitter,
          },
          ...this.#keep(),
        },
      });
      queue.on('error', (error) => this.#options.onError(error));
      this.#queues.set(name, queue);
    }
    return queue;
  }

  #keep(): JobsOptions {
    const keep = { count: this.#options.keepJobs };
    return { removeOnComplete: keep, removeOnFail: keep };
  }

  /** The events of one kind of job, across every process; started on first use. */
  async #eventsOf(name: JobName): Promise<QueueEvents> {
    let events = this.#events.get(name);
    if (events === undefined) {
      events = new this.#bull.QueueEvents(name, {
        connection: this.#connection,
        prefix: this.#options.prefix,
        // From now, not from whenever its first read reaches Redis: nothing between is missed.
        lastEventId: `${Date.now()}-0`,
      });
      events.on('error', (error) => this.#options.onError(error));
      this.#relay(events);
      this.#events.set(name, events);
    }
    await events.waitUntilReady();
    return events;
  }

  /** Turns BullMQ's events into the port's, each with the job as it is now. */
  #relay(events: QueueEvents): void {
    const send = (type: QueueEvent['type'], jobId: string, progress?: JobProgress) => {
      if (this.#listeners.size === 0) return;
      this.getJob(jobId)
        .then((job) => {
          if (job === undefined) return;
          const event: QueueEvent =
            type === 'progress'
              ? {
                  type,
                  job,
                  progress: progress ?? job.progress ?? { phase: '', done: 0, total: null },
                }
              : { type, job };
          for (const listener of this.#listeners) listener(event);
        })
        .catch((error: unknown) => this.#options.onError(asError(error)));
    };
    events.on('active', ({ jobId }) => send('active', jobId));
    events.on('completed', ({ jobId }) => send('completed', jobId));
    events.on('failed', ({ jobId }) => send('failed', jobId));
    events.on('delayed', ({ jobId }) => send('retrying', jobId));
    events.on('progress', ({ jobId, data }) => send('progress', jobId, data as JobProgress));
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) {
      throw new MetreError('METRE_QUEUE_UNAVAILABLE', 'The queue is closed');
    }
  }
}

/** ioredis options from a Redis URL; commands wait for a lost connection to come back. */
function connectionOptions(url: string): ConnectionOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
