/**
 * The metrics benchmark: every metric of the registry computed by `MetricsEngine` on synthetic
 * repositories of several sizes, uncached (the real SQL on the embedded store) and from the
 * results cache, against a full scan of the commits table measured in the same run.
 */
import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { collect, type CollectEvent } from '../src/collect/index.js';
import { loadConfig } from '../src/config/index.js';
import {
  type AnyMetric,
  MetricsEngine,
  type PeopleConfig,
  parseParams,
  peopleConfig,
  registry,
} from '../src/metrics/index.js';
import { latestVersion } from '../src/store/dialects/duckdb/index.js';
import { type Repository, type Store, openStore } from '../src/store/index.js';
import {
  type BenchContext,
  BenchError,
  type Benchmark,
  type CachedRepo,
  type GridColumn,
  cachedRepo,
  grid,
  integer,
  median,
  megabytes,
  milliseconds,
  repeat,
  seconds,
} from './harness.js';

/** Every metric must compute in less than this, uncached, at `TARGET_COMMITS`. */
const MAX_UNCACHED_MS = 500;
const TARGET_COMMITS = 1_000_000;
/** A cache hit must answer in less than this, at any size. */
const MAX_CACHED_MS = 2;
/** Cache hits timed per metric (after one warm-up); the report keeps their median. */
const CACHED_HITS = 200;
/** The name the synthetic repository is collected under. */
const REPO_NAME = 'synthetic';

/** The full scan every metric needs at least: read each commit once. */
const BASELINE_SQL = `SELECT count(*) AS commits, count(DISTINCT author_email) AS emails,
  sum(lines_added) AS lines_added FROM commits WHERE repo_id = $1`;

// ---- the collected store ---------------------------------------------------------------------

/**
 * The DuckDB store holding `repo` (as repository `synthetic`), collected once next to it and
 * reused while the repository and the store's schema version stay the same; its file path.
 *
 * @example const store = await openStore(`duckdb:${await cachedStore(context, repo)}`);
 */
