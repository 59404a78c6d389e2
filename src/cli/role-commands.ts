import { MetreError } from '../errors/index.js';
import type { CliDeps } from './commands.js';

/** The flags the long-running roles share. */
export interface RoleOptions {
  readonly store?: string;
  readonly queue?: string;
  readonly queues?: string;
  readonly concurrency?: string;
}

function concurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new MetreError('METRE_USAGE', `--concurrency must be a positive integer, not "${value}"`);
  }
  return n;
}

function roleConfig(deps: CliDeps, options: RoleOptions) {
  return deps.loadConfig({
    store: options.store,
    queue: options.queue,
    queues: options.queues,
    concurrency: concurrency(options.concurrency),
  });
}

/** `metre serve`: store, in-process queue, workers, scheduler (and the API) in one process. */
export function serveCommand(deps: CliDeps, options: RoleOptions): Promise<void> {
  return deps.roles.serve(roleConfig(deps, options));
}

/** `metre worker`: takes collect and/or metrics jobs from the queue until stopped. */
export function workerCommand(deps: CliDeps, options: RoleOptions): Promise<void> {
  return deps.roles.worker(roleConfig(deps, options));
}

/** `metre scheduler`: keeps the queue's repeatable jobs equal to the repositories' schedules. */
export function schedulerCommand(deps: CliDeps, options: RoleOptions): Promise<void> {
  return deps.roles.scheduler(roleConfig(deps, options));
}
