import { errorText, previousDue, type Queue, type RepeatSpec } from '../queue/index.js';
import type { Repository, Store } from '../store/index.js';
import { collectJobId, type Logger } from '../worker/index.js';
import { scheduleCron } from './schedule.js';

/** The repeats this scheduler owns are keyed `schedule:<repository id>`. */
const KEY_PREFIX = 'schedule:';

export interface SchedulerDeps {
  readonly store: Store;
  readonly queue: Queue;
  readonly log: Logger;
}

export interface SchedulerOptions {
  /** How often the repositories' schedules are read again (new, changed, deleted ones). */
  readonly syncIntervalMs: number;
}

/** What one pass over the repositories did. */
export interface SyncReport {
  readonly scheduled: number;
  readonly removed: number;
  readonly invalid: number;
}

/**
 * Keeps the queue's repeatable jobs equal to the repositories' schedules: one repeat per
 * repository, keyed by its id, firing a `collect` job with the repository's dedup id (so a due
 * collection joins one already pending instead of running twice). Any number of schedulers may run
 * at once: the repeats are upserted only when they change, and the queue fires each due time once.
 */
export class Scheduler {
  readonly #deps: SchedulerDeps;
  readonly #options: SchedulerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(deps: SchedulerDeps, options: SchedulerOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  /**
   * Starts: first enqueues the collections that were due while no scheduler ran (see
   * `catchUp`), then syncs the repeats now and every `syncIntervalMs`. A failed pass (the store or
   * the queue away) is logged and tried again at the next one.
   */
  start(): void {
    this.#running = this.#guard('catch-up', () => this.catchUp()).then(() => this.#tick());
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    await this.#guard('sync', () => this.sync());
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#tick();
    }, this.#options.syncIntervalMs);
  }

  async #guard(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const retryInMs = this.#options.syncIntervalMs;
      this.#deps.log.warn({ error: errorText(error), retryInMs }, `scheduler ${what} failed`);
    }
  }

  /** Stops the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass: a repeat for every repository, none for repositories that are gone. */
  async sync(): Promise<SyncReport> {
    const repositories = await this.#deps.store.listRepositoryRecords();
    let invalid = 0;
    for (const repository of repositories) {
      const spec = this.#spec(repository);
      if (spec === undefined) invalid += 1;
      else await this.#deps.queue.repeat(spec);
    }
    const known = new Set(repositories.map((r) => `${KEY_PREFIX}${r.id}`));
    const stale = (await this.#deps.queue.listRepeats()).filter(
      (repeat) => repeat.key.startsWith(KEY_PREFIX) && !known.has(repeat.key),
    );
    for (const repeat of stale) await this.#deps.queue.removeRepeat(repeat.key);
    return { scheduled: repositories.length - invalid, removed: stale.length, invalid };
  }

  #spec(repository: Repository): RepeatSpec<'collect'> | undefined {
    try {
      return {
        key: `${KEY_PREFIX}${repository.id}`,
        name: 'collect',
        data: { repositoryId: repository.id },
        cron: scheduleCron(repository.schedule, repository.id),
        jobId: collectJobId(repository.id),
      };
    } catch (error) {
      const fields = { repository: repository.name, error: errorText(error) };
      this.#deps.log.error(fields, 'repository has an invalid schedule; it is not scheduled');
      return undefined;
    }
  }

  /**
   * Enqueues the collection of every repository that was never collected, or whose last due
   * time passed since its last collection (no scheduler ran then); failed ones wait for their
   * next due time. Run once, when a scheduler starts: the repeats take over from there.
   */
  async catchUp(now = new Date()): Promise<string[]> {
    const repositories = await this.#deps.store.listRepositoryRecords();
    const enqueued: string[] = [];
    for (const repository of repositories.filter((r) => this.#missed(r, now))) {
      const job = await this.#deps.queue.enqueue(
        'collect',
        { repositoryId: repository.id },
        { jobId: collectJobId(repository.id) },
      );
      enqueued.push(job.id);
    }
    if (enqueued.length > 0)
      this.#deps.log.info({ jobs: enqueued.length }, 'caught up on due collections');
    return enqueued;
  }

  #missed(repository: Repository, now: Date): boolean {
    if (repository.status === 'failed') return false;
    if (repository.lastCollectedAt === null) return true;
    const spec = this.#spec(repository);
    return spec !== undefined && repository.lastCollectedAt < previousDue(spec.cron, now);
  }
}

/**
 * Starts a scheduler over a store and a queue.
 *
 * @example const scheduler = startScheduler({ store, queue, log }, { syncIntervalMs: 30_000 });
 * process.once('SIGTERM', () => scheduler.stop());
 */
export function startScheduler(deps: SchedulerDeps, options: SchedulerOptions): Scheduler {
  const scheduler = new Scheduler(deps, options);
  scheduler.start();
  return scheduler;
}
