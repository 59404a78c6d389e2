import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, type CollectEvent } from '../src/collect/index.js';
import { parseMailmap } from '../src/collect/mailmap.js';
import { loadConfig } from '../src/config/index.js';
import { decodePath, type MailmapEntry } from '../src/core/index.js';
import { openStore } from '../src/store/index.js';
import { makeRepo } from '../bench/make-repo.js';
import { expectStoreMatchesGit } from './support/expect-store.js';
import { queryDuckDb } from './support/duckdb.js';
import { git, gitBytes, gitTruth, initRepo, tempDir } from './support/git.js';
import { startGitDaemon } from './support/git-daemon.js';
import { addCommits, buildScriptedRepo } from './support/repos.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace() {
  const dir = tempDir();
  cleanups.push(dir.remove);
  const config = loadConfig(
    { METRE_HOME: join(dir.path, 'home'), METRE_BATCH_SIZE: '40' },
    { allowLocal: true },
  );
  return { dir: dir.path, config, storeFile: join(dir.path, 'home', 'metre.duckdb') };
}

/** Runs one collection in this process, closing the store afterwards so tests can read the file. */
async function collectOnce(
  ws: ReturnType<typeof workspace>,
  location: string,
  options: {
    name?: string;
    ephemeral?: boolean;
    commitsOnly?: boolean;
    events?: CollectEvent[];
  } = {},
) {
  const store = await openStore(ws.config.store);
  try {
    return await collect(
      { location, name: options.name, commitsOnly: options.commitsOnly },
      {
        store,
        git: ws.config.git,
        collect: { ...ws.config.collect, ephemeral: options.ephemeral ?? false },
        cwd: ws.dir,
        onProgress: options.events ? (event) => options.events?.push(event) : undefined,
        countTotals: true,
      },
    );
  } finally {
    await store.close();
  }
}

async function summaryOf(ws: ReturnType<typeof workspace>, name: string) {
  const store = await openStore(ws.config.store);
  try {
    return (await store.listRepositories()).find((repo) => repo.name === name);
  } finally {
    await store.close();
  }
}

describe('collecting a local repository', () => {
  it('stores exactly what git reports: merges, renames, binary files, odd names, time zones', async () => {
    const ws = workspace();
    const repo = buildScriptedRepo(join(ws.dir, 'scripted'));
    const events: CollectEvent[] = [];
    const summary = await collectOnce(ws, repo, { events });
    const truth = gitTruth(repo);

    expect(summary.commits).toBe(truth.commitsAll);
    expect(summary.repository.status).toBe('up-to-date');
    expect(summary.repository.defaultBranch).toBe('main');
    await expectStoreMatchesGit(ws.storeFile, repo, 'scripted');
    const listed = await summaryOf(ws, 'scripted');
    expect(listed).toMatchObject({
      commits: truth.commitsDefault,
      commitsAllRefs: truth.commitsAll,
      mergeCommits: truth.merges,
      head: truth.head,
    });
    expect(events.some((e) => e.phase === 'commits')).toBe(true);
    expect(events.some((e) => e.phase === 'files')).toBe(true);
    for (const event of events) {
      if (event.phase !== 'fetch') expect([null, truth.commitsAll]).toContain(event.total);
    }
  });

  it('keeps signatures, time zones, messages and refs as git has them', async () => {
    const ws = workspace();
    const repo = buildScriptedRepo(join(ws.dir, 'scripted'));
    await collectOnce(ws, repo);
    const expected = git(repo, [
      'log',
      '--all',
      '--format=%H%x09%an%x09%ae%x09%at%x09%ad%x09%s',
      '--date=format:%z',
    ])
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([sha, name, email, at, zone, subject]) => {
        const sign = zone!.startsWith('-') ? -1 : 1;
        const offset = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(3, 5)));
        return { sha, name, email, at: Number(at), offset, subject };
      })
      .sort((a, b) => a.sha!.localeCompare(b.sha!));
    const rows = await queryDuckDb(
      ws.storeFile,
      `SELECT sha, author_name AS name, author_email AS email, epoch(author_time)::BIGINT AS at,
              author_tz AS offset, subject FROM commits ORDER BY sha`,
    );
    expect(rows.map((r) => ({ ...r, at: Number(r.at) }))).toEqual(expected);

    const refs = await queryDuckDb(ws.storeFile, 'SELECT name, kind, sha FROM refs ORDER BY name');
    const gitRefs = git(repo, [
      'for-each-ref',
      '--format=%(refname:short) %(objectname) %(*objectname)',
    ])
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([name, sha, peeled]) => ({ name, sha: peeled || sha }))
      .sort((a, b) => a.name!.localeCompare(b.name!));
    expect(refs.map((r) => ({ name: r.name, sha: r.sha }))).toEqual(gitRefs);
    expect(refs.find((r) => r.name === 'v1.0')?.kind).toBe('tag');
  });

  it('stores a generated history with many authors, merges and renames exactly', async () => {
    const ws = workspace();
    const repo = join(ws.dir, 'generated');
    await makeRepo(repo, { commits: 1500, seed: 7 });
    await collectOnce(ws, repo);
    await expectStoreMatchesGit(ws.storeFile, repo, 'generated');
  });

  it('collects an empty repository without error', async () => {
    const ws = workspace();
    const repo = initRepo(join(ws.dir, 'empty'));
    const summary = await collectOnce(ws, repo);
    expect(summary.commits).toBe(0);
    expect(summary.repository).toMatchObject({
      status: 'up-to-date',
      head: null,
      defaultBranch: 'main',
    });
  });
});

