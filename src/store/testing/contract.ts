import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Commit, MailmapEntry, TreeFile } from '../../core/index.js';
import { isMetreError } from '../../errors/index.js';
import type { Repository, Store, Walk } from '../port.js';
import { describeRepositoryEdits } from './contract-edits.js';
import { chunks, commitFiles, makeCommit, makeFile, makeHistory, sha } from './fixtures.js';
import {
  countRows,
  readCommits,
  readDefaultBranch,
  readFileChanges,
  readMailmap,
  readRefs,
  readRows,
  readTree,
  sortMailmap,
} from './inspect.js';

const walk = (done: number, include = [sha('tip')], exclude: string[] = []): Walk => ({
  include,
  exclude,
  done,
});

/** Expects `promise` to reject with a MetreError of `code`. */
async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isMetreError(error) ? error.code : error).toBe(code);
}

/**
 * The Store contract: every backend runs these same tests and must pass them all.
 *
 * `open` opens the suite's store: every call must reach the same database (a test closes its store
 * and opens it again to check that data persists and migrations run once), so tests isolate
 * themselves by working on repositories of their own, with unique names. Reading rows back uses
 * the store's `readRows` (see `inspect.ts`).
 *
 * @example describeStoreContract('duckdb', () => openStore(`duckdb:${file}`))
 */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let repo: Repository;
    const version = async (id = repo.id) => (await store.findRepository(id))?.dataVersion;

    beforeEach(async () => {
      store = await open();
      repo = await store.saveRepository({ name: `contract-${randomUUID()}`, source: '/src/a' });
    });
    afterEach(async () => {
      await store.close();
    });

    const ctx = (): Context => ({ store, repo, version });
    describeRepositories(ctx);
    describeProgress(ctx);
    describeAtomicity(ctx);
    describeFilesPass(ctx);
    describeDefaultBranch(ctx);
    describeRemovals(ctx);
    describeMailmapAndTree(ctx);
    describeRoundTrips(ctx);
    describeRepositoryEdits(ctx);
    describeLifecycle(ctx, open, (reopened) => (store = reopened));
  });
}

interface Context {
  store: Store;
  repo: Repository;
  version: (id?: string) => Promise<number | undefined>;
}

function describeRepositories(ctx: () => Context): void {
  describe('repositories', () => {
    it('saves a new repository with its defaults', () => {
      const { repo } = ctx();
      expect(repo.id).toMatch(/^\S{8,}$/);
      expect(repo).toMatchObject({
        source: '/src/a',
        defaultBranch: null,
        status: 'new',
        lastError: null,
        dataVersion: 0,
        lastCollectedAt: null,
        head: null,
        schedule: 'daily',
      });
    });

    it('saves by name: the same repository again, with its source updated if it moved', async () => {
      const { store, repo } = ctx();
      expect(await store.saveRepository({ name: repo.name, source: '/src/a' })).toEqual(repo);
      const moved = await store.saveRepository({ name: repo.name, source: '/src/b' });
      expect(moved).toEqual({ ...repo, source: '/src/b' });
      expect(await store.findRepository(repo.id)).toEqual(moved);
    });

    it('finds by id or by name, and nothing for an unknown one', async () => {
      const { store, repo } = ctx();
      expect(await store.findRepository(repo.id)).toEqual(repo);
      expect(await store.findRepository(repo.name)).toEqual(repo);
      expect(await store.findRepository(`missing-${randomUUID()}`)).toBeUndefined();
    });

    it('updates only the patched fields, and clears them with null', async () => {
      const { store, repo } = ctx();
      const at = new Date('2024-02-29T12:34:56.789Z');
      await store.updateRepository(repo.id, {
        status: 'failed',
        lastError: 'git failed: exit 128',
        defaultBranch: 'main',
        lastCollectedAt: at,
      });
      await store.updateRepository(repo.id, { source: '/src/c' });
      const updated = await store.findRepository(repo.id);
      expect(updated).toEqual({
        ...repo,
        status: 'failed',
        lastError: 'git failed: exit 128',
        defaultBranch: 'main',
        lastCollectedAt: at,
        source: '/src/c',
      });
      await store.updateRepository(repo.id, { status: 'up-to-date', lastError: null });
      expect(await store.findRepository(repo.id)).toMatchObject({
        status: 'up-to-date',
        lastError: null,
        lastCollectedAt: at,
      });
      await store.updateRepository(repo.id, {});
    });

    it('refuses to update an unknown repository', async () => {
      await expectCode(
        ctx().store.updateRepository('missing', { status: 'new' }),
        'METRE_REPO_NOT_FOUND',
      );
    });

    it('lists repositories with counts computed by the store', async () => {
      const { store, repo } = ctx();
      const other = await store.saveRepository({ name: `${repo.name}-b`, source: '/src/b' });
      const history = [...makeHistory(3), makeCommit('merge', { parents: [sha(1), sha(2)] })];
      await store.writeCommits(repo.id, history, walk(4));
      await store.writeFileChanges(
        repo.id,
        [commitFiles(history[0]!, [makeFile('a'), makeFile('b')])],
        walk(1),
      );
      await store.recordDefaultBranch(repo.id, sha(1), chunks([sha(0), sha(1)]), true);
      const listed = await store.listRepositories();
      const mine = listed.filter((r) => r.id === repo.id || r.id === other.id);
      expect(mine.map((r) => r.name)).toEqual([repo.name, other.name]);
      expect(mine[0]).toMatchObject({
        commits: 2,
        commitsAllRefs: 4,
        mergeCommits: 1,
        fileChanges: 2,
      });
      expect(mine[0]?.dataVersion).toBe(1);
      expect(mine[1]).toMatchObject({
        commits: 0,
        commitsAllRefs: 0,
        mergeCommits: 0,
        fileChanges: 0,
      });
      for (const value of Object.values(mine[0]!)) expect(typeof value).not.toBe('bigint');

      // One repository's counts, by id or by name, equal its row of the list.
      expect(await store.summarizeRepository(repo.id)).toEqual(mine[0]);
      expect(await store.summarizeRepository(other.name)).toEqual(mine[1]);
      expect(await store.summarizeRepository('missing')).toBeUndefined();
      // The records alone: the same repositories in the same order, nothing counted.
      const records = (await store.listRepositoryRecords()).filter(
        (r) => r.id === repo.id || r.id === other.id,
      );
      expect(records.map((r) => r.name)).toEqual([repo.name, other.name]);
      expect(records[0]).toEqual(await store.findRepository(repo.id));
      expect(records[0]).not.toHaveProperty('commits');
    });
  });
}

