import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../bench/make-repo.js';
import { createGitRunner, type GitStream } from '../src/collect/git-runner.js';
import { FILES_PASS_ARGS } from '../src/collect/log-format.js';
import { parseFileChanges } from '../src/collect/log-parser.js';
import { splitWalk, wholeWalk, type WalkOutput } from '../src/collect/split-walk.js';
import { loadConfig } from '../src/config/index.js';
import { isMetreError } from '../src/errors/index.js';
import { tempDir } from './support/git.js';

let ws: { path: string; remove: () => void };
let repo: string;
let spoolDir: string;
const config = loadConfig({ PATH: process.env.PATH, HOME: '/nonexistent' });
const git = createGitRunner(config.git, 'repository "split"');

beforeAll(async () => {
  ws = tempDir();
  repo = join(ws.path, 'repo.git');
  spoolDir = join(ws.path, 'spool');
  // Merges (no file rows), renames, binary files and odd names: every kind of record.
  await makeRepo(repo, { commits: 400, seed: 7, bare: true, branches: 3, mergeRatio: 0.1 });
  input = (await git.run(['rev-parse', '--all'], { gitDir: repo })).stdout;
}, 60_000);
afterAll(() => ws.remove());

/** Every ref's tip on standard input, as the collector gives a walk's revisions. */
let input = '';

/** `git log` of the files pass over every ref, skipping `skip` and printing `count` records. */
function filesLog(skip: number, count: number | null, spool?: string): GitStream {
  const args = [
    ...FILES_PASS_ARGS,
    '--stdin',
    ...(skip > 0 ? [`--skip=${skip}`] : []),
    ...(count === null ? [] : [`--max-count=${count}`]),
  ];
  return git.stream(args, { gitDir: repo, input, spoolDir: spool });
}

async function records(output: WalkOutput) {
  const all = [];
  for await (const record of output.records(parseFileChanges)) all.push(record);
  return all;
}

async function bytes(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function count(): Promise<number> {
  const { stdout } = await git.run(['rev-list', '--count', '--stdin'], { gitDir: repo, input });
  return Number(stdout.trim());
}

describe('a walk split between git processes', () => {
  it('gives exactly the records of one process, in the same order, whatever the split', async () => {
    const whole = await records(wholeWalk(filesLog(0, null)));
    expect(whole).toHaveLength(await count());
    expect(whole.some((record) => record.files.length === 0)).toBe(true); // merges
    for (const processes of [1, 2, 3, 4, 7]) {
      const split = splitWalk({
        length: count(),
        processes,
        minPerProcess: 1,
        start: (skip, n) => filesLog(skip, n, spoolDir),
      });
      expect(await records(split), `${processes} processes`).toEqual(whole);
    }
  });

  it('resumes a walk part way, as --skip does for one process', async () => {
    const done = 137;
    const whole = await records(wholeWalk(filesLog(done, null)));
    const split = splitWalk({
      length: count().then((n) => n - done),
      processes: 3,
      minPerProcess: 1,
      start: (skip, n) => filesLog(done + skip, n, spoolDir),
    });
    expect(await records(split)).toEqual(whole);
  });

  it('keeps a walk shorter than two slices in one process', async () => {
    const started: [number, number | null][] = [];
    const split = splitWalk({
      length: count(),
      processes: 4,
      minPerProcess: 300, // 400 commits: one slice
      start: (skip, n) => {
        started.push([skip, n]);
        return filesLog(skip, n, spoolDir);
      },
    });
    expect(await records(split)).toHaveLength(await count());
    expect(started).toEqual([[0, await count()]]);
  });

  /** Reads a walk of `length` records, giving which slices were started. */
  async function slicesStarted(length: Promise<number>) {
    const started: [number, number | null][] = [];
    const split = splitWalk({
      length,
      processes: 4,
      minPerProcess: 1,
      start: (skip, n) => {
        started.push([skip, n]);
        return filesLog(skip, n);
      },
    });
    expect(await records(split)).toHaveLength(await count());
    return started;
  }

  it('prints the whole walk with one process when it could not be counted', async () => {
    expect(await slicesStarted(Promise.reject(new Error('rev-list failed')))).toEqual([[0, null]]);
  });

  it('prints the whole walk with one process when the count is no count', async () => {
    for (const length of [Number.NaN, -3, 1.5]) {
      expect(await slicesStarted(Promise.resolve(length))).toEqual([[0, null]]);
    }
  });

  it('fails with a coded error when git prints another number of commits than it counted', async () => {
    const split = splitWalk({
      length: count().then((n) => n + 10), // as if the walk had changed under the count
      processes: 2,
      minPerProcess: 1,
      start: (skip, n) => filesLog(skip, n, spoolDir),
    });
    const error = await records(split).catch((caught: unknown) => caught);
    expect(isMetreError(error, 'METRE_GIT_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/printed \d+ commits of a slice of \d+/);
  });

  it('fails its reader, not the process, when a slice cannot start; cancel still ends the rest', async () => {
    const started: GitStream[] = [];
    const failing = () =>
      splitWalk({
        length: count(),
        processes: 2,
        minPerProcess: 1,
        start: (skip, n) => {
          if (skip > 0) throw new Error('no room for the spool');
          const stream = filesLog(skip, n, spoolDir);
          started.push(stream);
          return stream;
        },
      });
    const read = failing();
    await expect(records(read)).rejects.toThrow('no room for the spool');
    const dropped = failing();
    await new Promise((resolve) => setTimeout(resolve, 200)); // its count and slices are settled
    await dropped.cancel(); // nobody read it: no unhandled rejection
    expect(started).toHaveLength(2); // the first slice of each, ended with the one that failed
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('ends every process when cancelled part way and leaves no spool file', async () => {
    const split = splitWalk({
      length: count(),
      processes: 3,
      minPerProcess: 1,
      start: (skip, n) => filesLog(skip, n, spoolDir),
    });
    let read = 0;
    for await (const record of split.records(parseFileChanges)) {
      expect(record.sha).toMatch(/^[0-9a-f]{40}$/);
      if (++read === 10) break;
    }
    await split.cancel();
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});

describe('a spooled git stream', () => {
  it('yields the same bytes as a pipe, from a file unlinked at once', async () => {
    const piped = await bytes(filesLog(0, null));
    const spooled = filesLog(0, null, spoolDir);
    expect(readdirSync(spoolDir)).toEqual([]); // git is already writing into it
    expect((await bytes(spooled)).equals(piped)).toBe(true);
  });

  it('maps git’s failure to a coded error naming the repository', async () => {
    const stream = git.stream(['log'], { gitDir: join(ws.path, 'none'), spoolDir });
    const error = await bytes(stream).catch((caught: unknown) => caught);
    expect(isMetreError(error, 'METRE_NOT_A_GIT_REPO')).toBe(true);
    expect((error as Error).message).toContain('repository "split"');
  });

  it('refuses a spool directory it cannot write with a coded error', () => {
    const blocked = join(repo, 'HEAD', 'spool'); // under a file: cannot be created
    expect(() => git.stream(['log'], { gitDir: repo, spoolDir: blocked })).toThrowError(
      /Cannot spool git's output/,
    );
  });
});
