import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetreError } from '../errors/index.js';
import type { CommitFiles } from '../store/index.js';
import { COMMITS_PASS_ARGS, FILES_PASS_ARGS } from './log-format.js';
import { ParseError, parseFileChanges, parseGitLog } from './log-parser.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SCRIPT = join(FIXTURES, 'make-fixtures.sh');
const LOGS = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.log'))
  .sort();
const run = promisify(execFile);

function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** A pass's parser; both yield a sha and files (always empty in the commits pass). */
type Parser = (chunks: AsyncIterable<Uint8Array>) => AsyncIterable<CommitFiles>;

const commitsPass: Parser = (chunks) => parseGitLog(chunks);
const filesPass: Parser = parseFileChanges;

function parserFor(name: string): Parser {
  return name.endsWith('.files.log') ? filesPass : commitsPass;
}

/** The bytes as a stream of chunks whose sizes `size()` picks (one chunk by default). */
async function* chunked(bytes: Uint8Array, size: () => number = () => bytes.length) {
  for (let at = 0; at < bytes.length;) {
    const end = at + Math.max(1, size());
    yield bytes.subarray(at, end);
    at = end;
  }
}

/** A small deterministic PRNG (mulberry32), so a failing chunking is reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The commits pass: headers and messages. */
async function commitsOf(bytes: Uint8Array, size?: () => number) {
  return collect(parseGitLog(chunked(bytes, size)));
}

/** The files pass: shas and files. */
async function filesOf(bytes: Uint8Array, size?: () => number) {
  return collect(parseFileChanges(chunked(bytes, size)));
}

async function parse(bytes: Uint8Array, parser: Parser, size?: () => number) {
  return collect(parser(chunked(bytes, size)));
}

/** Parses until the end or the first error; the commits yielded before an error are kept. */
async function attempt(bytes: Uint8Array, parser: Parser, size?: () => number) {
  const commits: CommitFiles[] = [];
  try {
    for await (const commit of parser(chunked(bytes, size))) commits.push(commit);
    return { commits, error: undefined };
  } catch (error) {
    return { commits, error };
  }
}

async function failure(bytes: Uint8Array, parser = filesPass, size?: () => number) {
  const { commits, error } = await attempt(bytes, parser, size);
  if (!(error instanceof ParseError)) throw new Error(`expected a ParseError, got ${error}`);
  return { commits, error };
}

/** The fixture with the first occurrence of `from` replaced: the hand-cut bad outputs. */
function edited(name: string, from: string, to: string): Buffer {
  const bytes = fixture(name);
  const at = bytes.indexOf(from, 0, 'latin1');
  if (at === -1) throw new Error(`${JSON.stringify(from)} is not in ${name}`);
  const replacement = Buffer.from(to, 'latin1');
  return Buffer.concat([bytes.subarray(0, at), replacement, bytes.subarray(at + from.length)]);
}

/** Files as compact rows: [changeType, oldPath, path, added, deleted, binary]. */
function rows(commit: CommitFiles | undefined) {
  return (commit?.files ?? []).map((f) => [
    f.changeType,
    f.oldPath,
    f.path,
    f.added,
    f.deleted,
    f.binary,
  ]);
}

const shas = (commits: readonly { readonly sha: string }[]) => commits.map((c) => c.sha);