function describeProgress(ctx: () => Context): void {
  describe('commits and progress markers', () => {
    it('starts with no tips and no walk for either pass', async () => {
      const { store, repo } = ctx();
      const none = { tips: [], walk: null };
      expect(await store.readProgress(repo.id)).toEqual({ commits: none, files: none });
    });

    it('stores commits with the walk marker that covers them', async () => {
      const { store, repo, version } = ctx();
      const history = makeHistory(5);
      await store.writeCommits(repo.id, history.slice(0, 3), walk(3));
      await store.writeCommits(repo.id, history.slice(3), walk(5));
      expect((await readCommits(store, repo.id)).map((c) => c.sha)).toEqual(
        history.map((c) => c.sha).sort(),
      );
      expect(await store.readProgress(repo.id)).toEqual({
        commits: { tips: [], walk: walk(5) },
        files: { tips: [], walk: null },
      });
      // The data version moves only when a pass completes.
      expect(await version()).toBe(0);
    });

    it('completes a pass: tips set, walk cleared, data version bumped', async () => {
      const { store, repo, version } = ctx();
      await store.writeCommits(repo.id, makeHistory(2), walk(2, [sha(1)], [sha('old')]));
      await store.completePass(repo.id, 'commits', [sha(1), sha('tag')]);
      expect(await store.readProgress(repo.id)).toEqual({
        commits: { tips: [sha(1), sha('tag')], walk: null },
        files: { tips: [], walk: null },
      });
      expect(await version()).toBe(1);
      // The next walk keeps the tips until it completes.
      await store.writeCommits(repo.id, makeHistory(1, 2), walk(1, [sha(2)], [sha(1)]));
      expect((await store.readProgress(repo.id)).commits).toEqual({
        tips: [sha(1), sha('tag')],
        walk: walk(1, [sha(2)], [sha(1)]),
      });
    });

    it('keeps each repository to itself', async () => {
      const { store, repo } = ctx();
      const other = await store.saveRepository({ name: `${repo.name}-b`, source: '/src/b' });
      await store.writeCommits(repo.id, makeHistory(2), walk(2));
      await store.writeCommits(other.id, makeHistory(3), walk(3));
      expect(await countRows(store, 'commits', repo.id)).toBe(2);
      expect(await countRows(store, 'commits', other.id)).toBe(3);
      expect((await store.readProgress(other.id)).commits.walk).toEqual(walk(3));
    });

    it('serializes concurrent calls', async () => {
      const { store, repo } = ctx();
      const batches = Array.from({ length: 8 }, (_, i) => makeHistory(50, i * 50));
      await Promise.all(batches.map((batch, i) => store.writeCommits(repo.id, batch, walk(i))));
      expect(await countRows(store, 'commits', repo.id)).toBe(400);
    });
  });
}

