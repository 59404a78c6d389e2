import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MakeRepoOptions,
  type MakeRepoResult,
  makeRepo,
  parseCommandLine,
  resolveOptions,
} from './make-repo.js';
import { quotePath } from './synth/fast-import-stream.js';

const run = promisify(execFile);

const OPTIONS = {
  commits: 300,
  seed: 42,
  tagEvery: 50,
  mergeRatio: 0.05,
  years: 8,
} as const satisfies MakeRepoOptions;

const YEAR = 365.25 * 86_400;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

let root: string;
let repo: MakeRepoResult;

async function git(args: readonly string[], dir = repo.dir): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

async function gitBytes(args: readonly string[]): Promise<Buffer> {
  const { stdout } = await run('git', ['-C', repo.dir, ...args], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Every commit as git formats it: fields separated by NUL, one commit per line. */
async function commits(): Promise<string[][]> {
  const format = '%H%x00%P%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd%x00%T';
  return lines(await git(['log', '--all', '--date=raw', `--format=${format}`])).map((line) =>
    line.split('\0'),
  );
}

function field(commit: readonly string[], index: number): string {
  const value = commit[index];
  if (value === undefined) throw new Error(`commit has no field ${index}`);
  return value;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'metre-make-repo-'));
  repo = await makeRepo(join(root, 'first'), OPTIONS);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('makeRepo', () => {
  it('writes exactly the requested number of commits', async () => {
    expect(repo.commits).toBe(OPTIONS.commits);
    expect(Number(await git(['rev-list', '--count', '--all']))).toBe(OPTIONS.commits);
    expect(repo.head).toBe((await git(['rev-parse', 'refs/heads/main'])).trim());
  });

  it('gives the same shas for the same options, other shas for another seed', async () => {
    const again = await makeRepo(join(root, 'again'), { ...OPTIONS, bare: true });
    const refs = (dir: string): Promise<string> =>
      git(['for-each-ref', '--format=%(objectname) %(refname)'], dir);
    expect(again.head).toBe(repo.head);
    expect(await refs(again.dir)).toBe(await refs(repo.dir));
    const other = await makeRepo(join(root, 'other'), { ...OPTIONS, seed: OPTIONS.seed + 1 });
    expect(other.head).not.toBe(repo.head);
  });

  it('checks out a clean working tree unless bare', async () => {
    expect(await git(['status', '--porcelain'])).toBe('');
    expect(lines(await git(['ls-files'])).length).toBeGreaterThan(40);
  });

  it('merges branches back about as often as asked, each merge the one git would make', async () => {
    const merges = lines(await git(['rev-list', '--all', '--merges', '--parents']));
    const expected = OPTIONS.commits * OPTIONS.mergeRatio;
    expect(merges.length).toBeGreaterThanOrEqual(expected * 0.5);
    expect(merges.length).toBeLessThanOrEqual(expected * 1.5);
    for (const merge of merges) {
      const [sha, first, second, ...more] = merge.split(' ');
      if (more.length > 0 || !sha || !first || !second) continue;
      const merged = (await git(['merge-tree', '--write-tree', first, second])).split('\n')[0];
      expect(merged).toBe((await git(['rev-parse', `${sha}^{tree}`])).trim());
    }
  });

  it('renames, deletes and changes real line counts', async () => {
    const statuses = lines(await git(['log', '--all', '-M', '--name-status', '--format=']));
    for (const status of ['A', 'M', 'D', 'R']) {
      expect(statuses.some((line) => line.startsWith(status))).toBe(true);
    }
    const numstat = lines(await git(['log', '--all', '--numstat', '--format=']));
    const counts = numstat.map((line) => line.split('\t'));
    expect(counts.some(([added, deleted]) => Number(added) > 0 && Number(deleted) > 0)).toBe(true);
    expect(counts.some(([added, deleted]) => Number(added) > 0 && deleted === '0')).toBe(true);
  });

  it('has binary files', async () => {
    const numstat = lines(await git(['log', '--all', '--numstat', '--format=']));
    expect(numstat.some((line) => line.startsWith('-\t-\t'))).toBe(true);
  });

  it('has paths with spaces, quotes, tabs, newlines, UTF-8 and non-UTF-8 bytes', async () => {
    const output = await gitBytes(['log', '--all', '--format=', '--name-only', '-z']);
    const paths: Buffer[] = [];
    for (let start = 0, end; (end = output.indexOf(0, start)) >= 0; start = end + 1) {
      const path = output.subarray(start, end);
      paths.push(path[0] === 0x0a ? path.subarray(1) : path);
    }
    const has = (byte: number): boolean => paths.some((path) => path.includes(byte));
    for (const char of [' ', '"', '\t', '\n', '\\']) expect(has(char.charCodeAt(0))).toBe(true);
    const decodes = (path: Buffer): boolean => {
      try {
        strictUtf8.decode(path);
        return true;
      } catch {
        return false;
      }
    };
    expect(paths.some((path) => decodes(path) && path.some((byte) => byte >= 0x80))).toBe(true);
    expect(paths.some((path) => !decodes(path))).toBe(true);
  });

  it('has many authors, people with two identities, bots and distinct committers', async () => {
    const all = await commits();
    const names = new Map<string, Set<string>>();
    for (const commit of all) {
      const name = field(commit, 2);
      names.set(name, (names.get(name) ?? new Set()).add(field(commit, 3)));
    }
    expect(names.size).toBeGreaterThanOrEqual(10);
    expect([...names.values()].some((emails) => emails.size > 1)).toBe(true);
    expect([...names.keys()].some((name) => name.endsWith('[bot]'))).toBe(true);
    expect(all.some((commit) => field(commit, 2) !== field(commit, 5))).toBe(true);
    expect(all.some((commit) => field(commit, 4) !== field(commit, 7))).toBe(true);
  });

  it('spreads people over time zones, negative and not whole hours included', async () => {
    const offsets = new Set((await commits()).map((commit) => field(commit, 4).split(' ')[1]));
    expect(offsets.size).toBeGreaterThanOrEqual(5);
    expect([...offsets].some((offset) => offset?.startsWith('-'))).toBe(true);
    expect([...offsets].some((offset) => !offset?.endsWith('00'))).toBe(true);
  });

  it('dates each commit after its parents, over about the years asked', async () => {
    const all = await commits();
    const time = new Map(all.map((c) => [field(c, 0), Number(field(c, 7).split(' ')[0])]));
    for (const commit of all) {
      for (const parent of lines(field(commit, 1).replace(/ /g, '\n'))) {
        expect(time.get(field(commit, 0))).toBeGreaterThan(time.get(parent) ?? Infinity);
      }
    }
    const span = (Math.max(...time.values()) - Math.min(...time.values())) / YEAR;
    expect(span).toBeGreaterThan(OPTIONS.years * 0.7);
    expect(span).toBeLessThan(OPTIONS.years * 1.3);
  });

  it('tags main about every tagEvery commits, annotated and lightweight', async () => {
    const tags = lines(await git(['for-each-ref', '--format=%(objecttype)', 'refs/tags']));
    expect(tags.length).toBe(repo.tags);
    expect(tags.length).toBeGreaterThanOrEqual(
      Math.floor(OPTIONS.commits / OPTIONS.tagEvery / 1.3) - 1,
    );
    expect(tags.length).toBeLessThanOrEqual(Math.ceil(OPTIONS.commits / OPTIONS.tagEvery / 0.7));
    expect(tags).toContain('tag');
    expect(tags).toContain('commit');
  });

  it('has an empty commit: a single parent with the same tree', async () => {
    const all = await commits();
    const tree = new Map(all.map((commit) => [field(commit, 0), field(commit, 8)]));
    const empty = all.filter(
      (c) => !field(c, 1).includes(' ') && tree.get(field(c, 1)) === field(c, 8),
    );
    expect(empty.length).toBeGreaterThan(0);
  });

  it('has a commit declaring a legacy encoding', async () => {
    expect(lines(await git(['log', '--all', '--format=%e']))).toContain('ISO-8859-1');
  });
});

describe('makeRepo options', () => {
  it('rejects impossible options and a directory that is not empty', async () => {
    expect(() => resolveOptions({ commits: 0 })).toThrow(/commits/);
    expect(() => resolveOptions({ commits: 10, mergeRatio: 0.9 })).toThrow(/mergeRatio/);
    await expect(makeRepo(repo.dir, { commits: 10 })).rejects.toThrow(/not empty/);
  });

  it('reads the command line', () => {
    const { dir, options } = parseCommandLine(['out', '--commits', '10', '--seed', '3', '--bare']);
    expect(dir).toBe('out');
    expect(options).toMatchObject({ commits: 10, seed: 3, bare: true });
    expect(() => parseCommandLine(['out'])).toThrow(/usage/);
  });
});

describe('quotePath', () => {
  it('quotes the way fast-import reads C strings', () => {
    expect(quotePath('src/a.ts')).toBe('src/a.ts');
    expect(quotePath('a b')).toBe('"a b"');
    expect(quotePath('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(quotePath('a\tb\nc')).toBe('"a\\tb\\nc"');
    expect(quotePath('caf\xe9')).toBe('"caf\\351"');
  });
});
