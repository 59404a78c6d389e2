/**
 * The distributed shape's benchmark: 8 generated repositories collected into PostgreSQL through
 * BullMQ on Redis by 1 worker process, then by 2 (the speedup, and where the time goes), against
 * git alone printing the same histories; then the queue's own cost per job, BullMQ against the
 * in-process queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { FILES_PASS_ARGS } from '../src/collect/index.js';
import { loadTestServices } from '../src/config/index.js';
import { openQueue, type JobInfo, type Queue } from '../src/queue/index.js';
import { removeQueueKeys } from '../src/queue/testing/redis-keys.js';
import { openStore } from '../src/store/index.js';
import { collectJobId, type CollectResult } from '../src/worker/index.js';
import {
  type BenchContext,
  BenchError,
  type Benchmark,
  type CachedRepo,
  cachedRepo,
  median,
  milliseconds,
  seconds,
  table,
  timeChild,
} from './harness.js';

const REPOSITORIES = 8;
const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
/** No-op jobs pushed through each queue for the throughput, and sent one by one for latency. */
const NOOP_JOBS = 1_000;
const ROUND_TRIPS = 100;

/** Clock ticks per second of /proc CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100;

interface Cpu {
  /** The process's own CPU (user + system), ms. */
  readonly self: number;
  /** Its reaped children's (the git processes of a worker), ms. */
  readonly children: number;
}

/** CPU times of a live process from /proc (zero where unreadable). */
function processCpu(pid: number | undefined): Cpu {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), the first being field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = (field: number) => (Number(fields[field - 3]) * 1000) / TICKS;
    return { self: at(14) + at(15), children: at(16) + at(17) };
  } catch {
    return { self: 0, children: 0 };
  }
}

/** Busy CPU time of the whole machine so far, ms (every core). */
function machineBusy(): number {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const n = values.map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return ((n.reduce((a, b) => a + b, 0) - idle) * 1000) / TICKS;
  } catch {
    return 0;
  }
}

/**
 * Samples the CPU of every process with one of these names (`postgres`, `redis-server`) while a
 * measurement runs: what each process used since it was first seen, summed. Processes born and
 * gone between two samples are missed; the server processes of a run live through it.
 */
function sampleCpu(names: readonly string[]): { stop(): Record<string, number> } {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const sample = () => {
    for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      try {
        const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (!names.includes(name)) continue;
        const key = `${name}:${pid}`;
        const cpu = processCpu(Number(pid)).self;
        if (!first.has(key)) first.set(key, cpu);
        last.set(key, cpu);
      } catch {
        // gone meanwhile
      }
    }
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
      for (const [key, cpu] of last) {
        const name = key.slice(0, key.indexOf(':'));
        totals[name] = (totals[name] ?? 0) + cpu - (first.get(key) ?? cpu);
      }
      return totals;
    },
  };
}