function describeAtomicity(ctx: () => Context): void {
  describe('atomicity', () => {
    // A time-zone offset beyond SMALLINT makes every backend refuse the row; placed after the
    // first 2,048 rows it fails the batch once earlier rows were already handed to the database.
    const poisoned = (count: number): Commit[] => {
      const history = makeHistory(count, 100);
      const last = history[count - 1]!;
      history[count - 1] = { ...last, author: { ...last.author, tzOffset: 40_000 } };
      return history;
    };

    it('a failing commit batch stores nothing and keeps the old marker', async ({ skip }) => {
      skip(!ctx().store.capabilities.transactions, 'needs transactions (see the test below)');
      const { store, repo } = ctx();
      await store.writeCommits(repo.id, makeHistory(3), walk(3));
      const before = await store.readProgress(repo.id);
      await expectCode(
        store.writeCommits(repo.id, poisoned(3000), walk(3003)),
        'METRE_STORE_FAILED',
      );
      expect(await countRows(store, 'commits', repo.id)).toBe(3);
      expect(await store.readProgress(repo.id)).toEqual(before);
      // The store is still usable after the failure.
      await store.writeCommits(repo.id, makeHistory(2, 3), walk(5));
      expect(await countRows(store, 'commits', repo.id)).toBe(5);
    });

    it('a marker that cannot be stored takes its batch down with it', async ({ skip }) => {
      skip(!ctx().store.capabilities.transactions, 'needs transactions (see the test below)');
      const { store, repo } = ctx();
      await expectCode(
        store.writeCommits(repo.id, makeHistory(10), walk(Number.NaN)),
        'METRE_STORE_FAILED',
      );
      expect(await countRows(store, 'commits', repo.id)).toBe(0);
      expect(await store.readProgress(repo.id)).toEqual({
        commits: { tips: [], walk: null },
        files: { tips: [], walk: null },
      });
    });

    it('a failing file batch stores nothing, sets no totals and keeps the old marker', async ({
      skip,
    }) => {
      skip(!ctx().store.capabilities.transactions, 'needs transactions (see the test below)');
      const { store, repo } = ctx();
      const history = makeHistory(3000);
      await store.writeCommits(repo.id, history, walk(3000));
      const files = history.map((c) => commitFiles(c, [makeFile('a.txt')]));
      // Each file's count fits an INTEGER, their total does not: the file rows are written, then
      // the commit totals fail.
      const half = 2 ** 30 + 1;
      files[2999] = commitFiles(history[2999]!, [makeFile('x', half), makeFile('y', half)]);
      await expectCode(store.writeFileChanges(repo.id, files, walk(3000)), 'METRE_STORE_FAILED');
      expect(await countRows(store, 'file_changes', repo.id)).toBe(0);
      expect((await readCommits(store, repo.id)).every((c) => c.filesChanged === null)).toBe(true);
      expect((await store.readProgress(repo.id)).files).toEqual({ tips: [], walk: null });
    });

    it('a default branch record failing midway changes nothing', async ({ skip }) => {
      skip(!ctx().store.capabilities.transactions, 'needs transactions (see the test below)');
      const { store, repo, version } = ctx();
      await store.recordDefaultBranch(repo.id, sha(0), chunks([sha(0)]), true);
      async function* failing(): AsyncIterable<readonly string[]> {
        yield Array.from({ length: 3000 }, (_, i) => sha(i + 1));
        throw new Error('rev-list died');
      }
      await expect(store.recordDefaultBranch(repo.id, sha(9), failing(), true)).rejects.toThrow(
        /rev-list died/,
      );
      expect(await readDefaultBranch(store, repo.id)).toEqual([sha(0)]);
      expect(await store.findRepository(repo.id)).toMatchObject({ head: sha(0), dataVersion: 1 });
      expect(await version()).toBe(1);
    });

    // A backend without transactions (CrateDB) cannot take a half-written batch back: what makes
    // it safe is that the marker moves only after the batch, and every write is an upsert.
    it('without transactions, a failed batch keeps the old marker and a retry stores rows once', async ({
      skip,
    }) => {
      const { store, repo } = ctx();
      skip(store.capabilities.transactions, 'for backends without transactions (see above)');
      await store.writeCommits(repo.id, makeHistory(3), walk(3));
      const before = await store.readProgress(repo.id);
      await expectCode(
        store.writeCommits(repo.id, poisoned(3000), walk(3003)),
        'METRE_STORE_FAILED',
      );
      expect(await store.readProgress(repo.id)).toEqual(before);
      await store.writeCommits(repo.id, makeHistory(3000, 100), walk(3003));
      expect(await countRows(store, 'commits', repo.id)).toBe(3003);
      expect((await store.readProgress(repo.id)).commits.walk?.done).toBe(3003);
    });
  });
}