export async function cachedStore(context: BenchContext, repo: CachedRepo): Promise<string> {
  const cacheDir = dirname(repo.dir);
  const name = `store-${basename(repo.dir)}-v${latestVersion}.duckdb`;
  const file = join(cacheDir, name);
  if (existsSync(file)) return file;
  await removeStaleStores(cacheDir, `store-${basename(repo.dir).replace(/-[0-9a-f]+$/, '-')}`);
  const scratch = `${file}.tmp-${process.pid}`;
  const home = `${scratch}-home`;
  await removeStore(scratch);
  context.log(`collecting ${integer(repo.commits)} commits into ${file}`);
  const started = performance.now();
  try {
    // Only what git needs from the environment: no METRE_* setting of the person running it.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const config = loadConfig(env, { store: `duckdb:${scratch}`, home, allowLocal: true });
    const store = await openStore(config.store);
    try {
      const summary = await collect(
        { location: repo.dir, name: REPO_NAME },
        {
          store,
          git: config.git,
          collect: config.collect,
          cwd: context.root,
          onProgress: progressLogger(context),
        },
      );
      if (summary.commits !== repo.commits) {
        throw new BenchError(
          `collected ${summary.commits} commits of the ${repo.commits} git counts in ${repo.dir}`,
        );
      }
      context.log(
        `collected ${integer(summary.commits)} commits, ${integer(summary.fileChanges)} file ` +
          `changes in ${seconds(performance.now() - started)}`,
      );
    } finally {
      await store.close();
    }
    if (existsSync(`${scratch}.wal`)) await rename(`${scratch}.wal`, `${file}.wal`);
    await rename(scratch, file);
  } catch (error) {
    await removeStore(scratch);
    throw error;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return file;
}

/** Logs the collector's progress at most every 10 seconds (and at each phase change). */
function progressLogger(context: BenchContext): (event: CollectEvent) => void {
  let last = 0;
  let phase = '';
  return (event) => {
    const now = performance.now();
    if (event.phase === phase && now - last < 10_000) return;
    last = now;
    phase = event.phase;
    if (event.phase === 'fetch') context.log('  reading the repository');
    else context.log(`  ${event.phase} pass: ${integer(event.done)} commits stored`);
  };
}

async function removeStore(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}

/** Removes stores of the same size and seed made from an older repository or schema. */
async function removeStaleStores(cacheDir: string, prefix: string): Promise<void> {
  for (const entry of await readdir(cacheDir)) {
    if (entry.startsWith(prefix)) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
}

/**
 * Empties the results cache left by an earlier run, so every computation below is a real miss
 * and the file does not grow run after run. The Store port has no such write, so this goes to
 * the file directly, before the store opens it.
 */
async function clearResultsCache(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  try {
    const connection = await instance.connect();
    try {
      await connection.run('DELETE FROM metric_results');
      await connection.run('CHECKPOINT');
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

// ---- measurements ------------------------------------------------------------------------------

interface MetricTiming {
  readonly id: string;
  /** Best of the uncached runs. */
  readonly uncachedMs: number;
  /** Least CPU time (all threads) of the uncached runs: what a busy machine changes least. */
  readonly cpuMs: number;
  /** Best of the metric's own queries run straight on the store (no engine, no cache write). */
  readonly sqlMs: number;
  /** Median of the cache hits. */
  readonly cachedMs: number;
}

interface MetricFailure {
  readonly id: string;
  readonly error: string;
}

type Measured = MetricTiming | MetricFailure;

/** The value, the wall time and the CPU time of this process (every DuckDB thread) in ms. */
async function timed<T>(work: () => Promise<T>): Promise<[T, number, number]> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return [value, wallMs, (user + system) / 1000];
}

/** The full scan of the commits table, best of `runs`. */
async function measureBaseline(store: Store, repo: Repository, runs: number): Promise<number> {
  const times = await repeat(runs, async () => {
    const [rows, ms] = await timed(() => store.query({ sql: BASELINE_SQL, params: [repo.id] }));
    if (rows.length !== 1) throw new BenchError('the baseline scan returned no row');
    return ms;
  });
  return Math.min(...times);
}

/**
 * One metric, default parameters. Each uncached run goes through an engine whose copy of the
 * metric has another version: its cache key is new, so `get` misses and runs the real SQL (and
 * writes the result), exactly as a first request would. The last run's engine then answers from
 * the cache: one warm-up, then `CACHED_HITS` timed hits.
 */
async function measureMetric(
  store: Store,
  repo: Repository,
  people: PeopleConfig,
  metric: AnyMetric,
  runs: number,
): Promise<MetricTiming> {
  const request = { metric: metric.id, repositories: [REPO_NAME] };
  const queries = metric.compile(parseParams(metric, {}), {
    repoIds: [repo.id],
    sql: store.sql,
    people,
  });
  const uncached: number[] = [];
  const cpu: number[] = [];
  let engine: MetricsEngine | undefined;
  for (let run = 0; run < runs; run++) {
    const copy: AnyMetric = { ...metric, version: metric.version + 1000 * (run + 1) };
    engine = new MetricsEngine({ store, people, metrics: [copy] });
    const [answer, ms, cpuMs] = await timed(() => engine!.get(request));
    if (answer.cached) throw new BenchError(`${metric.id}: run ${run + 1} was a cache hit`);
    uncached.push(ms);
    cpu.push(cpuMs);
  }
  if (engine === undefined) throw new BenchError('--runs must be at least 1');
  const warm = await engine.get(request);
  if (!warm.cached) throw new BenchError(`${metric.id}: the second request missed the cache`);
  const hits: number[] = [];
  for (let i = 0; i < CACHED_HITS; i++) {
    const [answer, ms] = await timed(() => engine!.get(request));
    if (!answer.cached) throw new BenchError(`${metric.id}: cache hit ${i + 1} missed`);
    hits.push(ms);
  }
  const sql = await repeat(runs, async () => {
    const [, ms] = await timed(async () => {
      for (const query of queries) await store.query(query);
    });
    return ms;
  });
  return {
    id: metric.id,
    uncachedMs: Math.min(...uncached),
    cpuMs: Math.min(...cpu),
    sqlMs: Math.min(...sql),
    cachedMs: median(hits),
  };
}

// ---- report ----------------------------------------------------------------------------------

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

const COLUMNS: readonly GridColumn[] = [
  { title: 'metric', align: 'left' },
  { title: 'uncached', align: 'right' },
  { title: '(CPU)', align: 'right' },
  { title: 'cached', align: 'right' },
  { title: 'SQL only', align: 'right' },
  { title: 'x scan', align: 'right' },
  { title: `uncached < ${MAX_UNCACHED_MS} ms at 1M`, align: 'left' },
  { title: `cached < ${MAX_CACHED_MS} ms`, align: 'left' },
];

function metricRow(m: Measured, baselineMs: number, commits: number): string[] {
  if ('error' in m) return [m.id, `error: ${m.error}`];
  const atTarget = commits >= TARGET_COMMITS;
  return [
    m.id,
    milliseconds(m.uncachedMs),
    milliseconds(m.cpuMs),
    milliseconds(m.cachedMs),
    milliseconds(m.sqlMs),
    `${(m.uncachedMs / baselineMs).toFixed(1)}x`,
    atTarget ? verdict(m.uncachedMs < MAX_UNCACHED_MS) : '-',
    verdict(m.cachedMs < MAX_CACHED_MS),
  ];
}

interface SizeReport {
  readonly repo: CachedRepo;
  readonly storeFile: string;
  readonly storeMb: number;
  readonly fileChanges: number;
  readonly baselineMs: number;
  readonly measured: readonly Measured[];
  readonly runs: number;
  readonly seed: number;
  /** The 1-minute load average before and after the measurements. */
  readonly load: readonly [number, number];
}

function report(r: SizeReport): string {
  const timings = r.measured.filter((m): m is MetricTiming => !('error' in m));
  const failures = r.measured.length - timings.length;
  const atTarget = r.repo.commits >= TARGET_COMMITS;
  const slow = timings.filter((m) => m.uncachedMs >= MAX_UNCACHED_MS).length;
  const slowHits = timings.filter((m) => m.cachedMs >= MAX_CACHED_MS).length;
  const summary = [
    atTarget
      ? `uncached target: ${timings.length - slow} of ${r.measured.length} metrics under ${MAX_UNCACHED_MS} ms`
      : `uncached target applies at ${integer(TARGET_COMMITS)} commits; here ${slow} metric(s) take ${MAX_UNCACHED_MS} ms or more`,
    `cached target: ${timings.length - slowHits} of ${r.measured.length} metrics under ${MAX_CACHED_MS} ms`,
    ...(failures > 0 ? [`${failures} metric(s) failed to compute`] : []),
  ];
  return (
    `metrics: ${integer(r.repo.commits)} commits, ${integer(r.fileChanges)} file changes ` +
    `(seed ${r.seed}; store ${r.storeFile}, ${megabytes(r.storeMb)})\n` +
    `baseline, full scan of commits (count, distinct emails, sum of lines): ` +
    `${milliseconds(r.baselineMs)}, best of ${r.runs}\n` +
    `uncached: engine.get missing the cache (SQL, result written to the cache), best of ${r.runs}; ` +
    `(CPU): its least CPU time, all threads; cached: engine.get hit, median of ${CACHED_HITS}; ` +
    `SQL only: the metric's queries straight on the store, best of ${r.runs}; ` +
    `x scan: uncached / baseline\n` +
    `load average (1 min): ${r.load[0].toFixed(1)} before, ${r.load[1].toFixed(1)} after, ` +
    `on ${cpus().length} cores (above that, wall times include waiting for a core)\n\n` +
    `${grid(
      COLUMNS,
      r.measured.map((m) => metricRow(m, r.baselineMs, r.repo.commits)),
    )}\n\n` +
    `${summary.join('\n')}\n` +
    `peak RSS of this process so far (DuckDB included): ${megabytes(process.resourceUsage().maxRSS / 1024)}\n\n`
  );
}

// ---- run -------------------------------------------------------------------------------------

async function runSize(context: BenchContext, commits: number): Promise<void> {
  const repo = await cachedRepo(context, { commits, seed: context.seed, bare: true });
  const origin = repo.generated ? `generated in ${repo.seconds.toFixed(1)} s` : 'cached';
  context.log(`repository ${repo.dir} (${origin})`);
  const storeFile = await cachedStore(context, repo);
  await clearResultsCache(storeFile);
  const storeMb = (await stat(storeFile)).size / 1024 / 1024;
  const store = await openStore(`duckdb:${storeFile}`);
  try {
    const found = await store.findRepository(REPO_NAME);
    if (found === undefined) throw new BenchError(`${storeFile} holds no ${REPO_NAME} repository`);
    const summary = (await store.listRepositories()).find((r) => r.id === found.id);
    const people = peopleConfig({ botPatterns: undefined, affiliations: [] });
    context.log(`baseline scan, ${context.runs} runs`);
    const loadBefore = loadavg()[0] ?? NaN;
    const baselineMs = await measureBaseline(store, found, context.runs);
    const measured: Measured[] = [];
    for (const metric of registry) {
      context.log(`${metric.id}: ${context.runs} uncached runs, ${CACHED_HITS} cache hits`);
      try {
        measured.push(await measureMetric(store, found, people, metric, context.runs));
      } catch (error) {
        if (error instanceof BenchError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        context.log(`${metric.id} failed: ${message}`);
        measured.push({ id: metric.id, error: message.split('\n')[0] ?? message });
      }
    }
    process.stdout.write(
      report({
        repo,
        storeFile,
        storeMb,
        fileChanges: summary?.fileChanges ?? NaN,
        baselineMs,
        measured,
        runs: context.runs,
        seed: context.seed,
        load: [loadBefore, loadavg()[0] ?? NaN],
      }),
    );
  } finally {
    await store.close();
  }
}

async function run(context: BenchContext): Promise<void> {
  for (const commits of context.sizes) await runSize(context, commits);
}

export const metrics: Benchmark = {
  name: 'metrics',
  description: 'every metric, uncached and cached, on 10k/100k/1M-commit stores vs a full scan',
  defaultRuns: 3,
  run,
};