describe('parseGitLog and parseFileChanges on output captured from git', () => {
  it('yields nothing for an empty repository', async () => {
    expect(await commitsOf(fixture('empty.commits.log'))).toEqual([]);
    expect(await filesOf(fixture('empty.files.log'))).toEqual([]);
    expect(await commitsOf(Buffer.alloc(0))).toEqual([]);
    expect(await filesOf(Buffer.alloc(0))).toEqual([]);
  });

  it('reads merges, octopus merges and several roots, with no file rows for merges', async () => {
    const commits = await commitsOf(fixture('merges.commits.log'));
    const changes = await filesOf(fixture('merges.files.log'));
    expect(commits.map((c) => [c.sha, ...c.parents])).toEqual([
      [
        '27fa6bdd93fec0fcb87e52058d3217f4733e0ff3',
        '0032cffb0030ea138104b236cdaace6e043595fa',
        'd1283e1503baca265c2e44c20d9b518d85259f65',
        '7f898ffa400b095c180fbbcd7b5f357a281a780a',
      ],
      ['7f898ffa400b095c180fbbcd7b5f357a281a780a', '0032cffb0030ea138104b236cdaace6e043595fa'],
      ['d1283e1503baca265c2e44c20d9b518d85259f65', '0032cffb0030ea138104b236cdaace6e043595fa'],
      [
        '0032cffb0030ea138104b236cdaace6e043595fa',
        'b06926a9df207ea04187a5bd5756fbaba8590a01',
        'fe0cec7aef218a457fded3b761bb96eb133d0443',
      ],
      ['fe0cec7aef218a457fded3b761bb96eb133d0443'],
      [
        'b06926a9df207ea04187a5bd5756fbaba8590a01',
        '7a1fd919a67baf03b8b742de1186398136ce406e',
        '02406507cb3b999effdafd73fcf645fe3c818f4e',
      ],
      ['7a1fd919a67baf03b8b742de1186398136ce406e', '29387126314ddc3ca7b83988d57bbe16d76519a3'],
      ['02406507cb3b999effdafd73fcf645fe3c818f4e', '29387126314ddc3ca7b83988d57bbe16d76519a3'],
      ['29387126314ddc3ca7b83988d57bbe16d76519a3'],
    ]);
    expect(shas(changes)).toEqual(shas(commits));
    expect(changes.map((c) => c.files.length)).toEqual([0, 1, 1, 0, 1, 0, 1, 1, 1]);
    expect(rows(changes[4])).toEqual([['A', null, 'other.txt', 1, 0, false]]);
    expect(changes[0]).toEqual({ sha: commits[0]?.sha, files: [] });
    expect(commits[0]).toMatchObject({
      subject: 'Octopus merge',
      message: 'Octopus merge\n',
      author: { name: 'Ada Author', email: 'ada@example.org', time: 1700000540, tzOffset: 330 },
      committer: {
        name: 'Carl Committer',
        email: 'carl@example.org',
        time: 1700000570,
        tzOffset: -480,
      },
    });
  });

  it('reads renames, and copies when git was asked for them', async () => {
    const commits = await commitsOf(fixture('renames.commits.log'));
    const renames = await filesOf(fixture('renames.files.log'));
    expect(commits.map((c) => c.subject)).toEqual([
      'copy b.txt',
      'move keep.txt',
      'rename a.txt to b.txt with an edit',
      'add two files',
    ]);
    expect(renames.map(rows)).toEqual([
      [
        ['M', null, 'b.txt', 1, 0, false],
        ['A', null, 'copy.txt', 11, 0, false],
      ],
      [['R', 'keep.txt', 'moved/keep.txt', 0, 0, false]],
      [['R', 'a.txt', 'b.txt', 1, 0, false]],
      [
        ['A', null, 'a.txt', 10, 0, false],
        ['A', null, 'keep.txt', 10, 0, false],
      ],
    ]);
    expect(shas(renames)).toEqual(shas(commits));
    const copies = await filesOf(fixture('copies.files.log'));
    expect(rows(copies[0])).toEqual([
      ['M', null, 'b.txt', 1, 0, false],
      ['C', 'b.txt', 'copy.txt', 0, 0, false],
    ]);
    expect(shas(copies)).toEqual(shas(renames));
    expect(copies.slice(1)).toEqual(renames.slice(1));
  });

  it('reads binary files as binary with no line counts', async () => {
    const changes = await filesOf(fixture('binary.files.log'));
    expect(changes.map(rows)).toEqual([
      [['D', null, 'picture.bin', 0, 0, true]],
      [['R', 'image.bin', 'picture.bin', 0, 0, true]],
      [
        ['M', null, 'image.bin', 0, 0, true],
        ['M', null, 'notes.txt', 1, 0, false],
      ],
      [
        ['A', null, 'image.bin', 0, 0, true],
        ['A', null, 'notes.txt', 3, 0, false],
      ],
    ]);
    const commits = await commitsOf(fixture('binary.commits.log'));
    expect(shas(commits)).toEqual(shas(changes));
    expect(commits.map((c) => [c.author.tzOffset, c.committer.tzOffset])).toEqual([
      [60, 120],
      [60, 120],
      [60, 120],
      [60, 120],
    ]);
  });

  it('keeps odd file names exact and non-UTF-8 ones distinct', async () => {
    const commits = await filesOf(fixture('odd-names.files.log'));
    expect(commits.map((c) => c.sha)).toEqual([
      '157580b128d9e37d1b05653ec7187b3a83ffda55',
      '81b604c0e08fc4d2109cd0560090ec162dd67b1d',
      '5ff85c736b881e9d53704e2cde6e87005206b59c',
      '5bfaeaa56d16a9cd71b326e66e48dae77e0b33e6',
      'a701f5f74eb72a57a6fd7b73a12d55982684611f',
      'dcc93d90d6379f8f652ee90edbf56d17a46295fe',
    ]);
    expect(rows(commits[5]).map(([, , path]) => path)).toEqual([
      '1\t2\tdigits',
      ':colon.txt',
      '@at.txt',
      'back\\slash.txt',
      'caf\\xe9.txt',
      'dir with space/sub file.txt',
      'naïve.txt',
      'new\nline.txt',
      'say "hi".txt',
      'tab\there.txt',
      'with space.txt',
    ]);
    expect(rows(commits[5])[7]).toEqual(['A', null, 'new\nline.txt', 2, 0, false]);
    expect(rows(commits[4])).toEqual([
      ['M', null, 'caf\\xe9.txt', 1, 0, false],
      ['R', 'new\nline.txt', 'still\nodd "name".txt', 0, 0, false],
    ]);
    expect(rows(commits[3])).toEqual([['D', null, 'tab\there.txt', 0, 1, false]]);
  });

  it('decodes names and messages as UTF-8, lossily when git prints other bytes', async () => {
    const commits = await commitsOf(fixture('odd-names.commits.log'));
    expect(commits.map((c) => [c.author.name, c.committer.name])).toEqual([
      ['Ren\uFFFD Raw', 'Ren\uFFFD Raw'],
      ['Zoë Ångström', 'José Ñúñez'],
      ['François', 'José Ñúñez'],
      ['Zoë Ångström', 'José Ñúñez'],
      ['Zoë Ångström', 'José Ñúñez'],
      ['Zoë Ångström', 'José Ñúñez'],
    ]);
    expect(commits[0]?.message).toBe('na\uFFFDve bytes \uFFFD kept as git prints them\n');
    expect(commits[1]?.message).toBe('café without an encoding header\n');
    expect(commits[2]?.message).toBe('François was here\n\ndéjà vu\n');
    expect(commits[2]?.subject).toBe('François was here');
    expect(commits.map((c) => [c.author.tzOffset, c.committer.tzOffset])[0]).toEqual([-210, 825]);
  });

  it('reads commits touching no file and messages that look like the format', async () => {
    const commits = await commitsOf(fixture('empty-commits.commits.log'));
    const changes = await filesOf(fixture('empty-commits.files.log'));
    expect(shas(changes)).toEqual(shas(commits));
    const counts = changes.map((c) => c.files.length);
    expect(commits.map((c, i) => [c.subject, counts[i]])).toEqual([
      ['change one.txt', 1],
      ['tricky message', 0],
      ['no final newline', 0],
      ['', 0],
      ['add one.txt', 1],
      ['empty root', 0],
    ]);
    const [, tricky, noNewline, empty, , root] = commits;
    expect(tricky?.message).toBe(
      `tricky message\n\n@${tricky?.parents[0]}\n:100644 100644 0000000 1111111 M\n` +
        '1\t2\tlooks like numstat\n\ttabbed line\n\n\n',
    );
    expect(noNewline?.message).toBe('no final newline');
    expect(empty?.message).toBe('');
    expect(root?.parents).toEqual([]);
    expect(commits.map((c) => [c.author.time, c.author.tzOffset, c.committer.tzOffset])).toEqual([
      [1700001740, 540, -420],
      [1700001680, 540, -420],
      [1700001620, 540, -420],
      [1700001560, 540, -420],
      [1700001500, 540, -420],
      [1700001440, 540, -420],
    ]);
  });

  it('reads a message over 1 MB whole', async () => {
    const lines = Array.from(
      { length: 36000 },
      (_, i) => `${String(i).padStart(5, '0')} @ : \tline of a long message\n`,
    );
    const expected = `huge message\n\n${lines.join('')}`;
    expect(expected.length).toBeGreaterThan(1024 * 1024);
    const commits = await commitsOf(fixture('huge-message.commits.log'));
    expect(commits.map((c) => c.subject)).toEqual(['small follow-up', 'huge message']);
    expect(commits[1]?.message).toBe(expected);
    const changes = await filesOf(fixture('huge-message.files.log'));
    expect(shas(changes)).toEqual(shas(commits));
    expect(changes.map(rows)).toEqual([
      [['M', null, 'data.txt', 1, 0, false]],
      [['A', null, 'data.txt', 1, 0, false]],
    ]);
  });

  it('reads type changes, mode changes, deletions and submodule pointers', async () => {
    const commits = await commitsOf(fixture('typechange.commits.log'));
    const changes = await filesOf(fixture('typechange.files.log'));
    expect(shas(changes)).toEqual(shas(commits));
    expect(commits.map((c, i) => [c.subject, rows(changes[i])])).toEqual([
      ['add a submodule pointer', [['A', null, 'vendor/lib', 1, 0, false]]],
      ['delete gone.txt', [['D', null, 'gone.txt', 0, 1, false]]],
      ['make run.sh executable', [['M', null, 'run.sh', 0, 0, false]]],
      ['file.txt becomes a symlink', [['T', null, 'file.txt', 1, 3, false]]],
      [
        'add files',
        [
          ['A', null, 'file.txt', 3, 0, false],
          ['A', null, 'gone.txt', 1, 0, false],
          ['A', null, 'run.sh', 1, 0, false],
          ['A', null, 'target.txt', 1, 0, false],
        ],
      ],
    ]);
    expect(commits[0]?.author.tzOffset).toBe(-720);
    expect(commits[0]?.committer.tzOffset).toBe(840);
  });

  it('reads SHA-256 object names', async () => {
    const commits = await commitsOf(fixture('sha256.commits.log'));
    expect(commits.map((c) => [c.sha, ...c.parents])).toEqual([
      [
        '296f0010b6cc675efb9aea0755a64332c35e571d6dc3cabebb66e9a27b7875de',
        'a92f8a97d03030347d46f80b4de7c1ef2b25abf49665f1f3d732f5c940073d38',
      ],
      ['a92f8a97d03030347d46f80b4de7c1ef2b25abf49665f1f3d732f5c940073d38'],
    ]);
    const changes = await filesOf(fixture('sha256.files.log'));
    expect(changes.map((c) => [c.sha, rows(c)])).toEqual([
      [commits[0]?.sha, [['M', null, 'one.txt', 1, 0, false]]],
      [commits[1]?.sha, [['A', null, 'one.txt', 1, 0, false]]],
    ]);
  });

  it.each(LOGS.filter((name) => name.endsWith('.commits.log')))(
    '%s: the files pass yields the same shas in the same order as the commits pass',
    async (name) => {
      const commits = await commitsOf(fixture(name));
      const changes = await filesOf(fixture(name.replace('.commits.', '.files.')));
      expect(commits.every((c) => c.files.length === 0)).toBe(true);
      expect(shas(changes)).toEqual(shas(commits));
      expect(changes.every((c) => Object.keys(c).join() === 'sha,files')).toBe(true);
    },
  );
});

