import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AffiliationEntry } from '../../core/index.js';
import { isMetreError } from '../../errors/index.js';
import type { Repository, Store, StoredResult, Walk } from '../port.js';
import { chunks, commitFiles, makeFile, makeHistory, sha } from './fixtures.js';
import { countRows, readRows, type DataTable } from './inspect.js';

/** What the contract suite hands these tests: its store and a fresh repository. */
export interface EditsContext {
  readonly store: Store;
  readonly repo: Repository;
}

const walk = (done: number): Walk => ({ include: [sha('tip')], exclude: [], done });

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isMetreError(error) ? error.code : error;
}

/**
 * The Store contract's part on what the API edits: schedules, renames, removals and the
 * affiliation map. Called by `describeStoreContract`, so it runs on every backend.
 *
 * @example describeRepositoryEdits(() => ({ store, repo }))
 */
export function describeRepositoryEdits(ctx: () => EditsContext): void {
  describeSchedules(ctx);
  describeRenames(ctx);
  describeRemoval(ctx);
  describeAffiliations(ctx);
}

function describeSchedules(ctx: () => EditsContext): void {
  describe('schedules', () => {
    it('collects a new repository daily unless a schedule is given', async () => {
      const { store, repo } = ctx();
      expect(repo.schedule).toBe('daily');
      const hourly = await store.saveRepository({
        name: `${repo.name}-h`,
        source: '/src/h',
        schedule: 'hourly',
      });
      expect(hourly.schedule).toBe('hourly');
      expect(await store.findRepository(hourly.id)).toEqual(hourly);
    });

    it('saving again changes the schedule only when one is given', async () => {
      const { store, repo } = ctx();
      expect(await store.saveRepository({ name: repo.name, source: repo.source })).toEqual(repo);
      const cron = { name: repo.name, source: '/src/moved', schedule: '15 3 * * 1' };
      const saved = await store.saveRepository(cron);
      expect(saved).toEqual({ ...repo, source: '/src/moved', schedule: '15 3 * * 1' });
      expect(await store.findRepository(repo.id)).toEqual(saved);
      expect(await store.saveRepository({ name: repo.name, source: '/src/moved' })).toEqual(saved);
      const listed = (await store.listRepositories()).find((r) => r.id === repo.id);
      expect(listed?.schedule).toBe('15 3 * * 1');
    });

    it('updates the schedule alone', async () => {
      const { store, repo } = ctx();
      await store.updateRepository(repo.id, { schedule: 'weekly' });
      expect(await store.findRepository(repo.id)).toEqual({ ...repo, schedule: 'weekly' });
    });
  });
}

function describeRenames(ctx: () => EditsContext): void {
  describe('renames', () => {
    it('renames a repository, keeping its id, data and other fields', async () => {
      const { store, repo } = ctx();
      await store.writeCommits(repo.id, makeHistory(3), walk(3));
      await store.completePass(repo.id, 'commits', [sha(2)]);
      const name = `${repo.name}-renamed`;
      await store.updateRepository(repo.id, { name, schedule: 'hourly', status: 'up-to-date' });
      const renamed = await store.findRepository(repo.id);
      expect(renamed).toEqual({
        ...repo,
        name,
        schedule: 'hourly',
        status: 'up-to-date',
        dataVersion: 1,
      });
      expect(await store.findRepository(name)).toEqual(renamed);
      expect(await store.findRepository(repo.name)).toBeUndefined();
      expect(await countRows(store, 'commits', repo.id)).toBe(3);
      expect(await store.dataVersion([repo.id])).toMatch(new RegExp(`^${repo.id}:1,`));
      expect((await store.listRepositories()).filter((r) => r.id === repo.id)).toHaveLength(1);
    });

    it('renaming to its own name changes nothing', async () => {
      const { store, repo } = ctx();
      await store.updateRepository(repo.id, { name: repo.name });
      expect(await store.findRepository(repo.id)).toEqual(repo);
    });

    it('refuses another repository’s name, and an unknown repository', async () => {
      const { store, repo } = ctx();
      const other = await store.saveRepository({ name: `${repo.name}-b`, source: '/src/b' });
      const taken = store.updateRepository(repo.id, { name: other.name, schedule: 'hourly' });
      expect(await codeOf(taken)).toBe('METRE_REPO_NAME_TAKEN');
      expect(await store.findRepository(repo.id)).toEqual(repo);
      expect(await store.findRepository(other.name)).toEqual(other);
      const unknown = store.updateRepository(`missing-${randomUUID()}`, { name: 'x' });
      expect(await codeOf(unknown)).toBe('METRE_REPO_NOT_FOUND');
    });
  });
}