describe('incremental collection', () => {
  it('serves commits first: a commits-only run, then the file changes', async () => {
    const ws = workspace();
    const repo = buildScriptedRepo(join(ws.dir, 'two-steps'));
    const first = await collectOnce(ws, repo, { commitsOnly: true });
    expect(first).toMatchObject({ commits: gitTruth(repo).commitsAll, fileChanges: 0 });
    expect(first.repository.status).toBe('commits-done');
    const [stats] = await queryDuckDb(
      ws.storeFile,
      `SELECT count(*) FILTER (WHERE files_changed IS NOT NULL)::INTEGER AS with_totals,
              (SELECT count(*) FROM file_changes)::INTEGER AS files FROM commits`,
    );
    expect(stats).toEqual({ with_totals: 0, files: 0 });
    const second = await collectOnce(ws, repo);
    expect(second.commits).toBe(0);
    expect(second.repository.status).toBe('up-to-date');
    await expectStoreMatchesGit(ws.storeFile, repo, 'two-steps');
  });

  it('stores only new commits, and does no work when nothing is new', async () => {
    const ws = workspace();
    const repo = buildScriptedRepo(join(ws.dir, 'inc'));
    const first = await collectOnce(ws, repo);
    addCommits(repo, 5, 'more');
    const second = await collectOnce(ws, repo);
    expect(second.commits).toBe(5);
    expect(second.fileChanges).toBe(5);
    const third = await collectOnce(ws, repo);
    expect(third.commits).toBe(0);
    expect(third.fileChanges).toBe(0);
    expect(third.repository.dataVersion).toBe(second.repository.dataVersion);
    expect(second.repository.dataVersion).toBeGreaterThan(first.repository.dataVersion);
    await expectStoreMatchesGit(ws.storeFile, repo, 'inc');
  });

  it('reconciles a force push and a deleted branch', async () => {
    const ws = workspace();
    const repo = buildScriptedRepo(join(ws.dir, 'rewrite'));
    addCommits(repo, 4, 'doomed');
    await collectOnce(ws, repo);
    git(repo, ['reset', '-q', '--hard', 'HEAD~3']);
    addCommits(repo, 2, 'replacement');
    git(repo, ['branch', '-D', 'unmerged']);
    const summary = await collectOnce(ws, repo);
    expect(summary.removed).toBe(4); // three rewritten commits and the deleted branch's one
    expect(summary.commits).toBe(2);
    await expectStoreMatchesGit(ws.storeFile, repo, 'rewrite');
  });

  it('starts over when stored commits were garbage-collected away', async () => {
    const ws = workspace();
    const repo = buildScriptedRepo(join(ws.dir, 'gc'));
    addCommits(repo, 3, 'gone');
    await collectOnce(ws, repo);
    git(repo, ['reset', '-q', '--hard', 'HEAD~3']);
    git(repo, ['reflog', 'expire', '--expire=now', '--all']);
    git(repo, ['gc', '-q', '--prune=now']);
    await collectOnce(ws, repo);
    await expectStoreMatchesGit(ws.storeFile, repo, 'gc');
  });
});