describe('parseGitLog and parseFileChanges on a stream', () => {
  it.each(LOGS)(
    '%s: one byte at a time and in random chunks gives the same commits',
    async (name) => {
      const bytes = fixture(name);
      const parser = parserFor(name);
      const whole = await parse(bytes, parser);
      expect(await parse(bytes, parser, () => 1)).toEqual(whole);
      for (const seed of [1, 2, 3]) {
        const next = random(seed);
        expect(await parse(bytes, parser, () => Math.floor(next() * 300))).toEqual(whole);
      }
    },
  );

  it('survives a producer that reuses one Uint8Array for every chunk', async () => {
    const bytes = fixture('odd-names.files.log');
    async function* reusing(size: number) {
      const buffer = new Uint8Array(size);
      for (let at = 0; at < bytes.length; at += size) {
        const piece = bytes.subarray(at, at + size);
        buffer.set(piece);
        yield buffer.subarray(0, piece.length);
      }
    }
    const whole = await filesOf(bytes);
    for (const size of [1, 7, 64, 1000]) {
      expect(await collect(parseFileChanges(reusing(size)))).toEqual(whole);
    }
  });

  it('yields each commit as soon as the separator after it arrives', async () => {
    const bytes = fixture('merges.files.log');
    const size = 16;
    let pulled = 0;
    async function* counting() {
      for (let at = 0; at < bytes.length; at += size) {
        pulled += 1;
        yield bytes.subarray(at, at + size);
      }
    }
    const pulledAt: number[] = [];
    for await (const commit of parseFileChanges(counting())) {
      expect(commit.sha).toHaveLength(40);
      pulledAt.push(pulled);
    }
    const separator = bytes.indexOf('\0\0@') + 1;
    expect(pulledAt[0]).toBe(Math.floor(separator / size) + 1);
    expect(pulledAt[1]).toBeLessThan(Math.ceil(bytes.length / size));
  });

  it('stops reading when the consumer stops', async () => {
    let closed = false;
    async function* source() {
      try {
        yield fixture('merges.files.log');
        yield fixture('merges.files.log');
      } finally {
        closed = true;
      }
    }
    for await (const commit of parseFileChanges(source())) {
      expect(commit.sha).toBe('27fa6bdd93fec0fcb87e52058d3217f4733e0ff3');
      break;
    }
    expect(closed).toBe(true);
  });
});