const result = (key: string, repositories: readonly string[]): StoredResult => ({
  key,
  metric: 'commits',
  version: 1,
  repositories: [...repositories].sort(),
  params: '{}',
  dataVersion: repositories.map((id) => `${id}:1`).join(','),
  computedAt: new Date('2024-01-01T00:00:00Z'),
  durationMs: 1,
  result: '{"kind":"scalar","value":1}',
});

/** Everything a collection stores of a repository, and a result over it. */
async function seed(store: Store, repoId: string): Promise<void> {
  const history = makeHistory(4);
  await store.writeCommits(repoId, history, walk(4));
  await store.completePass(repoId, 'commits', [sha(3)]);
  // Staged totals (commit_totals) and a files walk marker: a files pass cut short.
  await store.writeFileChanges(repoId, [commitFiles(history[0]!, [makeFile('a')])], walk(1));
  await store.recordDefaultBranch(repoId, sha(3), chunks(history.map((c) => c.sha)), true);
  await store.replaceRefs(repoId, [
    { name: 'refs/heads/main', kind: 'branch', sha: sha(3), createdAt: null },
  ]);
  await store.replaceMailmap(repoId, [
    { properName: 'A', properEmail: null, commitName: null, commitEmail: 'a@x' },
  ]);
  await store.replaceTree(repoId, chunks([{ path: 'README', bytes: 10 }]));
}

const DATA_TABLES: readonly DataTable[] = [
  'commits',
  'file_changes',
  'refs',
  'default_branch_commits',
  'collection_progress',
  'mailmap',
  'tree_files',
];

async function countAll(store: Store, repoId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of DATA_TABLES) counts[table] = await countRows(store, table, repoId);
  const [totals] = await readRows(
    store,
    'SELECT count(*) AS n FROM commit_totals WHERE repo_id = $1',
    [repoId],
  );
  counts.commit_totals = Number(totals?.n);
  return counts;
}

function describeRemoval(ctx: () => EditsContext): void {
  describe('removal', () => {
    it('removes a repository, every row of it and the results that include it', async () => {
      const { store, repo } = ctx();
      const other = await store.saveRepository({ name: `${repo.name}-b`, source: '/src/b' });
      await seed(store, repo.id);
      await seed(store, other.id);
      const keys = [`${repo.id}-a`, `${repo.id}-ab`, `${repo.id}-b`];
      await store.writeResult(result(keys[0]!, [repo.id]));
      await store.writeResult(result(keys[1]!, [repo.id, other.id]));
      await store.writeResult(result(keys[2]!, [other.id]));
      const before = await countAll(store, other.id);
      expect(Object.values(before).every((n) => n > 0)).toBe(true);

      await store.deleteRepository(repo.id);
      expect(await store.findRepository(repo.id)).toBeUndefined();
      expect(await store.findRepository(repo.name)).toBeUndefined();
      expect((await store.listRepositories()).map((r) => r.id)).not.toContain(repo.id);
      const none = Object.fromEntries(Object.keys(before).map((table) => [table, 0]));
      expect(await countAll(store, repo.id)).toEqual(none);
      expect(await store.readResult(keys[0]!)).toBeUndefined();
      expect(await store.readResult(keys[1]!)).toBeUndefined();
      expect(await codeOf(store.dataVersion([repo.id]))).toBe('METRE_REPO_NOT_FOUND');
      // The other repository keeps everything.
      expect(await countAll(store, other.id)).toEqual(before);
      expect(await store.readResult(keys[2]!)).toMatchObject({ key: keys[2] });
      expect(await store.findRepository(other.id)).toMatchObject({ name: other.name });
    });

    it('removing an unknown or removed repository does nothing', async () => {
      const { store, repo } = ctx();
      await store.deleteRepository(`missing-${randomUUID()}`);
      await store.deleteRepository(repo.id);
      await store.deleteRepository(repo.id);
      expect(await store.findRepository(repo.id)).toBeUndefined();
    });

    it('a removed name can be registered again, as a new repository', async () => {
      const { store, repo } = ctx();
      await seed(store, repo.id);
      await store.deleteRepository(repo.id);
      const again = await store.saveRepository({ name: repo.name, source: '/src/again' });
      expect(again.id).not.toBe(repo.id);
      expect(again).toMatchObject({ dataVersion: 0, head: null, schedule: 'daily' });
      expect(await countRows(store, 'commits', again.id)).toBe(0);
    });
  });
}