describe('collecting a remote repository into a mirror', () => {
  it('clones once, then fetches with prune', async () => {
    const ws = workspace();
    const served = join(ws.dir, 'served');
    const upstream = buildScriptedRepo(join(served, 'upstream.git'));
    const daemon = await startGitDaemon(served);
    cleanups.push(() => daemon.stop());
    const url = daemon.url('upstream.git');

    const first = await collectOnce(ws, url, { name: 'remote' });
    expect(first.repository.source).toBe(url);
    await expectStoreMatchesGit(ws.storeFile, upstream, 'remote');

    addCommits(upstream, 3, 'upstream');
    git(upstream, ['branch', '-D', 'unmerged']);
    const second = await collectOnce(ws, url, { name: 'remote' });
    expect(second.commits).toBe(3);
    expect(second.removed).toBe(1);
    await expectStoreMatchesGit(ws.storeFile, upstream, 'remote');
    expect(
      readdirSync(ws.config.collect.mirrorsDir).filter((f) => f.endsWith('.git')),
    ).toHaveLength(1);
  });

  it('deletes the mirror after the run in ephemeral mode', async () => {
    const ws = workspace();
    const served = join(ws.dir, 'served');
    buildScriptedRepo(join(served, 'eph.git'));
    const daemon = await startGitDaemon(served);
    cleanups.push(() => daemon.stop());
    const summary = await collectOnce(ws, daemon.url('eph.git'), { ephemeral: true });
    expect(summary.commits).toBeGreaterThan(0);
    expect(readdirSync(ws.config.collect.mirrorsDir)).toEqual([]);
  });
});

