/**
 * `npm run bench [-- <name>…] [--commits N] [--sizes N,N…] [--seed S] [--runs N] [--no-build]
 *   [--metre <cli.js>]`
 *
 * Builds the project, then runs the named benchmarks (all of them by default). Exits 0 when every
 * benchmark ran, whether or not it met its targets (it is a report); non-zero when one could not run.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchContext, BenchError, type Benchmark } from './harness.js';
import { ingest } from './ingest.js';
import { metrics } from './metrics.js';
import { stores } from './stores.js';
import { http } from './http.js';
import { queue } from './queue.js';

/** Every benchmark, in the order `npm run bench` runs them. Add new ones here. */
const BENCHMARKS: readonly Benchmark[] = [ingest, metrics, stores, http, queue];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const DEFAULT_SIZES = '10000,100000,1000000';
/** Runs per measurement for a benchmark that sets no `defaultRuns`. */
const DEFAULT_RUNS = 2;

const USAGE = `usage: npm run bench -- [name…] [--commits 50000] [--sizes ${DEFAULT_SIZES}] [--seed 1]
       [--runs N] [--no-build] [--metre bin/metre.js]
  --commits  repository size of ingest
  --sizes    repository sizes of metrics, comma-separated
  --runs     runs per measurement, the best kept (default: ingest 2, metrics 3)
benchmarks:
${BENCHMARKS.map((b) => `  ${b.name.padEnd(10)} ${b.description}`).join('\n')}`;

interface Selection {
  readonly help: boolean;
  readonly benchmarks: readonly Benchmark[];
  readonly build: boolean;
  /** `--runs`, when given; else each benchmark's own default. */
  readonly runs: number | undefined;
  readonly context: BenchContext;
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new BenchError(`${flag} must be a positive integer\n${USAGE}`);
  return n;
}

/** `10000,100000` → [10000, 100000]. */
function positiveIntegers(value: string, flag: string): number[] {
  return value.split(',').map((item) => positiveInteger(item.trim(), flag));
}

function parse(argv: readonly string[]): Selection {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      commits: { type: 'string', default: '50000' },
      sizes: { type: 'string', default: DEFAULT_SIZES },
      seed: { type: 'string', default: '1' },
      runs: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      metre: { type: 'string', default: 'bin/metre.js' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const unknown = positionals.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0)
    throw new BenchError(`unknown benchmark(s): ${unknown.join(', ')}\n${USAGE}`);
  return {
    help: values.help,
    benchmarks:
      positionals.length === 0
        ? BENCHMARKS
        : BENCHMARKS.filter((b) => positionals.includes(b.name)),
    build: !values['no-build'],
    runs: values.runs === undefined ? undefined : positiveInteger(values.runs, '--runs'),
    context: {
      root: ROOT,
      commits: positiveInteger(values.commits, '--commits'),
      sizes: positiveIntegers(values.sizes, '--sizes'),
      seed: Number.parseInt(values.seed, 10),
      runs: DEFAULT_RUNS,
      metre: resolve(ROOT, values.metre),
      log: (line) => process.stderr.write(`bench: ${line}\n`),
    },
  };
}

/** `npm run build`, so `node bin/metre.js` runs the current sources. */
async function build(): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(npm, ['run', '--silent', 'build'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('close', done);
  });
  if (code !== 0) throw new BenchError(`npm run build failed (exit ${code}); fix the build first`);
}

async function main(argv: readonly string[]): Promise<void> {
  const { help, benchmarks, build: shouldBuild, runs, context } = parse(argv);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (shouldBuild) {
    context.log('npm run build');
    await build();
  }
  for (const benchmark of benchmarks) {
    context.log(`running ${benchmark.name}`);
    await benchmark.run({ ...context, runs: runs ?? benchmark.defaultRuns ?? DEFAULT_RUNS });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const detail = error instanceof BenchError || !(error instanceof Error) ? message : error.stack;
  process.stderr.write(`bench: ${detail ?? message}\n`);
  process.exitCode = 1;
});