const MAP: readonly AffiliationEntry[] = [
  { email: 'Ada@Example.org', organization: 'Analytical Engines', from: null, to: null },
  {
    email: 'bob@example.org',
    organization: 'Initech',
    from: null,
    to: '2021-01-01T00:00:00.000Z',
  },
  { email: 'bob@example.org', organization: 'Acme', from: '2021-01-01T00:00:00.000Z', to: null },
  {
    email: 'zoë@例え.jp',
    organization: 'Zeta "Z" Ltd',
    from: '1969-07-20T20:17:40.000Z',
    to: null,
  },
];

const identitiesVersion = async (store: Store, repoId: string): Promise<string | undefined> =>
  /identities:(\d+)/.exec(await store.dataVersion([repoId]))?.[1];

function describeAffiliations(ctx: () => EditsContext): void {
  describe('affiliation map', () => {
    // The map is the store's, not a repository's: leave it empty for the next test.
    afterEach(async () => ctx().store.replaceAffiliations([]));

    it('keeps the map in the order it was written, and replaces it whole', async () => {
      const { store } = ctx();
      await store.replaceAffiliations(MAP);
      expect(await store.readAffiliations()).toEqual(MAP);
      const shorter = [MAP[3]!, MAP[0]!];
      await store.replaceAffiliations(shorter);
      expect(await store.readAffiliations()).toEqual(shorter);
      await store.replaceAffiliations([]);
      expect(await store.readAffiliations()).toEqual([]);
    });

    it('bumps the identities’ version on every replace, so cached results go stale', async () => {
      const { store, repo } = ctx();
      const v0 = Number(await identitiesVersion(store, repo.id));
      await store.replaceAffiliations(MAP);
      expect(Number(await identitiesVersion(store, repo.id))).toBe(v0 + 1);
      await store.replaceAffiliations(MAP);
      expect(Number(await identitiesVersion(store, repo.id))).toBe(v0 + 2);
      expect((await store.findRepository(repo.id))?.dataVersion).toBe(0);
    });

    it('stores a long map', async () => {
      const { store } = ctx();
      const long = Array.from({ length: 12_000 }, (_, i) => ({
        email: `p${i}@example.org`,
        organization: `Org ${i % 7}`,
        from: i % 2 === 0 ? null : '2020-01-01T00:00:00.000Z',
        to: null,
      }));
      await store.replaceAffiliations(long);
      expect(await store.readAffiliations()).toEqual(long);
      await store.replaceAffiliations(long.slice(0, 3));
      expect(await store.readAffiliations()).toEqual(long.slice(0, 3));
    });

    it('refuses an entry without an email or organisation, or with bad dates, storing nothing', async () => {
      const { store } = ctx();
      await store.replaceAffiliations(MAP.slice(0, 1));
      const bad: AffiliationEntry[][] = [
        [{ email: ' ', organization: 'X', from: null, to: null }],
        [{ email: 'a@x.org', organization: '', from: null, to: null }],
        [{ email: 'a@x.org', organization: 'X', from: 'soon', to: null }],
        [{ email: 'a@x.org', organization: 'X', from: '2021-01-01', to: '2020-01-01' }],
      ];
      for (const entries of bad) {
        expect(await codeOf(store.replaceAffiliations([MAP[1]!, ...entries]))).toBe(
          'METRE_AFFILIATIONS_INVALID',
        );
      }
      expect(await store.readAffiliations()).toEqual(MAP.slice(0, 1));
    });
  });
}