function describeFilesPass(ctx: () => Context): void {
  describe('files pass', () => {
    const merge = makeCommit('merge', { parents: [sha(0), sha(1)] });
    const history = [...makeHistory(3), merge];

    it('stores file changes with the batch, and each commit totals once the pass ends', async () => {
      const { store, repo } = ctx();
      await store.writeCommits(repo.id, history, walk(4));
      const renamed = {
        ...makeFile('new name', 0, 0),
        oldPath: 'old name',
        changeType: 'R' as const,
      };
      const binary = { ...makeFile('logo.png', 0, 0), changeType: 'A' as const, binary: true };
      const batch = [
        commitFiles(history[0]!, [makeFile('a', 10, 2), makeFile('b', 5, 1)]),
        commitFiles(history[1]!, [renamed, binary]),
        commitFiles(merge, []),
      ];
      await store.writeFileChanges(repo.id, batch, walk(3));
      expect(await readFileChanges(store, repo.id)).toEqual(
        batch
          .flatMap(({ sha: s, files }) => files.map((file) => ({ sha: s, file })))
          .sort((x, y) => (x.sha + x.file.path < y.sha + y.file.path ? -1 : 1)),
      );
      expect((await store.readProgress(repo.id)).files.walk).toEqual(walk(3));
      const staged = await totalsBySha(store, repo.id);
      expect([...staged.values()].every((t) => t.every((v) => v === null))).toBe(true);

      await store.completePass(repo.id, 'files', [merge.sha]);
      const totals = await totalsBySha(store, repo.id);
      expect(totals.get(history[0]!.sha)).toEqual([2, 15, 3]);
      expect(totals.get(history[1]!.sha)).toEqual([2, 0, 0]);
      expect(totals.get(merge.sha)).toEqual([0, 0, 0]);
      // Not walked by the files pass: totals unknown.
      expect(totals.get(history[2]!.sha)).toEqual([null, null, null]);
    });

    it('completing the files pass never turns unknown totals into zeros', async () => {
      const { store, repo, version } = ctx();
      await store.writeCommits(repo.id, history, walk(4));
      await store.completePass(repo.id, 'commits', [merge.sha]);
      await store.writeFileChanges(
        repo.id,
        [commitFiles(history[0]!, [makeFile('a', 7, 1)]), commitFiles(merge, [])],
        walk(2),
      );
      await store.completePass(repo.id, 'files', [merge.sha]);
      const totals = await totalsBySha(store, repo.id);
      expect(totals.get(history[0]!.sha)).toEqual([1, 7, 1]);
      expect(totals.get(merge.sha)).toEqual([0, 0, 0]);
      for (const c of [history[1]!, history[2]!])
        expect(totals.get(c.sha)).toEqual([null, null, null]);
      expect((await store.readProgress(repo.id)).files).toEqual({ tips: [merge.sha], walk: null });
      expect(await version()).toBe(2);
    });

    it('a later files pass fills new commits and leaves earlier totals alone', async () => {
      const { store, repo } = ctx();
      await store.writeCommits(repo.id, history.slice(0, 1), walk(1));
      await store.writeFileChanges(
        repo.id,
        [commitFiles(history[0]!, [makeFile('a', 3, 0)])],
        walk(1),
      );
      await store.completePass(repo.id, 'files', [history[0]!.sha]);
      await store.writeCommits(repo.id, history.slice(1, 2), walk(1));
      await store.writeFileChanges(
        repo.id,
        [commitFiles(history[1]!, [makeFile('a', 1, 1)])],
        walk(1),
      );
      await store.completePass(repo.id, 'files', [history[1]!.sha]);
      const totals = await totalsBySha(store, repo.id);
      expect(totals.get(history[0]!.sha)).toEqual([1, 3, 0]);
      expect(totals.get(history[1]!.sha)).toEqual([1, 1, 1]);
    });
  });
}

async function totalsBySha(store: Store, repoId: string) {
  const commits = await readCommits(store, repoId);
  return new Map(commits.map((c) => [c.sha, [c.filesChanged, c.linesAdded, c.linesDeleted]]));
}