describe('parseGitLog and parseFileChanges on bad output', () => {
  it('raises a coded ParseError with the byte offset and the record', async () => {
    const { error } = await failure(Buffer.from('hello\0'), commitsPass);
    expect(error).toBeInstanceOf(MetreError);
    expect(error).toMatchObject({
      name: 'ParseError',
      code: 'METRE_PARSE_ERROR',
      status: 502,
      exitCode: 3,
      offset: 0,
      record: 1,
    });
    expect(error.message).toBe(
      'Unexpected git log output at byte 0 (commit record 1): ' +
        'expected "@<sha>" to start a record, got "hello"',
    );
  });

  it.each([
    'merges.files.log',
    'renames.files.log',
    'odd-names.files.log',
    'typechange.files.log',
    'empty-commits.files.log',
    'empty-commits.commits.log',
    'sha256.commits.log',
  ])('%s cut at every offset fails at the cut, or looks like a complete log', async (name) => {
    const bytes = fixture(name);
    const parser = parserFor(name);
    const whole = await parse(bytes, parser);
    let undetectable = 0;
    for (let cut = 1; cut < bytes.length; cut++) {
      const { commits, error } = await attempt(bytes.subarray(0, cut), parser);
      if (error === undefined) {
        // Cut at the end of a record, or right after a sha whose diff is then missing.
        undetectable += 1;
        const last = commits.length - 1;
        expect(commits.slice(0, last)).toEqual(whole.slice(0, last));
        expect([whole[last], { ...whole[last], files: [] }]).toContainEqual(commits[last]);
      } else {
        expect(error).toBeInstanceOf(ParseError);
        expect(error).toMatchObject({ offset: cut, record: commits.length + 1 });
        expect(commits).toEqual(whole.slice(0, commits.length));
      }
    }
    const withDiff = whole.filter((c) => c.files.length > 0).length;
    expect(undetectable).toBe(whole.length - 1 + withDiff);
  });

  it('names what was missing when the output is truncated', async () => {
    const header = fixture('renames.commits.log');
    const cutHeader = async (marker: string) => {
      const cut = header.subarray(0, header.indexOf(marker) + marker.length);
      return (await failure(cut, commitsPass)).error.message;
    };
    const cutInside = await failure(header.subarray(0, 10), commitsPass);
    expect(cutInside.error).toMatchObject({ offset: 10, record: 1 });
    expect(cutInside.error.message).toMatch(/ends inside a field/);
    expect(await cutHeader('\x00')).toMatch(
      /at byte 42 \(commit record 1\): .*expecting the parents/,
    );
    expect(await cutHeader('\x00Ada Author\x00')).toMatch(/expecting the author email/);
    expect(await cutHeader('1700000810 +0000\x00')).toMatch(/expecting the message/);
    const bytes = fixture('renames.files.log');
    const cutAfter = async (marker: string) =>
      (await failure(bytes.subarray(0, bytes.indexOf(marker) + marker.length))).error.message;
    expect((await failure(bytes.subarray(0, 10))).error).toMatchObject({ offset: 10, record: 1 });
    expect(await cutAfter('\x00\n:100644 100644 6b751d8 658d08e M\x00')).toMatch(
      /at byte 76 \(commit record 1\): .*expecting a path/,
    );
    expect(await cutAfter('A\x00copy.txt\x00')).toMatch(/expecting a numstat entry/);
    expect(await cutAfter('R100\x00keep.txt\x00')).toMatch(/expecting a path/);
    expect(await cutAfter('0\t\x00keep.txt\x00')).toMatch(/expecting a path/);
    expect(await cutAfter('1\t0\tb.txt\x00')).toMatch(/2 raw entries but 1 numstat entries/);
    const second = await failure(bytes.subarray(0, bytes.indexOf('\0\0@') + 2));
    expect(second.commits).toHaveLength(1);
    expect(second.error.record).toBe(2);
    expect(second.error.message).toMatch(/ends after a record separator/);
    const trailing = await failure(Buffer.concat([bytes, Buffer.from([0])]));
    expect(trailing.commits).toHaveLength(4);
    expect(trailing.error.message).toMatch(/ends after a record separator/);
  });

  it('rejects the status letters git log never prints, U and X, and unknown ones', async () => {
    const bytes = fixture('typechange.files.log');
    const at = bytes.indexOf('\n:100644 120000');
    for (const [letter, pattern] of [
      ['U', /unmerged file \(status U\)/],
      ['X', /unknown change type \(status X\)/],
      ['Q', /unknown status letter Q/],
    ] as const) {
      const { error, commits } = await failure(
        edited('typechange.files.log', ' T\0', ` ${letter}\0`),
      );
      expect(error).toMatchObject({ offset: at, record: 4 });
      expect(error.message).toMatch(pattern);
      expect(commits).toHaveLength(3);
    }
  });

  it('rejects raw entries it cannot read', async () => {
    const name = 'renames.files.log';
    const noScore = await failure(edited(name, 'R089\0', 'R\0'));
    expect(noScore.error.message).toMatch(/status R without a similarity score/);
    const scored = await failure(edited(name, '6b751d8 658d08e M\0', '6b751d8 658d08e A050\0'));
    expect(scored.error.message).toMatch(/status A with a score/);
    const short = await failure(edited(name, 'fa2da6e 6b751d8 R089', 'fa2da6e R089'));
    expect(short.error.message).toMatch(/invalid raw diff entry ":100644 100644 fa2da6e R089"/);
  });

  it('requires numstat entries to match the raw entries one to one', async () => {
    const name = 'renames.files.log';
    const numstatOf = (text: string) => fixture(name).indexOf(text);
    const wrongPath = await failure(edited(name, '10\t0\tkeep.txt', '10\t0\tkeep.txx'));
    expect(wrongPath.error).toMatchObject({ offset: numstatOf('10\t0\tkeep.txt'), record: 4 });
    expect(wrongPath.error.message).toMatch(
      /numstat entry "keep.txx" does not match raw entry A "keep.txt"/,
    );
    const wrongOld = await failure(edited(name, '0\t0\t\0keep.txt', '0\t0\t\0kept.txt'));
    expect(wrongOld.error.message).toMatch(
      /numstat entry "kept.txt" -> "moved\/keep.txt" does not match raw entry R "keep.txt" -> "moved\/keep.txt"/,
    );
    const missing = await failure(edited(name, '11\t0\tcopy.txt\0', ''));
    expect(missing.error.message).toMatch(/2 raw entries but 1 numstat entries/);
    expect(missing.error.offset).toBe(numstatOf('11\t0\tcopy.txt'));
    const extra = await failure(edited(name, '11\t0\tcopy.txt\0', '11\t0\tcopy.txt\x001\t0\tx\0'));
    expect(extra.error.message).toMatch(/more numstat entries than raw entries/);
    const none = await failure(edited(name, '1\t0\tb.txt\x0011\t0\tcopy.txt\0', ''));
    expect(none.error.message).toMatch(/raw diff entries without numstat entries/);
    const counts = await failure(edited(name, '1\t0\tb.txt', 'x\t0\tb.txt'));
    expect(counts.error.message).toMatch(/invalid numstat counts "x\\t0"/);
    const halfBinary = await failure(edited(name, '1\t0\tb.txt', '-\t0\tb.txt'));
    expect(halfBinary.error.message).toMatch(/invalid numstat counts "-\\t0"/);
    const noTabs = await failure(edited(name, '1\t0\tb.txt', '1 0 b.txt'));
    expect(noTabs.error.message).toMatch(/expected a numstat entry, got "1 0 b.txt"/);
  });

  it('reports the same error however the stream is chunked', async () => {
    const bad: [Buffer, Parser][] = [
      [edited('typechange.files.log', ' T\0', ' U\0'), filesPass],
      [edited('renames.files.log', '10\t0\tkeep.txt', '10\t0\tkeep.txx'), filesPass],
      [edited('odd-names.files.log', '1\t0\twith space.txt', '1\t0\twith spice.txt'), filesPass],
      [fixture('huge-message.commits.log').subarray(0, 300_000), commitsPass],
      [edited('merges.commits.log', '1700000570 -0800', 'yesterday'), commitsPass],
    ];
    for (const [bytes, parser] of bad) {
      const { error } = await failure(bytes, parser);
      const next = random(7);
      for (const size of [() => 1, () => 5, () => Math.ceil(next() * 64)]) {
        const chunkedError = (await failure(bytes, parser, size)).error;
        expect(chunkedError.message).toBe(error.message);
      }
    }
  });

  it('rejects one pass parsed as the other', async () => {
    const asCommits = await failure(fixture('renames.files.log'), commitsPass);
    expect(asCommits.commits).toEqual([]);
    expect(asCommits.error).toMatchObject({ offset: 42, record: 1 });
    expect(asCommits.error.message).toMatch(/invalid parents "\\n:100644/);
    const asFiles = await failure(fixture('merges.commits.log'), filesPass);
    expect(asFiles.commits).toEqual([]);
    expect(asFiles.error).toMatchObject({ offset: 42, record: 1 });
    expect(asFiles.error.message).toMatch(
      /expected a record separator or a raw diff entry, got "0032cffb/,
    );
  });

  it('rejects bad header fields at the field', async () => {
    const name = 'merges.commits.log';
    const at = (text: string) => fixture(name).indexOf(text);
    const sha = await failure(edited(name, '@27fa6bdd', '@27FA6BDD'), commitsPass);
    expect(sha.error).toMatchObject({ offset: 0, record: 1 });
    expect(sha.error.message).toMatch(/invalid commit sha "@27FA6BDD/);
    const parents = await failure(edited(name, '0032cffb0030ea13', '0032cffb0030ea1'), commitsPass);
    expect(parents.error).toMatchObject({ offset: 42 });
    expect(parents.error.message).toMatch(/invalid parents/);
    const date = await failure(edited(name, '1700000540 +0530', '1700000540 +05:30'), commitsPass);
    expect(date.error).toMatchObject({ offset: at('1700000540 +0530'), record: 1 });
    expect(date.error.message).toMatch(/invalid author date "1700000540 \+05:30"/);
    const committed = await failure(edited(name, '1700000570 -0800', 'yesterday'), commitsPass);
    const fileSha = await failure(edited('merges.files.log', '@7f898ffa', '@7f898ffz'));
    expect(fileSha.error).toMatchObject({ record: 2 });
    expect(fileSha.error.message).toMatch(/invalid commit sha "@7f898ffz/);
    expect(committed.error.message).toMatch(/invalid committer date "yesterday"/);
  });

  it('rejects anything but a separator after the message, or a diff after the sha', async () => {
    const { error, commits } = await failure(
      edited('merges.commits.log', 'Octopus merge\n\0\0@', 'Octopus merge\n\0junk\0@'),
      commitsPass,
    );
    expect(commits).toEqual([]);
    expect(error.message).toMatch(/expected a record separator, got "junk"/);
    const files = await failure(edited('merges.files.log', 'e0ff3\0\0@', 'e0ff3\0junk\0@'));
    expect(files.commits).toEqual([]);
    expect(files.error).toMatchObject({ offset: 42, record: 1 });
    expect(files.error.message).toMatch(
      /expected a record separator or a raw diff entry, got "junk"/,
    );
    for (const parser of [commitsPass, filesPass]) {
      const empty = await failure(Buffer.from('\0'), parser);
      expect(empty.error.message).toMatch(/expected "@<sha>" to start a record, got ""/);
    }
  });
});

describe('parseGitLog and parseFileChanges on hand-built records', () => {
  const sha = (digit: string) => digit.repeat(40);
  const record = (fields: { date?: string; message?: string; diff?: string } = {}) =>
    Buffer.from(
      [
        `@${sha('a')}`,
        sha('b'),
        'N',
        'n@x',
        fields.date ?? '0 +0000',
        'M',
        'm@x',
        fields.date ?? '0 +0000',
        `${fields.message ?? 'm\n'}\0${fields.diff ?? ''}`,
      ].join('\0'),
      'latin1',
    );

  it('reads time zones and epochs', async () => {
    const zones = { '-0000': 0, '+0000': 0, '+1345': 825, '-1200': -720, '-0030': -30 };
    for (const [zone, minutes] of Object.entries(zones)) {
      const [commit] = await commitsOf(record({ date: `1234567890 ${zone}` }));
      expect(commit?.author).toEqual({
        name: 'N',
        email: 'n@x',
        time: 1234567890,
        tzOffset: minutes,
      });
      expect(Object.is(commit?.committer.tzOffset, minutes)).toBe(true);
    }
  });

  it('takes a message that starts like a diff or a record as the message', async () => {
    for (const message of ['\n:100644 100644 1 2 M', `@${sha('c')}`, '\n\n', '\t\t\n', '']) {
      const [commit] = await commitsOf(record({ message }));
      expect(commit?.message).toBe(message);
    }
  });

  it('reads a raw entry whose blob names git abbreviated with dots', async () => {
    const diff = '\n:100644 100644 1234567... 89abcde... M\0a\x001\t2\ta\0';
    const [commit] = await filesOf(Buffer.from(`@${sha('a')}\0${diff}`, 'latin1'));
    expect(commit?.sha).toBe(sha('a'));
    expect(rows(commit)).toEqual([['M', null, 'a', 1, 2, false]]);
  });

  it('rejects diff output after a message: the files pass has no header', async () => {
    const diff = '\n:100644 100644 1234567 89abcde M\0a\x001\t2\ta\0';
    const { error } = await failure(record({ diff }), commitsPass);
    expect(error.message).toMatch(/diff output in the commits pass/);
  });
});

describe('make-fixtures.sh', () => {
  let dir = '';
  const env = () => ({
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LC_ALL: 'C',
  });
  const git = async (repo: string, args: readonly string[]) =>
    (
      await run('git', ['-C', join(dir, 'repos', repo), ...args], {
        encoding: 'buffer',
        env: env(),
        maxBuffer: 64 * 1024 * 1024,
      })
    ).stdout;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metre-fixtures-'));
    await run('bash', [SCRIPT, join(dir, 'out'), join(dir, 'repos')], { env: env() });
  }, 120_000);

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('regenerates fixtures that parse to the committed ones', async () => {
    for (const name of LOGS) {
      const fresh = await readFile(join(dir, 'out', name));
      const parser = parserFor(name);
      expect(await parse(fresh, parser), name).toEqual(await parse(fixture(name), parser));
    }
  });

  it('runs git with the flags of log-format.ts', async () => {
    for (const name of LOGS) {
      const [repo = '', pass] = name.split('.');
      const args =
        pass === 'commits'
          ? COMMITS_PASS_ARGS
          : repo === 'copies'
            ? [...FILES_PASS_ARGS, '-C']
            : FILES_PASS_ARGS;
      const output = await git(repo === 'copies' ? 'renames' : repo, [...args, '--all']);
      expect(output.equals(await readFile(join(dir, 'out', name))), name).toBe(true);
    }
  });

  it.each(['merges', 'renames', 'binary', 'typechange', 'empty-commits', 'huge-message', 'sha256'])(
    '%s: agrees with git rev-list --parents and git log --numstat',
    async (repo) => {
      const commits = await commitsOf(await git(repo, [...COMMITS_PASS_ARGS, '--all']));
      const changes = await filesOf(await git(repo, [...FILES_PASS_ARGS, '--all']));
      const revList = (await git(repo, ['rev-list', '--parents', '--all'])).toString('utf8');
      expect(commits.map((c) => [c.sha, ...c.parents].join(' '))).toEqual(
        revList.trimEnd().split('\n'),
      );
      expect(shas(changes)).toEqual(shas(commits));
      const numstat = await git(repo, ['log', '--numstat', '-M', '--format=%H', '--all']);
      const expected = numstatRows(numstat.toString('utf8'));
      const plain = (c: CommitFiles) =>
        c.files.map(({ path, oldPath, added, deleted, binary }) => {
          return { path, oldPath, added, deleted, binary };
        });
      expect(changes.map((c) => [c.sha, plain(c)])).toEqual(
        changes.map((c) => [c.sha, expected.get(c.sha) ?? []]),
      );
    },
  );
});

/** `git log --numstat --format=%H` (plain paths only), read independently of the parser. */
function numstatRows(text: string) {
  const bySha = new Map<string, object[]>();
  let current: object[] = [];
  for (const line of text.split('\n')) {
    if (/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(line)) bySha.set(line, (current = []));
    else if (line !== '') current.push(numstatRow(line));
  }
  return bySha;
}

function numstatRow(line: string) {
  const [added = '', deleted = '', ...rest] = line.split('\t');
  const binary = added === '-';
  const counts = { added: binary ? 0 : Number(added), deleted: binary ? 0 : Number(deleted) };
  const [oldPath, path] = renamed(rest.join('\t'));
  return { path, oldPath, ...counts, binary };
}

/** `a => b` or `dir/{a => b}/file` as [old, new]; [null, path] for a plain path. */
function renamed(display: string): [string | null, string] {
  const braces = /^(.*)\{(.*) => (.*)\}(.*)$/.exec(display);
  if (braces !== null) {
    const [, prefix = '', from = '', to = '', suffix = ''] = braces;
    const join = (middle: string) => `${prefix}${middle}${suffix}`.replace('//', '/');
    return [join(from), join(to)];
  }
  const [from, to] = display.split(' => ');
  return to === undefined ? [null, display] : [from ?? '', to];
}
