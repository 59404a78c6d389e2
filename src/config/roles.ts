import { z } from 'zod';
import { MetreError } from '../errors/index.js';

const positiveInt = z.coerce.number().int().positive();

/** The variables of the queue, the workers, the scheduler and shutdown (part of the env schema). */
export const roleEnv = {
  METRE_QUEUE: z
    .string()
    .regex(/^(in-process|rediss?:\/\/.+)$/, 'in-process or redis://host:port[/db][?prefix=name]')
    .optional(),
  METRE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  METRE_QUEUE_ATTEMPTS: positiveInt.optional(),
  METRE_QUEUE_BACKOFF_MS: positiveInt.optional(),
  METRE_QUEUE_LOCK_MS: z.coerce.number().int().min(1000).optional(),
  METRE_WORKER_QUEUES: z.string().optional(),
  METRE_WORKER_CONCURRENCY: positiveInt.optional(),
  METRE_SCHEDULER_SYNC_MS: positiveInt.optional(),
  METRE_COMPUTE_WAIT_MS: z.coerce.number().int().min(0).optional(),
  METRE_SHUTDOWN_TIMEOUT_MS: positiveInt.optional(),
};

type RoleEnv = { [K in keyof typeof roleEnv]?: z.output<(typeof roleEnv)[K]> };

/** Flags of `metre serve|worker|scheduler|add|jobs`; they win over the environment. */
export interface RoleOverrides {
  /** The queue URL (`--queue`): `in-process` or `redis://…`. */
  readonly queue?: string | undefined;
  /** The kinds of job a worker takes (`--queues collect,metrics`). */
  readonly queues?: string | undefined;
  readonly concurrency?: number | undefined;
}

/** The kinds of job a worker can take: `collect` runs collections, `metrics` computes metrics. */
export type WorkerQueue = 'collect' | 'metrics';

/** The queue's slice. */
export interface QueueSettings {
  /** METRE_QUEUE (`--queue` wins): undefined for the in-process queue. */
  readonly url: string | undefined;
  /** Redis key prefix (METRE_QUEUE_PREFIX, default `metre`); a `?prefix=` in the URL wins. */
  readonly prefix: string;
  readonly retry: {
    /** Attempts per job, the first included (METRE_QUEUE_ATTEMPTS, default 6). */
    readonly attempts: number;
    /** The first retry's wait, doubled after each failure (METRE_QUEUE_BACKOFF_MS, default 1000). */
    readonly backoffMs: number;
    readonly jitter: number;
  };
  /** How soon a dead worker's job goes to another (METRE_QUEUE_LOCK_MS, default 30 s). */
  readonly lockMs: number;
}

/** What the roles of the distributed shape read, beside the store. */
export interface RoleSettings {
  readonly queue: QueueSettings;
  readonly worker: {
    /** METRE_WORKER_QUEUES or `--queues`; default both. */
    readonly queues: readonly WorkerQueue[];
    /** Jobs of each kind run at once (METRE_WORKER_CONCURRENCY or `--concurrency`, default 1). */
    readonly concurrency: number;
  };
  readonly schedule: {
    /** How often the scheduler reads the repositories' schedules (METRE_SCHEDULER_SYNC_MS, 30 s). */
    readonly syncIntervalMs: number;
  };
  /** How long an on-demand metric request waits for its compute job (METRE_COMPUTE_WAIT_MS, 2 s). */
  readonly computeWaitMs: number;
  /** How long a stopping process lets running jobs finish (METRE_SHUTDOWN_TIMEOUT_MS, 10 s). */
  readonly shutdownTimeoutMs: number;
}

const WORKER_QUEUES: readonly WorkerQueue[] = ['collect', 'metrics'];

function workerQueues(value: string | undefined): WorkerQueue[] {
  if (value === undefined) return [...WORKER_QUEUES];
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !WORKER_QUEUES.includes(name as WorkerQueue));
  if (names.length === 0 || unknown.length > 0) {
    throw new MetreError(
      'METRE_CONFIG_INVALID',
      `Invalid worker queues "${value}": a comma-separated list of ${WORKER_QUEUES.join(', ')}`,
    );
  }
  return [...new Set(names as WorkerQueue[])];
}

function concurrency(value: number | undefined): number {
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new MetreError('METRE_CONFIG_INVALID', `Invalid concurrency ${value}: 1 to 64`);
  }
  return value;
}

/** The role settings from the validated environment and the flags. */
export function roleSettings(e: RoleEnv, overrides: RoleOverrides): RoleSettings {
  const url = overrides.queue ?? e.METRE_QUEUE;
  if (url !== undefined && !/^(in-process|rediss?:\/\/.+)$/.test(url)) {
    throw new MetreError(
      'METRE_CONFIG_INVALID',
      'Invalid queue URL: in-process or redis://host:port[/db][?prefix=name]',
    );
  }
  return {
    queue: {
      url: url === 'in-process' ? undefined : url,
      prefix: e.METRE_QUEUE_PREFIX ?? 'metre',
      retry: {
        attempts: e.METRE_QUEUE_ATTEMPTS ?? 6,
        backoffMs: e.METRE_QUEUE_BACKOFF_MS ?? 1_000,
        jitter: 0.5,
      },
      lockMs: e.METRE_QUEUE_LOCK_MS ?? 30_000,
    },
    worker: {
      queues: workerQueues(overrides.queues ?? e.METRE_WORKER_QUEUES),
      concurrency: concurrency(overrides.concurrency ?? e.METRE_WORKER_CONCURRENCY),
    },
    schedule: { syncIntervalMs: e.METRE_SCHEDULER_SYNC_MS ?? 30_000 },
    computeWaitMs: e.METRE_COMPUTE_WAIT_MS ?? 2_000,
    shutdownTimeoutMs: e.METRE_SHUTDOWN_TIMEOUT_MS ?? 10_000,
  };
}