/** A worker process of the built CLI, ready once it says so. */
async function startWorker(context: BenchContext, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [context.metre, 'worker', '--queues', 'collect'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('"msg":"worker started"')) resolve();
    });
    child.once('exit', (code) => reject(new BenchError(`metre worker exited (${code}): ${log}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** One configuration's measurements. */
interface Run {
  readonly workers: number;
  readonly wallMs: number;
  readonly jobs: readonly CollectResult[];
  /** From enqueue to the first worker taking each job, ms. */
  readonly waits: readonly number[];
  readonly workerCpu: number;
  readonly gitCpu: number;
  readonly machineCpu: number;
  /** The PostgreSQL and Redis servers' CPU during the run (all their clients, other tests too). */
  readonly postgresCpu: number;
  readonly redisCpu: number;
}

/** Collects every repository with `workers` worker processes into a fresh schema and prefix. */
async function collectAll(
  context: BenchContext,
  urls: { postgres: string; redis: string },
  repos: readonly CachedRepo[],
  workers: number,
): Promise<Run> {
  const schema = `metre_bench_queue_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const prefix = `metre-bench-${randomUUID().slice(0, 8)}`;
  const storeUrl = new URL(urls.postgres);
  storeUrl.searchParams.set('schema', schema);
  const home = join(tmpdir(), `metre-bench-queue-${prefix}`);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    METRE_HOME: home,
    METRE_STORE: storeUrl.toString(),
    METRE_QUEUE: urls.redis,
    METRE_QUEUE_PREFIX: prefix,
    METRE_LOG_LEVEL: 'info',
  };
  const store = await openStore(storeUrl.toString()); // creates the schema before the workers
  const queue = await openQueue(urls.redis, { prefix });
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) children.push(await startWorker(context, env));
    const ids = [];
    for (const [i, repo] of repos.entries()) {
      ids.push((await store.saveRepository({ name: `repo-${i}`, source: repo.dir })).id);
    }
    const busyBefore = machineBusy();
    const servers = sampleCpu(['postgres', 'redis-server']);
    const started = performance.now();
    const enqueued = await Promise.all(
      ids.map((id) => queue.enqueue('collect', { repositoryId: id }, { jobId: collectJobId(id) })),
    );
    const done: JobInfo[] = [];
    for (const job of enqueued) done.push(await finished(queue, job.id));
    const wallMs = performance.now() - started;
    const machineCpu = machineBusy() - busyBefore;
    const serverCpu = servers.stop();
    const cpu = children.map((child) => processCpu(child.pid));
    const failed = done.filter((job) => job.state !== 'completed');
    if (failed.length > 0) throw new BenchError(`collection failed: ${failed[0]?.error}`);
    return {
      workers,
      wallMs,
      jobs: done.map((job) => job.result as CollectResult),
      waits: done.map((job) => waitOf(job)),
      workerCpu: cpu.reduce((sum, c) => sum + c.self, 0),
      gitCpu: cpu.reduce((sum, c) => sum + c.children, 0),
      machineCpu,
      postgresCpu: serverCpu.postgres ?? 0,
      redisCpu: serverCpu['redis-server'] ?? 0,
    };
  } finally {
    await Promise.all(children.map(stop));
    await queue.close({ timeoutMs: 1_000 });
    await store.close();
    await dropSchema(urls.postgres, schema);
    await removeQueueKeys(urls.redis, prefix);
    await rm(home, { recursive: true, force: true });
  }
}

/** How long a job waited for a worker: its run ended `durationMs` after it started. */
function waitOf(job: JobInfo): number {
  const result = job.result as CollectResult;
  const end = job.finishedAt?.getTime() ?? job.createdAt.getTime();
  return Math.max(0, end - result.durationMs - job.createdAt.getTime());
}