function describeDefaultBranch(ctx: () => Context): void {
  describe('default branch', () => {
    const shas = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => sha(from + i));

    it('records chunks of commits, the head, and bumps the data version', async () => {
      const { store, repo, version } = ctx();
      await store.recordDefaultBranch(
        repo.id,
        sha(4999),
        chunks(shas(0, 2500), shas(2500, 2500)),
        true,
      );
      expect(await readDefaultBranch(store, repo.id)).toEqual(shas(0, 5000).sort());
      expect(await store.findRepository(repo.id)).toMatchObject({ head: sha(4999) });
      expect(await version()).toBe(1);
    });

    it('adds to the history without reset, replaces it with reset', async () => {
      const { store, repo, version } = ctx();
      await store.recordDefaultBranch(repo.id, sha(1), chunks(shas(0, 2)), true);
      await store.recordDefaultBranch(repo.id, sha(3), chunks(shas(2, 2)), false);
      expect(await readDefaultBranch(store, repo.id)).toEqual(shas(0, 4).sort());
      await store.recordDefaultBranch(repo.id, sha('x'), chunks([sha('x')], []), true);
      expect(await readDefaultBranch(store, repo.id)).toEqual([sha('x')]);
      expect(await store.findRepository(repo.id)).toMatchObject({ head: sha('x') });
      expect(await version()).toBe(3);
    });

    it('flags the commits the default branch reaches, following extensions and resets', async () => {
      const { store, repo } = ctx();
      const history = makeHistory(6);
      await store.writeCommits(repo.id, history, walk(6));
      const flagged = async () =>
        (
          await readRows(
            store,
            'SELECT sha FROM commits WHERE repo_id = $1 AND on_default ORDER BY sha',
            [repo.id],
          )
        ).map((row) => String(row.sha));
      const first = history.slice(0, 3).map((c) => c.sha);
      await store.recordDefaultBranch(
        repo.id,
        sha(2),
        chunks(first.slice(0, 2), [first[2]!]),
        true,
      );
      expect(await flagged()).toEqual([...first].sort());
      const more = history.slice(3, 5).map((c) => c.sha);
      await store.recordDefaultBranch(repo.id, sha(4), chunks(more), false);
      expect(await flagged()).toEqual([...first, ...more].sort());
      const other = [history[5]!.sha];
      await store.recordDefaultBranch(repo.id, sha(5), chunks(other), true);
      expect(await flagged()).toEqual(other);
    });

    it('file changes carry their commit’s dates and default branch flag, whenever written', async () => {
      const { store, repo } = ctx();
      const history = makeHistory(6).map((c, i) => ({
        ...c,
        committer: { ...c.committer, time: c.author.time + 60 * (i + 1) },
      }));
      await store.writeCommits(repo.id, history, walk(6));
      const files = (from: number, to: number) =>
        history.slice(from, to).map((c) => commitFiles(c, [makeFile('a'), makeFile(`d/${c.sha}`)]));
      const carried = async () =>
        (
          await readRows(
            store,
            `SELECT f.sha, f.on_default, f.author_time = c.author_time AS same_author,
               f.committer_time = c.committer_time AS same_committer
             FROM file_changes f JOIN commits c ON c.repo_id = f.repo_id AND c.sha = f.sha
             WHERE f.repo_id = $1 ORDER BY f.sha, f.path`,
            [repo.id],
          )
        ).map((row) => [String(row.sha), row.on_default, row.same_author, row.same_committer]);
      const expected = (stored: readonly string[], onDefault: readonly string[]) =>
        [...stored].sort().flatMap((s) => [0, 1].map(() => [s, onDefault.includes(s), true, true]));
      const shasOf = (from: number, to: number) => history.slice(from, to).map((c) => c.sha);
      // The first three before the default branch is recorded, in a files pass that ends after.
      await store.writeFileChanges(repo.id, files(0, 3), walk(3));
      await store.recordDefaultBranch(repo.id, sha(3), chunks(shas(0, 2), [sha(3)]), true);
      await store.completePass(repo.id, 'files', [sha(2)]);
      expect(await carried()).toEqual(expected(shasOf(0, 3), [sha(0), sha(1)]));
      // The others after it, in a pass cut short: the next pass to end fills them too.
      await store.writeFileChanges(repo.id, files(3, 5), walk(2));
      await store.writeFileChanges(repo.id, files(5, 6), walk(1));
      await store.completePass(repo.id, 'files', [sha(5)]);
      const all = shasOf(0, 6);
      expect(await carried()).toEqual(expected(all, [sha(0), sha(1), sha(3)]));
      await store.recordDefaultBranch(repo.id, sha(5), chunks([sha(4), sha(5)]), false);
      expect(await carried()).toEqual(expected(all, [sha(0), sha(1), sha(3), sha(4), sha(5)]));
      await store.recordDefaultBranch(repo.id, sha(2), chunks([sha(2)]), true);
      expect(await carried()).toEqual(expected(all, [sha(2)]));
    });

    it('an empty default branch clears the head', async () => {
      const { store, repo } = ctx();
      await store.recordDefaultBranch(repo.id, sha(1), chunks(shas(0, 2)), true);
      await store.recordDefaultBranch(repo.id, null, chunks(), true);
      expect(await readDefaultBranch(store, repo.id)).toEqual([]);
      expect((await store.findRepository(repo.id))?.head).toBeNull();
    });
  });
}

