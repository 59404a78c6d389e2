import type { Job, JobType } from 'bullmq';
import type { JobInfo, JobName, JobProgress, JobState } from '../../port.js';

/** The kinds of job, each in a BullMQ queue of its own (a BullMQ worker takes every job of its queue). */
export const JOB_NAMES: readonly JobName[] = ['collect', 'compute'];

/** Where a fired repeat's key and due time ride along with the job's data. */
export const REPEAT_FIELD = '__repeat';

interface RepeatField {
  readonly key: string;
  readonly dueAt: number;
}

/** The BullMQ states that make up each of the port's. */
export const BULL_STATES: Readonly<Record<JobState, readonly BullState[]>> = {
  waiting: ['wait', 'prioritized', 'waiting-children'],
  active: ['active'],
  delayed: ['delayed'],
  completed: ['completed'],
  failed: ['failed'],
};

export type BullState = Exclude<JobType, 'repeat'>;

const FROM_BULL: Readonly<Record<string, JobState>> = {
  wait: 'waiting',
  waiting: 'waiting',
  prioritized: 'waiting',
  paused: 'waiting',
  'waiting-children': 'waiting',
  active: 'active',
  delayed: 'delayed',
  completed: 'completed',
  failed: 'failed',
};

/** The port's state of a BullMQ state; undefined for a job that no longer exists (`unknown`). */
export function portState(state: string): JobState | undefined {
  return FROM_BULL[state];
}

/** The job's name from its id (`collect-…`), or undefined for an id no adapter made. */
export function nameOfId(id: string): JobName | undefined {
  return JOB_NAMES.find((name) => id.startsWith(`${name}-`));
}

/** The port's view of a BullMQ job in a known state. */
export function toJobInfo(job: Job, state: JobState): JobInfo {
  const { [REPEAT_FIELD]: repeat, ...data } = (job.data ?? {}) as Record<string, unknown>;
  const fired = repeat as RepeatField | undefined;
  return {
    id: String(job.id),
    name: job.name as JobName,
    data: data as unknown as JobInfo['data'],
    state,
    progress: isProgress(job.progress) ? job.progress : null,
    attempts: job.attemptsStarted,
    error: job.failedReason ? job.failedReason : null,
    result: job.returnvalue ?? null,
    createdAt: new Date(job.timestamp),
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    repeat: fired === undefined ? null : { key: fired.key, dueAt: new Date(fired.dueAt) },
  };
}

/** Job data with a fired repeat's key and due time attached. */
export function withRepeat(data: object, repeat: JobInfo['repeat']): object {
  if (repeat === null) return data;
  const field: RepeatField = { key: repeat.key, dueAt: repeat.dueAt.getTime() };
  return { ...data, [REPEAT_FIELD]: field };
}

function isProgress(value: unknown): value is JobProgress {
  return typeof value === 'object' && value !== null && 'phase' in value && 'done' in value;
}