async function finished(queue: Queue, id: string): Promise<JobInfo> {
  for (;;) {
    const job = await queue.waitForJob(id, 60_000);
    if (job === undefined) throw new BenchError(`job ${id} vanished`);
    if (job.state === 'completed' || job.state === 'failed') return job;
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** git alone printing the files pass of every repository, one after the other: the floor. */
async function gitFloor(repos: readonly CachedRepo[]): Promise<{ wallMs: number; cpuMs: number }> {
  const before = processCpu(process.pid).children;
  let total = 0;
  for (const repo of repos) {
    const run = await timeChild('git', ['-C', repo.dir, ...FILES_PASS_ARGS, '--all'], {
      discardStdout: true,
    });
    if (run.code !== 0) throw new BenchError(`git log failed: ${run.stderr.trim()}`);
    total += run.wallMs;
  }
  return { wallMs: total, cpuMs: processCpu(process.pid).children - before };
}

/** Per-job cost of a queue: `NOOP_JOBS` no-op jobs in a burst, then sequential round trips. */
async function queueCost(url: string | undefined): Promise<{ burst: number; roundTrip: number }> {
  const prefix = `metre-bench-${randomUUID().slice(0, 8)}`;
  const queue = await openQueue(url, { prefix });
  try {
    queue.process('compute', async () => null);
    const request = { metric: 'noop', repositories: ['r'], params: {} };
    await finished(queue, (await queue.enqueue('compute', request)).id); // warm-up
    const started = performance.now();
    const jobs = await Promise.all(
      Array.from({ length: NOOP_JOBS }, () => queue.enqueue('compute', request)),
    );
    for (const job of jobs) await finished(queue, job.id);
    const burst = (performance.now() - started) / NOOP_JOBS;
    const trips: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const tripStarted = performance.now();
      await finished(queue, (await queue.enqueue('compute', request)).id);
      trips.push(performance.now() - tripStarted);
    }
    return { burst, roundTrip: median(trips) };
  } finally {
    await queue.close({ timeoutMs: 1_000 });
    if (url !== undefined) await removeQueueKeys(url, prefix);
  }
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function passes(jobs: readonly CollectResult[]): string {
  const totals = [
    sum(jobs.map((j) => j.fetchMs)),
    sum(jobs.map((j) => j.commitsPassMs)),
    sum(jobs.map((j) => j.filesPassMs)),
  ];
  return totals.map(seconds).join(' / ');
}

function runRows(run: Run): string[][] {
  const jobs = run.jobs;
  const busy = sum(jobs.map((j) => j.durationMs));
  const other = Math.max(
    0,
    run.machineCpu - run.workerCpu - run.gitCpu - run.postgresCpu - run.redisCpu,
  );
  return [
    [`${run.workers} worker(s): wall`, seconds(run.wallMs)],
    ['  jobs running (sum of collection times)', seconds(busy)],
    ['    fetch / commits pass / files pass', passes(jobs)],
    ['  waiting for a worker (median per job)', seconds(median(run.waits))],
    ['  CPU: metre workers (parse, store)', seconds(run.workerCpu)],
    ['  CPU: their git processes', seconds(run.gitCpu)],
    ['  CPU: PostgreSQL server (every client)', seconds(run.postgresCpu)],
    ['  CPU: Redis server', seconds(run.redisCpu)],
    ['  CPU: everything else on the machine', seconds(other)],
    [
      '  CPU of the collection (workers, git, servers) / wall',
      ((run.workerCpu + run.gitCpu + run.postgresCpu + run.redisCpu) / run.wallMs).toFixed(2),
    ],
    ['  CPU used / wall (cores busy)', (run.machineCpu / run.wallMs).toFixed(2)],
  ];
}

export const queue: Benchmark = {
  name: 'queue',
  description: `${REPOSITORIES} repositories collected by 1 and 2 workers (PostgreSQL + Redis); queue cost per job`,
  defaultRuns: 1,
  async run(context: BenchContext): Promise<void> {
    const services = loadTestServices(process.env);
    const urls = {
      postgres: services.postgresUrl ?? DEFAULT_POSTGRES,
      redis: services.redisUrl ?? DEFAULT_REDIS,
    };
    const commits = Math.max(1_000, Math.round(context.commits / 10));
    const repos: CachedRepo[] = [];
    for (let i = 0; i < REPOSITORIES; i++) {
      repos.push(await cachedRepo(context, { commits, seed: context.seed + i }));
    }
    context.log(`git log over the ${REPOSITORIES} repositories (the floor)`);
    const floor = await gitFloor(repos);
    const load = loadavg()[0] ?? 0;
    const runs: Run[] = [];
    for (const workers of [1, 2]) {
      context.log(`collecting with ${workers} worker(s)`);
      runs.push(await collectAll(context, urls, repos, workers));
    }
    context.log('queue cost per job: in-process, then BullMQ');
    const inProcess = await queueCost(undefined);
    const bullmq = await queueCost(urls.redis);
    const [one, two] = runs as [Run, Run];
    const rows: string[][] = [
      [
        `${REPOSITORIES} repositories of ${commits.toLocaleString('en')} commits, ${repos.reduce((n, r) => n + r.commits, 0).toLocaleString('en')} in all`,
        '',
      ],
      ['git log numstat of all, one after the other (floor)', seconds(floor.wallMs)],
      ['  its CPU', seconds(floor.cpuMs)],
      ...runRows(one),
      ...runRows(two),
      ['speedup, 2 workers / 1 worker (baseline: 1 worker)', ratio(one.wallMs, two.wallMs)],
      ['ratio 1 worker wall / git floor', ratio(one.wallMs, floor.wallMs)],
      ['ratio 2 workers wall / git floor', ratio(two.wallMs, floor.wallMs)],
      [`no-op job, burst of ${NOOP_JOBS}: in-process (baseline)`, milliseconds(inProcess.burst)],
      [`no-op job, burst of ${NOOP_JOBS}: BullMQ`, milliseconds(bullmq.burst)],
      ['ratio BullMQ / in-process, per job in a burst', ratio(bullmq.burst, inProcess.burst)],
      [
        `no-op job round trip (median of ${ROUND_TRIPS}): in-process (baseline)`,
        milliseconds(inProcess.roundTrip),
      ],
      [`no-op job round trip (median of ${ROUND_TRIPS}): BullMQ`, milliseconds(bullmq.roundTrip)],
      ['ratio BullMQ / in-process, round trip', ratio(bullmq.roundTrip, inProcess.roundTrip)],
      ['load average before / cores', `${load.toFixed(2)} / ${cpus().length}`],
    ];
    process.stdout.write(`\n## queue\n\n${table(rows.map(([a, b]) => [a ?? '', b ?? '']))}\n`);
  },
};