describe('what the metrics read besides commits', () => {
  const MAILMAP = [
    '# who is who',
    'Ada Lovelace <ada@example.org>',
    'Robert <robert@example.org> Bob <bob@example.org>',
    '<chen@example.cn> <Chen@Example.IN> # moved',
    'not an entry',
  ].join('\n');

  /** The scripted repository plus a `.mailmap`, a symlink and a submodule on main. */
  function buildRepo(dir: string): string {
    const repo = buildScriptedRepo(dir);
    git(repo, ['checkout', '-q', 'unmerged']);
    writeFileSync(join(repo, '.mailmap'), 'Not The Default <x@example.org> <ada@example.org>\n');
    git(repo, ['add', '.mailmap']);
    git(repo, ['commit', '-q', '-m', 'a mailmap off the default branch']);
    git(repo, ['checkout', '-q', 'main']);
    writeFileSync(join(repo, '.mailmap'), MAILMAP);
    symlinkSync('b.txt', join(repo, 'link-to-b'));
    const gitlink = `160000,${git(repo, ['rev-parse', 'HEAD']).trim()},vendor/sub`;
    git(repo, ['update-index', '--add', '--cacheinfo', gitlink]);
    git(repo, ['add', '.mailmap', 'link-to-b']);
    git(repo, ['commit', '-q', '-m', 'mailmap, a symlink and a submodule']);
    return repo;
  }

  const byName = (ws: ReturnType<typeof workspace>, table: string, columns: string) =>
    queryDuckDb(
      ws.storeFile,
      `SELECT ${columns} FROM ${table} WHERE repo_id = (SELECT id FROM repositories WHERE name = 'meta')`,
    );

  const sortEntries = (entries: readonly MailmapEntry[]) =>
    entries.map((e) => JSON.stringify(e)).sort();

  async function storedMailmap(ws: ReturnType<typeof workspace>) {
    const rows = await byName(
      ws,
      'mailmap',
      'proper_name, proper_email, commit_name, commit_email',
    );
    return sortEntries(
      rows.map((row) => ({
        properName: row.proper_name as string | null,
        properEmail: row.proper_email as string | null,
        commitName: row.commit_name as string | null,
        commitEmail: row.commit_email as string,
      })),
    );
  }

  async function storedTree(ws: ReturnType<typeof workspace>) {
    const rows = await byName(ws, 'tree_files', 'path, bytes');
    return new Map(rows.map((row) => [String(row.path), Number(row.bytes)]));
  }

  /** The blobs of HEAD's tree and their sizes, as `git ls-tree -r -l` prints them. */
  function gitTree(repo: string): Map<string, number> {
    const entries = gitBytes(repo, ['ls-tree', '-r', '-l', '-z', 'HEAD'])
      .toString('latin1')
      .split('\0')
      .filter((entry) => entry !== '');
    const files = new Map<string, number>();
    for (const entry of entries) {
      const [header = '', path = ''] = entry.split(/\t(.*)/s);
      const [, type, , size] = header.split(/ +/);
      if (type === 'blob') files.set(decodePath(Buffer.from(path, 'latin1')), Number(size));
    }
    return files;
  }

  const gitMailmap = (repo: string) =>
    sortEntries(parseMailmap(git(repo, ['show', 'HEAD:.mailmap'])));

  it('stores the default branch’s mailmap and tree, and when each ref was made', async () => {
    const ws = workspace();
    const repo = buildRepo(join(ws.dir, 'meta'));
    await collectOnce(ws, repo);

    expect(await storedMailmap(ws)).toEqual(gitMailmap(repo));
    expect((await storedMailmap(ws)).length).toBe(3);

    const tree = await storedTree(ws);
    expect(tree).toEqual(gitTree(repo));
    expect(tree.get('link-to-b')).toBe('b.txt'.length);
    expect(tree.has('vendor/sub')).toBe(false);
    expect(tree.get('bytes-\\xff\\xfe.txt')).toBe(2);
    expect(tree.has('only-here.txt')).toBe(false); // on another branch only

    const refs = await byName(ws, 'refs', 'name, epoch(created_at)::BIGINT AS created');
    const gitRefs = git(repo, ['for-each-ref', '--format=%(refname:short) %(creatordate:unix)'])
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([name, created]) => ({ name, created: Number(created) }));
    const sortByName = <T extends { name?: unknown }>(list: T[]) =>
      list.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(sortByName(refs.map((r) => ({ name: r.name, created: Number(r.created) })))).toEqual(
      sortByName(gitRefs),
    );
    // An annotated tag was made when it was tagged, not when its commit was.
    const tag = refs.find((r) => r.name === 'v1.0');
    const commitTime = git(repo, ['log', '-1', '--format=%ct', 'v1.0']).trim();
    expect(Number(tag?.created)).not.toBe(Number(commitTime));
  });

  it('rewrites them only when the default branch moves', async () => {
    const ws = workspace();
    const repo = buildRepo(join(ws.dir, 'meta'));
    const first = await collectOnce(ws, repo);
    const second = await collectOnce(ws, repo);
    expect(second.repository.dataVersion).toBe(first.repository.dataVersion);
    expect(await storedTree(ws)).toEqual(gitTree(repo));

    writeFileSync(join(repo, '.mailmap'), `${MAILMAP}\nNew Name <new@example.org>\n`);
    writeFileSync(join(repo, 'added.txt'), 'twelve bytes');
    git(repo, ['add', '.mailmap', 'added.txt']);
    git(repo, ['commit', '-q', '-m', 'a longer mailmap']);
    const third = await collectOnce(ws, repo);
    expect(third.repository.dataVersion).toBeGreaterThan(second.repository.dataVersion);
    expect(await storedMailmap(ws)).toEqual(gitMailmap(repo));
    expect((await storedMailmap(ws)).length).toBe(4);
    expect(await storedTree(ws)).toEqual(gitTree(repo));
    expect((await storedTree(ws)).get('added.txt')).toBe(12);
    await expectStoreMatchesGit(ws.storeFile, repo, 'meta');
  });

  it('stores no mailmap when the default branch has none', async () => {
    const ws = workspace();
    const repo = buildScriptedRepo(join(ws.dir, 'meta'));
    await collectOnce(ws, repo);
    expect(await storedMailmap(ws)).toEqual([]);
    expect(await storedTree(ws)).toEqual(gitTree(repo));
  });
});
