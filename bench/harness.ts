/**
 * What every benchmark shares: the context `bench/run.ts` passes, timed child processes, the
 * cache of generated repositories and the report table.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type MakeRepoOptions,
  type MakeRepoResult,
  describe,
  makeRepo,
  resolveOptions,
} from './make-repo.js';

/** What `bench/run.ts` hands each benchmark. */
export interface BenchContext {
  /** The project root (where `bin/metre.js` and `.metre/` live). */
  readonly root: string;
  /** Size of the synthetic repository. */
  readonly commits: number;
  /** Sizes of the repositories a benchmark sweeps (`--sizes`; the `metrics` benchmark). */
  readonly sizes: readonly number[];
  readonly seed: number;
  /** How many times each measurement runs; the report keeps the best. */
  readonly runs: number;
  /** The CLI script to measure, normally `bin/metre.js`. */
  readonly metre: string;
  /** Progress for the person waiting (stderr); the report itself goes to stdout. */
  readonly log: (line: string) => void;
}

/** A named benchmark; `npm run bench -- <name>` runs only that one. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /** Runs per measurement when `--runs` is not given (2 when unset). */
  readonly defaultRuns?: number;
  run(context: BenchContext): Promise<void>;
}

/** The failure of a benchmark to run at all (as opposed to a missed target). */
export class BenchError extends Error {
  override readonly name = 'BenchError';
}

export interface ChildRun {
  readonly code: number | null;
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Highest resident set of the child itself (Linux /proc VmHWM), when observable. */
  readonly peakRssMb: number | undefined;
}

export interface ChildOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Send stdout to /dev/null instead of capturing it. */
  readonly discardStdout?: boolean;
}

const MAX_CAPTURE = 16 * 1024 * 1024;

/** Runs a command to completion and measures its wall time (and its peak RSS on Linux). */
export async function timeChild(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildRun> {
  const devNull = options.discardStdout ? openSync('/dev/null', 'w') : undefined;
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
  });
  const watcher = watchPeakRss(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < MAX_CAPTURE) stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < MAX_CAPTURE) stderr += chunk;
  });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, wallMs: performance.now() - started, stdout, stderr, peakRssMb: watcher.stop() };
  } finally {
    watcher.stop();
    if (devNull !== undefined) closeSync(devNull);
  }
}

/**
 * Polls `/proc/<pid>/status` for VmHWM, the kernel's own high-water mark of the resident set:
 * the last value read before exit is the peak, give or take the final 50 ms.
 */
function watchPeakRss(pid: number | undefined): { stop: () => number | undefined } {
  let peakKb: number | undefined;
  const read = (): void => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
      if (Number.isFinite(kb)) peakKb = Math.max(peakKb ?? 0, kb);
    } catch {
      // The process has exited (or this is not Linux): keep the last value.
    }
  };
  const timer = pid === undefined ? undefined : setInterval(read, 50);
  return {
    stop: () => {
      if (timer !== undefined) clearInterval(timer);
      return peakKb === undefined ? undefined : peakKb / 1024;
    },
  };
}

/** Runs `measure` `runs` times, one after the other. */
export async function repeat<T>(runs: number, measure: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await measure());
  return results;
}

// ---- generated repositories ------------------------------------------------------------------

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

/** A hash of the generator's own source: changing the generator invalidates every cached repo. */
async function generatorHash(): Promise<string> {
  const hash = createHash('sha256');
  const synth = join(BENCH_DIR, 'synth');
  const files = (await readdir(synth)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of [
    join(BENCH_DIR, 'make-repo.ts'),
    ...files.sort().map((f) => join(synth, f)),
  ]) {
    hash.update(await readFile(file));
  }
  return hash.digest('hex');
}

export interface CachedRepo extends MakeRepoResult {
  /** True when it was generated by this run (and `seconds` is how long that took). */
  readonly generated: boolean;
  readonly seconds: number;
}

/**
 * The synthetic repository for `options`, generated once under `.metre/bench/` and reused while
 * the options and the generator's source stay the same.
 */
export async function cachedRepo(
  context: BenchContext,
  options: MakeRepoOptions,
): Promise<CachedRepo> {
  const settings = resolveOptions(options);
  const key = createHash('sha256')
    .update(JSON.stringify(settings))
    .update(await generatorHash())
    .digest('hex')
    .slice(0, 16);
  const cacheDir = join(context.root, '.metre', 'bench');
  const prefix = `repo-${settings.commits}-seed${settings.seed}-`;
  const dir = join(cacheDir, `${prefix}${key}`);
  const marker = `${dir}.json`;
  if (existsSync(marker) && existsSync(dir)) {
    const result = JSON.parse(await readFile(marker, 'utf8')) as MakeRepoResult & {
      seconds: number;
    };
    return { ...result, dir, generated: false };
  }
  await removeStale(cacheDir, prefix);
  const scratch = `${dir}.tmp-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  context.log(`generating a ${settings.commits.toLocaleString('en')}-commit repository in ${dir}`);
  const started = performance.now();
  try {
    await makeRepo(scratch, options);
    await rename(scratch, dir);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  const result = { ...(await describe(dir)), seconds };
  await writeFile(marker, `${JSON.stringify({ ...result, options: settings }, null, 2)}\n`);
  return { ...result, generated: true };
}

/** Removes repositories of the same size and seed made by an older generator (or half made). */
async function removeStale(cacheDir: string, prefix: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  for (const entry of await readdir(cacheDir)) {
    if (entry.startsWith(prefix)) await rm(join(cacheDir, entry), { recursive: true, force: true });
  }
}

// ---- report --------------------------------------------------------------------------------------

/** A report line: label, value, then optionally the target and whether it was met. */
export type Row = readonly [label: string, value: string, target?: string, verdict?: string];

/** Formats rows as columns: labels left, values right, targets and verdicts left. */
export function table(rows: readonly Row[]): string {
  const widths = [0, 0, 0, 0];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell?.length ?? 0)));
  }
  const cell = (text: string | undefined, i: number): string =>
    i === 1 ? (text ?? '').padStart(widths[i] ?? 0) : (text ?? '').padEnd(widths[i] ?? 0);
  return rows.map((row) => row.map(cell).join('   ').trimEnd()).join('\n');
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const megabytes = (mb: number | undefined): string =>
  mb === undefined ? 'n/a' : `${mb.toFixed(0)} MB`;
export const integer = (n: number): string => Math.round(n).toLocaleString('en');

// ---- wide tables -------------------------------------------------------------------------------

/** A column of a `grid`: its heading and the side its cells align to. */
export interface GridColumn {
  readonly title: string;
  readonly align: 'left' | 'right';
}

/**
 * Formats rows under a heading and a rule, one column per entry of `columns` (e.g. one row per
 * metric); missing cells are blank.
 */
export function grid(columns: readonly GridColumn[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, i) => {
        const text = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return column.align === 'right' ? text.padStart(width) : text.padEnd(width);
      })
      .join('   ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('   ');
  return [line(columns.map((c) => c.title)), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds with the precision that matters at that size: 0.42 ms, 12.3 ms, 480 ms. */
export const milliseconds = (ms: number): string =>
  `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}