function describeRemovals(ctx: () => Context): void {
  describe('refs and removals', () => {
    const history = makeHistory(4);
    const seed = async ({ store, repo }: Context) => {
      await store.writeCommits(repo.id, history, walk(4));
      const files = history.map((c, i) => commitFiles(c, [makeFile(`f${i}`), makeFile('common')]));
      await store.writeFileChanges(repo.id, files, walk(4));
      await store.recordDefaultBranch(repo.id, sha(3), chunks(history.map((c) => c.sha)), true);
      await store.replaceRefs(repo.id, [
        { name: 'refs/heads/main', kind: 'branch', sha: sha(3), createdAt: 1_700_000_000 },
      ]);
      await store.replaceMailmap(repo.id, [
        { properName: 'A', properEmail: null, commitName: null, commitEmail: 'a@x' },
      ]);
      await store.replaceTree(repo.id, chunks([{ path: 'README', bytes: 10 }]));
      await store.completePass(repo.id, 'commits', [sha(3)]);
    };

    it('replaces refs, bumping the data version only when they changed', async () => {
      const { store, repo, version } = ctx();
      const refs = [
        { name: 'refs/heads/main', kind: 'branch' as const, sha: sha(1), createdAt: 1_700_000_000 },
        { name: 'refs/tags/v1', kind: 'tag' as const, sha: sha(0), createdAt: null },
      ];
      await store.replaceRefs(repo.id, refs);
      expect(await readRefs(store, repo.id)).toEqual(refs);
      expect(await version()).toBe(1);
      await store.replaceRefs(repo.id, [...refs].reverse());
      expect(await version()).toBe(1);
      await store.replaceRefs(repo.id, refs.slice(0, 1));
      expect(await readRefs(store, repo.id)).toEqual(refs.slice(0, 1));
      expect(await version()).toBe(2);
      // A tag deleted and made again on the same commit differs only by its date.
      const retagged = [{ ...refs[0]!, createdAt: 1_700_000_001 }];
      await store.replaceRefs(repo.id, retagged);
      expect(await readRefs(store, repo.id)).toEqual(retagged);
      expect(await version()).toBe(3);
    });

    it('deletes commits with their file changes and default branch rows', async () => {
      const c = ctx();
      await seed(c);
      const other = await c.store.saveRepository({ name: `${c.repo.name}-b`, source: '/src/b' });
      await c.store.writeCommits(other.id, history, walk(4));
      const before = await c.version();
      await c.store.deleteCommits(c.repo.id, [sha(2), sha(3)]);
      expect((await readCommits(c.store, c.repo.id)).map((x) => x.sha)).toEqual(
        [sha(0), sha(1)].sort(),
      );
      expect(new Set((await readFileChanges(c.store, c.repo.id)).map((x) => x.sha))).toEqual(
        new Set([sha(0), sha(1)]),
      );
      expect(await readDefaultBranch(c.store, c.repo.id)).toEqual([sha(0), sha(1)].sort());
      expect(await countRows(c.store, 'commits', other.id)).toBe(4);
      expect(await c.version()).toBe((before ?? 0) + 1);
      await c.store.deleteCommits(c.repo.id, []);
      expect(await c.version()).toBe((before ?? 0) + 1);
    });

    it('deletes a long list of commits', async () => {
      const { store, repo } = ctx();
      const many = makeHistory(20_000);
      await store.writeCommits(repo.id, many, walk(20_000));
      await store.deleteCommits(
        repo.id,
        many.slice(0, 15_000).map((c) => c.sha),
      );
      expect(await countRows(store, 'commits', repo.id)).toBe(5_000);
    });

    it('resets a repository to its record alone', async () => {
      const c = ctx();
      await seed(c);
      const other = await c.store.saveRepository({ name: `${c.repo.name}-b`, source: '/src/b' });
      await c.store.writeCommits(other.id, history, walk(4));
      const before = await c.store.findRepository(c.repo.id);
      await c.store.resetRepositoryData(c.repo.id);
      const tables = [
        'commits',
        'file_changes',
        'refs',
        'default_branch_commits',
        'mailmap',
        'tree_files',
      ] as const;
      for (const table of tables) expect(await countRows(c.store, table, c.repo.id)).toBe(0);
      const none = { tips: [], walk: null };
      expect(await c.store.readProgress(c.repo.id)).toEqual({ commits: none, files: none });
      expect(await c.store.findRepository(c.repo.id)).toEqual({
        ...before,
        head: null,
        dataVersion: (before?.dataVersion ?? 0) + 1,
      });
      expect(await countRows(c.store, 'commits', other.id)).toBe(4);
    });
  });
}

