/**
 * A deterministic synthetic git repository, written by one `git fast-import` process.
 *
 * Run directly: `tsx bench/make-repo.ts <dir> --commits 10000 [--seed 1] [--bare]`.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { FastImportStream } from './synth/fast-import-stream.js';
import { History, type HistorySettings } from './synth/history.js';

const run = promisify(execFile);

export interface MakeRepoOptions {
  /** Commits to write in total, merges and branch commits included. */
  readonly commits: number;
  /** Seed of the generator: the same options give the same shas. Default 1. */
  readonly seed?: number;
  /** Create a bare repository (no working tree). Default false. */
  readonly bare?: boolean;
  /** Distinct people (bots come on top); some sign with two emails or spellings. Default 50. */
  readonly authors?: number;
  /** Feature branches open at the same time; 0 gives a linear history. Default 3. */
  readonly branches?: number;
  /** Share of commits that are merges of feature branches. Default 0.05. */
  readonly mergeRatio?: number;
  /** A release tag about every this many commits, two in three annotated; 0 for none. Default 500. */
  readonly tagEvery?: number;
  /** Years the history spans. Default 8. */
  readonly years?: number;
  /** Time of the first commit, in seconds since the epoch. Default 2015-01-01T00:00:00Z. */
  readonly start?: number;
  /** The size the tree grows to. Default 4000 files. */
  readonly maxFiles?: number;
  /** Paths with spaces, quotes, tabs, a newline, UTF-8 and non-UTF-8 bytes. Default true. */
  readonly oddNames?: boolean;
  /** Spread people over time zones from -0930 to +1345; else everyone is on +0000. Default true. */
  readonly timezones?: boolean;
}

export interface MakeRepoResult {
  readonly dir: string;
  /** Commits reachable from any ref, as counted by git. */
  readonly commits: number;
  readonly branches: number;
  readonly tags: number;
  /** The sha HEAD (main) points to. */
  readonly head: string;
}

/** The options with every default filled in; also the cache key of a generated repository. */
export function resolveOptions(
  options: MakeRepoOptions,
): HistorySettings & { readonly bare: boolean } {
  const settings = {
    commits: options.commits,
    seed: options.seed ?? 1,
    bare: options.bare ?? false,
    authors: options.authors ?? 50,
    branches: options.branches ?? 3,
    mergeRatio: options.mergeRatio ?? 0.05,
    tagEvery: options.tagEvery ?? 500,
    years: options.years ?? 8,
    start: options.start ?? Date.UTC(2015, 0, 1) / 1000,
    maxFiles: options.maxFiles ?? 4000,
    oddNames: options.oddNames ?? true,
    timezones: options.timezones ?? true,
  };
  check(
    Number.isInteger(settings.commits) && settings.commits >= 1,
    'commits must be a positive integer',
  );
  check(Number.isInteger(settings.seed), 'seed must be an integer');
  check(
    Number.isInteger(settings.authors) && settings.authors >= 1,
    'authors must be a positive integer',
  );
  check(Number.isInteger(settings.branches) && settings.branches >= 0, 'branches must be >= 0');
  check(settings.mergeRatio >= 0 && settings.mergeRatio < 0.5, 'mergeRatio must be in [0, 0.5)');
  check(settings.tagEvery >= 0 && settings.years > 0, 'tagEvery must be >= 0 and years > 0');
  check(settings.maxFiles >= 100, 'maxFiles must be at least 100');
  return settings;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(`makeRepo: ${message}`);
}

/**
 * Creates a git repository at `dir` (which must be absent or empty) holding a synthetic history.
 *
 * @example const repo = await makeRepo('/tmp/synthetic', { commits: 10_000, seed: 7 });
 */
export async function makeRepo(dir: string, options: MakeRepoOptions): Promise<MakeRepoResult> {
  const settings = resolveOptions(options);
  await prepareDir(dir);
  await git(dir, [
    'init',
    '--quiet',
    '--initial-branch=main',
    ...(settings.bare ? ['--bare'] : []),
    '.',
  ]);
  const stream = new FastImportStream(dir, [
    '--quiet',
    '--done',
    `--active-branches=${settings.branches + 2}`,
  ]);
  try {
    await new History(stream, settings).write();
  } catch (error) {
    stream.abort();
    throw error;
  }
  if (!settings.bare) await git(dir, ['-c', 'core.autocrlf=false', 'reset', '--quiet', '--hard']);
  return describe(dir);
}

async function prepareDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new Error(`makeRepo: ${dir} is not empty`);
}

async function git(dir: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** What git itself says the repository holds. */
export async function describe(dir: string): Promise<MakeRepoResult> {
  const refs = (await git(dir, ['for-each-ref', '--format=%(refname)'])).split('\n');
  return {
    dir: resolve(dir),
    commits: Number(await git(dir, ['rev-list', '--count', '--all'])),
    branches: refs.filter((ref) => ref.startsWith('refs/heads/')).length,
    tags: refs.filter((ref) => ref.startsWith('refs/tags/')).length,
    head: await git(dir, ['rev-parse', 'HEAD']),
  };
}

// ---- command line ------------------------------------------------------------------------------

const USAGE = `usage: tsx bench/make-repo.ts <dir> --commits N [--seed S] [--bare] [--authors N]
  [--branches N] [--merge-ratio R] [--tag-every N] [--years N] [--max-files N]
  [--no-odd-names] [--no-timezones]`;

function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** Parses the command line into a directory and options. */
export function parseCommandLine(argv: readonly string[]): {
  dir: string;
  options: MakeRepoOptions;
} {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      commits: { type: 'string' },
      seed: { type: 'string' },
      bare: { type: 'boolean' },
      authors: { type: 'string' },
      branches: { type: 'string' },
      'merge-ratio': { type: 'string' },
      'tag-every': { type: 'string' },
      years: { type: 'string' },
      'max-files': { type: 'string' },
      'no-odd-names': { type: 'boolean' },
      'no-timezones': { type: 'boolean' },
    },
  });
  const [dir] = positionals;
  if (dir === undefined || positionals.length > 1 || values.commits === undefined)
    throw new Error(USAGE);
  return {
    dir,
    options: {
      commits: Number(values.commits),
      seed: optionalNumber(values.seed),
      bare: values.bare,
      authors: optionalNumber(values.authors),
      branches: optionalNumber(values.branches),
      mergeRatio: optionalNumber(values['merge-ratio']),
      tagEvery: optionalNumber(values['tag-every']),
      years: optionalNumber(values.years),
      maxFiles: optionalNumber(values['max-files']),
      oddNames: values['no-odd-names'] ? false : undefined,
      timezones: values['no-timezones'] ? false : undefined,
    },
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const { dir, options } = parseCommandLine(argv);
  const started = performance.now();
  const result = await makeRepo(dir, options);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...result, seconds, peakRssMb }, null, 2)}\n`);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