function describeMailmapAndTree(ctx: () => Context): void {
  const entry = (commitEmail: string, more: Partial<MailmapEntry> = {}): MailmapEntry => ({
    properName: null,
    properEmail: null,
    commitName: null,
    commitEmail,
    ...more,
  });
  const mailmap = [
    entry('jd@old.example', { properName: 'Jane Doe', properEmail: 'jane@example.org' }),
    entry('JD@old.example', { properName: 'Jane', commitName: 'jd' }),
    entry('bob@example.org', { properEmail: 'bob@new.example' }),
    entry('', { properName: 'Nobody', properEmail: 'no@body', commitName: 'Anon' }),
  ];

  describe('mailmap', () => {
    it('replaces the entries, bumping the data version only when they changed', async () => {
      const { store, repo, version } = ctx();
      await store.replaceMailmap(repo.id, mailmap);
      expect(await readMailmap(store, repo.id)).toEqual(sortMailmap(mailmap));
      expect(await version()).toBe(1);
      await store.replaceMailmap(repo.id, [...mailmap].reverse());
      expect(await version()).toBe(1);
      const edited = [...mailmap.slice(1), { ...mailmap[0]!, properName: 'Jane D.' }];
      await store.replaceMailmap(repo.id, edited);
      expect(await readMailmap(store, repo.id)).toEqual(sortMailmap(edited));
      expect(await version()).toBe(2);
      await store.replaceMailmap(repo.id, []);
      expect(await readMailmap(store, repo.id)).toEqual([]);
      expect(await version()).toBe(3);
      await store.replaceMailmap(repo.id, []);
      expect(await version()).toBe(3);
    });

    it('keeps each repository’s mailmap to itself', async () => {
      const { store, repo } = ctx();
      const other = await store.saveRepository({ name: `${repo.name}-b`, source: '/src/b' });
      await store.replaceMailmap(repo.id, mailmap);
      await store.replaceMailmap(other.id, mailmap.slice(0, 1));
      await store.replaceMailmap(repo.id, mailmap.slice(1));
      expect(await readMailmap(store, other.id)).toEqual(mailmap.slice(0, 1));
      expect(await readMailmap(store, repo.id)).toEqual(sortMailmap(mailmap.slice(1)));
    });
  });

  describe('tree', () => {
    const files = (count: number, prefix = 'f'): TreeFile[] =>
      Array.from({ length: count }, (_, i) => ({ path: `${prefix}/${i}`, bytes: i * 7 }));
    const byPath = (list: readonly TreeFile[]) =>
      [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    it('replaces the files from chunks and bumps the data version', async () => {
      const { store, repo, version } = ctx();
      const first = files(5000);
      await store.replaceTree(repo.id, chunks(first.slice(0, 2500), [], first.slice(2500)));
      expect(await readTree(store, repo.id)).toEqual(byPath(first));
      expect(await version()).toBe(1);
      const second = files(3, 'g');
      await store.replaceTree(repo.id, chunks(second));
      expect(await readTree(store, repo.id)).toEqual(byPath(second));
      expect(await version()).toBe(2);
      await store.replaceTree(repo.id, chunks());
      expect(await readTree(store, repo.id)).toEqual([]);
    });

    it('keeps odd paths and large sizes exactly', async () => {
      const { store, repo } = ctx();
      const odd = [
        { path: 'bytes-\\xff\\xfe.txt', bytes: 2 },
        { path: 'back\\\\slash', bytes: 0 },
        { path: 'new\nline\ttab "quote" \'single\'', bytes: 3 },
        { path: 'dir with space/Zoë 中文 🦆.txt', bytes: 5 },
        { path: 'huge.bin', bytes: 6 * 2 ** 30 },
      ];
      await store.replaceTree(repo.id, chunks(odd));
      expect(await readTree(store, repo.id)).toEqual(byPath(odd));
    });

    it('a tree failing midway changes nothing', async () => {
      const { store, repo, version } = ctx();
      await store.replaceTree(repo.id, chunks(files(2)));
      async function* failing(): AsyncIterable<readonly TreeFile[]> {
        yield files(3000, 'new');
        throw new Error('ls-tree died');
      }
      await expect(store.replaceTree(repo.id, failing())).rejects.toThrow(/ls-tree died/);
      expect(await readTree(store, repo.id)).toEqual(byPath(files(2)));
      expect(await version()).toBe(1);
    });
  });
}

function describeRoundTrips(ctx: () => Context): void {
  describe('round trips', () => {
    it('keeps odd text exactly', async () => {
      const { store, repo } = ctx();
      const odd =
        'Zoë 中文 🦆 עברית\tTab\nNew line\r\nCRLF \'quote\' "double" \\ back; DROP TABLE x;--';
      const huge = `${'x'.repeat(1024 * 1024 - 2)}é\n`;
      const commit = makeCommit('odd', {
        parents: [sha(1), sha(2), sha(3)],
        author: { name: odd, email: 'zoë@exämple.org', time: 1, tzOffset: 0 },
        committer: { name: ' spaces ', email: '', time: 2, tzOffset: 0 },
        subject: odd,
        message: huge,
      });
      await store.writeCommits(repo.id, [commit], walk(1));
      const [stored] = await readCommits(store, repo.id);
      expect(stored).toEqual({
        ...commit,
        filesChanged: null,
        linesAdded: null,
        linesDeleted: null,
      });
      const file = {
        ...makeFile(`dir/${odd}`),
        oldPath: 'bad\\xff\\xfe name',
        changeType: 'C' as const,
      };
      await store.writeFileChanges(repo.id, [commitFiles(commit, [file])], walk(1));
      expect(await readFileChanges(store, repo.id)).toEqual([{ sha: commit.sha, file }]);
    });

    it('keeps timestamps and time-zone offsets, negative ones included', async () => {
      const { store, repo } = ctx();
      const signatures = [
        { time: -86_400 * 365 * 10, tzOffset: -720 },
        { time: 0, tzOffset: 840 },
        { time: 1_234_567_890, tzOffset: -210 },
        { time: 4_102_444_800, tzOffset: 345 },
      ];
      const commits = signatures.map((s, i) =>
        makeCommit(`tz${i}`, {
          author: { name: 'A', email: 'a@x', ...s },
          committer: { name: 'C', email: 'c@x', time: s.time + 1, tzOffset: -s.tzOffset },
        }),
      );
      await store.writeCommits(repo.id, commits, walk(4));
      const stored = new Map((await readCommits(store, repo.id)).map((c) => [c.sha, c]));
      for (const commit of commits) {
        expect(stored.get(commit.sha)).toMatchObject({
          author: commit.author,
          committer: commit.committer,
        });
      }
      const at = new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999));
      await store.updateRepository(repo.id, { lastCollectedAt: at });
      expect((await store.findRepository(repo.id))?.lastCollectedAt).toEqual(at);
    });

    it('keeps the creation dates of refs, before 1970 and unknown ones included', async () => {
      const { store, repo } = ctx();
      const refs = [-86_400 * 365 * 10, 0, 1_234_567_890, 4_102_444_800, null].map(
        (createdAt, i) => ({
          name: `refs/tags/t${i}`,
          kind: 'tag' as const,
          sha: sha(i),
          createdAt,
        }),
      );
      await store.replaceRefs(repo.id, refs);
      expect(await readRefs(store, repo.id)).toEqual(refs);
    });
  });
}

function describeLifecycle(
  ctx: () => Context,
  open: () => Promise<Store>,
  replace: (store: Store) => void,
): void {
  describe('lifecycle', () => {
    it('keeps data across a re-open, applying each migration once', async () => {
      const { store, repo } = ctx();
      await store.writeCommits(repo.id, makeHistory(3), walk(3));
      await store.completePass(repo.id, 'commits', [sha(2)]);
      await store.close();
      const reopened = await open();
      replace(reopened);
      await reopened.close();
      const again = await open();
      replace(again);
      expect(await again.findRepository(repo.id)).toMatchObject({ dataVersion: 1 });
      expect(await countRows(again, 'commits', repo.id)).toBe(3);
      expect((await again.readProgress(repo.id)).commits.tips).toEqual([sha(2)]);
      const versions = await readRows(
        again,
        'SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version',
      );
      expect(versions.length).toBeGreaterThan(0);
      for (const row of versions) expect(Number(row.n)).toBe(1);
    });

    it('refuses calls once closed', async () => {
      const { store } = ctx();
      await store.close();
      await expectCode(store.listRepositories(), 'METRE_STORE_UNAVAILABLE');
      await store.close();
    });
  });
}
