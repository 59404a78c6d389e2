import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../../../bench/make-repo.js';
import { git, gitTruth } from '../../../test/support/git.js';
import { collect, type CollectSummary } from '../../collect/index.js';
import { loadConfig } from '../../config/index.js';
import {
  DEFAULT_BOT_PATTERNS,
  METRIC_CASES,
  MetricsEngine,
  type Affiliation,
  type MetricCase,
  type MetricResult,
  type PeopleConfig,
} from '../../metrics/index.js';
import { openStore } from '../open-store.js';
import type { Store } from '../port.js';
import { readFileChanges, readCommits, readRefs, readRows, readTree } from './inspect.js';

/**
 * The collection and metric contract every store backend must pass, on a generated repository
 * (bench/make-repo.ts: merges, renames, binary files, odd names, tags, time zones, aliases, bots)
 * with a `.mailmap` and an unmerged branch, collected by the real collector:
 *
 * 1. a first collection stores exactly what git reports;
 * 2. collecting again stores nothing and leaves the data version as it was;
 * 3. new commits (a merge, a rename, a binary file, an odd name, a tag) are collected incrementally;
 * 4. after a force push (the default branch reset and rebuilt, a branch deleted) the unreachable
 *    commits are gone and the new ones stored;
 * 5. a fork sharing most of that history is collected beside it;
 * 6. every request of METRIC_CASES, on the repository and on the group of both, and the
 *    affiliation requests, give exactly the JSON DuckDB gives on a fresh collection of the same
 *    final repositories (the reference, computed once per test file): so the incremental path
 *    must end where a fresh collection does, and every backend where DuckDB does.
 *
 * Each backend works on its own copy of the generated repository; the steps are deterministic
 * (fixed identities and dates), so every copy ends with the same shas.
 */

/**
 * The requests run again with an affiliation map (periods with and without ends, two that
 * overlap, a person named by an alias `.mailmap` maps to another email, an email in capitals).
 */
export const AFFILIATION_CASES: readonly MetricCase[] = [
  { metric: 'elephant-factor', params: {} },
  { metric: 'elephant-factor', params: { threshold: 0.3, granularity: 'year' } },
  { metric: 'organizational-diversity', params: {} },
  {
    metric: 'organizational-diversity',
    params: { granularity: 'quarter', from: '2016-01-01', to: '2018-01-01' },
  },
];

/** One metric request of the parity check. */
export interface ParityCase {
  /** Unique, readable: scope, people settings, metric and parameters. */
  readonly key: string;
  readonly scope: 'repository' | 'group';
  readonly affiliations: boolean;
  readonly request: MetricCase;
}

/** Every request, on one repository and on the group of it and its fork. */
export const PARITY_CASES: readonly ParityCase[] = (['repository', 'group'] as const).flatMap(
  (scope) => [
    ...METRIC_CASES.map((request) => parityCase(scope, false, request)),
    ...AFFILIATION_CASES.map((request) => parityCase(scope, true, request)),
  ],
);

function parityCase(
  scope: ParityCase['scope'],
  affiliations: boolean,
  request: MetricCase,
): ParityCase {
  const people = affiliations ? ' [affiliations]' : '';
  const key = `${scope}${people} ${request.metric} ${JSON.stringify(request.params)}`;
  return { key, scope, affiliations, request };
}

/** The generated repositories, built once per test file, and the reference results. */
export interface ContractWorld {
  /** The pristine generated repository, its fork and the affiliation map fitting them. */
  sources(): Promise<Sources>;
  /** A fresh folder for one backend's copies and metre home. */
  folder(label: string): string;
  /** DuckDB's results on a fresh collection of the final repositories, by case key. */
  reference(): Promise<ReadonlyMap<string, MetricResult>>;
  /** Removes every folder. */
  remove(): void;
}

export interface Sources {
  readonly origin: string;
  readonly fork: string;
  readonly affiliations: readonly Affiliation[];
}

/** Options of the generated repository: ~1,500 commits over four years, fixed seed. */
const GENERATED = { commits: 1500, seed: 11, authors: 30, years: 4, tagEvery: 100 } as const;

/**
 * The shared state of one test file's contract suites.
 *
 * @example const world = contractWorld(); afterAll(() => world.remove());
 */
export function contractWorld(): ContractWorld {
  // Made on first use: a run that filters every suite out leaves nothing behind.
  let root: string | undefined;
  const rootDir = () => (root ??= mkdtempSync(join(tmpdir(), 'metre-collect-contract-')));
  let sources: Promise<Sources> | undefined;
  let reference: Promise<ReadonlyMap<string, MetricResult>> | undefined;
  const world: ContractWorld = {
    sources: () => (sources ??= buildSources(rootDir())),
    folder: (label) => mkdtempSync(join(rootDir(), `${label.replace(/[^a-z0-9]+/gi, '-')}-`)),
    reference: () => (reference ??= buildReference(world)),
    remove: () => {
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    },
  };
  return world;
}

async function buildSources(root: string): Promise<Sources> {
  const origin = join(root, 'origin');
  await makeRepo(origin, GENERATED);
  git(origin, ['checkout', '-q', '-f', 'main']);
  addMailmap(origin);
  addCollationTraps(origin);
  addUnmergedBranch(origin);
  const fork = join(root, 'fork');
  copyRepository(origin, fork);
  addForkHistory(fork);
  return { origin, fork, affiliations: affiliationsOf(origin) };
}

/** Copies a repository with its working tree (`cp -a`: its odd file names are not all UTF-8). */
function copyRepository(from: string, to: string): void {
  execFileSync('cp', ['-a', from, to]);
}

/** A metre workspace for one backend: the config and copies of the sources to change. */
interface Workspace {
  readonly dir: string;
  readonly work: string;
  readonly fork: string;
  readonly config: ReturnType<typeof loadConfig>;
}

function workspace(world: ContractWorld, sources: Sources, label: string): Workspace {
  const dir = world.folder(label);
  const work = join(dir, 'work');
  copyRepository(sources.origin, work);
  const config = loadConfig(
    { METRE_HOME: join(dir, 'home'), METRE_BATCH_SIZE: '200' },
    { allowLocal: true },
  );
  return { dir, work, fork: sources.fork, config };
}

function collectInto(store: Store, ws: Workspace, location: string, name: string) {
  return collect(
    { location, name },
    { store, git: ws.config.git, collect: ws.config.collect, cwd: ws.dir },
  );
}

/**
 * The repositories' names. In a group a shared commit counts in the first repository by name; the
 * fork comes first, so its `.mailmap` is the one that applies to the shared history.
 */
const namesOf = (prefix: string) => ({ work: `${prefix}-b-work`, fork: `${prefix}-a-fork` });

const PEOPLE: PeopleConfig = { botPatterns: DEFAULT_BOT_PATTERNS, affiliations: [] };

/** The engines of a store: without and with the affiliation map. */
function enginesOf(store: Store, affiliations: readonly Affiliation[]) {
  return {
    plain: new MetricsEngine({ store, people: PEOPLE }),
    affiliated: new MetricsEngine({ store, people: { ...PEOPLE, affiliations } }),
  };
}

async function compute(
  engines: ReturnType<typeof enginesOf>,
  names: { readonly work: string; readonly fork: string },
  parity: ParityCase,
): Promise<MetricResult> {
  const engine = parity.affiliations ? engines.affiliated : engines.plain;
  const repositories = parity.scope === 'group' ? [names.work, names.fork] : [names.work];
  return (await engine.get({ ...parity.request, repositories })).result;
}

async function buildReference(world: ContractWorld): Promise<ReadonlyMap<string, MetricResult>> {
  const sources = await world.sources();
  const ws = workspace(world, sources, 'reference');
  addIncrementalHistory(ws.work);
  forcePush(ws.work);
  const store = await openStore('duckdb::memory:');
  try {
    const names = namesOf('reference');
    await collectInto(store, ws, ws.work, names.work);
    await collectInto(store, ws, ws.fork, names.fork);
    await linkIdentities(store);
    const engines = enginesOf(store, sources.affiliations);
    const results = new Map<string, MetricResult>();
    for (const parity of PARITY_CASES) {
      results.set(parity.key, await compute(engines, names, parity));
    }
    return results;
  } finally {
    await store.close();
  }
}

/**
 * The contract for one backend. `open` is called once, before the suite; the store is closed
 * after it. Repository names are unique to the run, so a shared database is fine.
 *
 * @example describeCollectContract('duckdb', () => openStore('duckdb::memory:'), world)
 */
export function describeCollectContract(
  name: string,
  open: () => Promise<Store>,
  world: ContractWorld,
): void {
  describe(`Collect and metrics contract: ${name}`, () => {
    const run = randomUUID().slice(0, 8);
    const names = namesOf(`contract-${run}`);
    let store: Store | undefined;
    let ws: Workspace;
    let sources: Sources;
    const opened = () => {
      if (store === undefined) throw new Error(`the ${name} store did not open`);
      return store;
    };

    beforeAll(async () => {
      store = await open();
      sources = await world.sources();
      ws = workspace(world, sources, name);
    }, 300_000);
    afterAll(async () => {
      await store?.close();
    });

    it('collects a generated repository exactly as git reports it', async () => {
      const summary = await collectInto(opened(), ws, ws.work, names.work);
      const truth = gitTruth(ws.work);
      expect(summary.commits).toBe(truth.commitsAll);
      expect(summary.removed).toBe(0);
      await expectStoreMatchesGit(opened(), ws.work, names.work);
    });

    it('collects again without a change: nothing stored, the same data version', async () => {
      const before = await stateOf(opened(), names.work);
      const summary = await collectInto(opened(), ws, ws.work, names.work);
      expect(countsOf(summary)).toEqual({ commits: 0, fileChanges: 0, removed: 0 });
      expect(await stateOf(opened(), names.work)).toEqual(before);
    });

    it('collects new commits incrementally', async () => {
      const before = await stateOf(opened(), names.work);
      const added = addIncrementalHistory(ws.work);
      const summary = await collectInto(opened(), ws, ws.work, names.work);
      expect(countsOf(summary)).toEqual({
        commits: added.commits,
        fileChanges: added.files,
        removed: 0,
      });
      const after = await stateOf(opened(), names.work);
      expect(after.repository).toBeGreaterThan(before.repository);
      expect(after.store).not.toBe(before.store);
      await expectStoreMatchesGit(opened(), ws.work, names.work);
    });

    it('reconciles a force push: unreachable commits removed, new ones stored', async () => {
      const changed = forcePush(ws.work);
      const summary = await collectInto(opened(), ws, ws.work, names.work);
      expect(summary.removed).toBe(changed.removed);
      expect(summary.commits).toBe(changed.added);
      await expectStoreMatchesGit(opened(), ws.work, names.work);
    });

    it('collects a fork sharing its history; the group counts each commit once', async () => {
      await collectInto(opened(), ws, ws.fork, names.fork);
      await expectStoreMatchesGit(opened(), ws.fork, names.fork);
      const shas = (dir: string) => new Set(git(dir, ['rev-list', 'HEAD']).trim().split('\n'));
      const [work, fork] = [shas(ws.work), shas(ws.fork)];
      const union = new Set([...work, ...fork]);
      expect(work.size + fork.size - union.size).toBeGreaterThan(1000); // shared commits
      const engine = new MetricsEngine({ store: opened(), people: PEOPLE });
      const { result } = await engine.get({
        metric: 'commits',
        repositories: [names.work, names.fork],
      });
      expect(result.kind === 'timeseries' && result.total.commits).toBe(union.size);
    });

    describe('metric results equal DuckDB’s, as JSON numbers', () => {
      let engines: ReturnType<typeof enginesOf>;
      let reference: ReadonlyMap<string, MetricResult>;
      beforeAll(async () => {
        reference = await world.reference();
        await linkIdentities(opened());
        engines = enginesOf(opened(), sources.affiliations);
      }, 300_000);
      it.each(PARITY_CASES.map((parity) => [parity.key, parity] as const))(
        '%s',
        async (_, parity) => {
          const result = await compute(engines, names, parity);
          expectJsonNumbers(result);
          expect(reference.has(parity.key)).toBe(true);
          expect(result).toEqual(reference.get(parity.key));
        },
      );
    });
  });
}

function countsOf(summary: CollectSummary) {
  return { commits: summary.commits, fileChanges: summary.fileChanges, removed: summary.removed };
}

/** The repository's data version and the store's version string of it. */
async function stateOf(store: Store, name: string) {
  const repository = await store.findRepository(name);
  if (repository === undefined) throw new Error(`no repository ${name}`);
  return {
    repository: repository.dataVersion,
    store: await store.dataVersion([repository.id]),
    head: repository.head,
    status: repository.status,
  };
}

/** Fields whose values are labels that may look like numbers (commit-size's bucket "0"). */
const LABELS = new Set(['bucket']);
const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * Expects every number of a result to be a finite JSON number, and no string other than a label
 * to be a number in disguise (a BIGINT or NUMERIC a driver returned as text).
 */
export function expectJsonNumbers(result: MetricResult): void {
  const problems: string[] = [];
  const walk = (value: unknown, path: string, key = ''): void => {
    if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`${path}: ${value}`);
    else if (typeof value === 'string' && NUMERIC.test(value) && !LABELS.has(key))
      problems.push(`${path}: "${value}"`);
    else if (typeof value === 'bigint') problems.push(`${path}: ${value}n`);
    else if (value instanceof Date) problems.push(`${path}: a Date`);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (typeof value === 'object' && value !== null)
      for (const [field, item] of Object.entries(value)) walk(item, `${path}.${field}`, field);
  };
  walk(result, 'result');
  expect(problems).toEqual([]);
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
}

/**
 * Expects the store to hold exactly git's data for the repository at `dir`, read through the
 * store's own `readRows`: commits (none twice), merges, the default branch, author emails, per
 * commit the paths touched and line sums of `git log --numstat -M`, branches and tags, and the
 * tree of the default branch.
 */
export async function expectStoreMatchesGit(store: Store, dir: string, name: string) {
  const truth = gitTruth(dir);
  const repo = await store.findRepository(name);
  expect(repo).toMatchObject({ status: 'up-to-date', head: truth.head, defaultBranch: 'main' });
  const id = repo?.id ?? '';
  const [counts] = await readRows(
    store,
    `SELECT count(*) AS n, count(DISTINCT sha) AS distinct_n,
       coalesce(sum(CASE WHEN is_merge THEN 1 ELSE 0 END), 0) AS merges
     FROM commits WHERE repo_id = $1`,
    [id],
  );
  expect(counts).toEqual({
    n: truth.commitsAll,
    distinct_n: truth.commitsAll,
    merges: truth.merges,
  });
  const [defaults] = await readRows(
    store,
    `SELECT count(*) AS n, count(DISTINCT sha) AS distinct_n
     FROM default_branch_commits WHERE repo_id = $1`,
    [id],
  );
  expect(defaults).toEqual({ n: truth.commitsDefault, distinct_n: truth.commitsDefault });
  const commits = await readCommits(store, id);
  expect(new Set(commits.map((c) => c.author.email))).toEqual(truth.authorEmails);
  const lines = new Map(
    commits.map((c) => [
      c.sha,
      { files: c.filesChanged, added: c.linesAdded, deleted: c.linesDeleted },
    ]),
  );
  expect(lines).toEqual(truth.lines);
  const paths = new Map<string, Set<string>>([...truth.paths.keys()].map((s) => [s, new Set()]));
  const files = await readFileChanges(store, id);
  for (const row of files) paths.get(row.sha)?.add(row.file.path);
  expect(paths).toEqual(truth.paths);
  expect(files.length).toBe([...truth.paths.values()].reduce((sum, set) => sum + set.size, 0));
  expect(await refsOf(store, id)).toEqual(gitRefs(dir));
  const tree = await readTree(store, id);
  expect({ files: tree.length, bytes: tree.reduce((sum, f) => sum + f.bytes, 0) }).toEqual(
    gitTree(dir),
  );
}

async function refsOf(store: Store, id: string) {
  const refs = await readRefs(store, id);
  return {
    branches: Object.fromEntries(
      refs.filter((r) => r.kind === 'branch').map((r) => [r.name, r.sha]),
    ),
    tags: refs
      .filter((r) => r.kind === 'tag')
      .map((r) => r.name)
      .sort(),
  };
}

function gitRefs(dir: string) {
  const list = (prefix: string, format: string) =>
    git(dir, ['for-each-ref', `--format=${format}`, prefix])
      .split('\n')
      .filter((line) => line !== '');
  return {
    branches: Object.fromEntries(
      list('refs/heads', '%(refname:short) %(objectname)').map((line) => line.split(' ')),
    ),
    tags: list('refs/tags', '%(refname:short)').sort(),
  };
}

function gitTree(dir: string) {
  const entries = git(dir, ['ls-tree', '-r', '-l', '-z', 'HEAD'])
    .split('\0')
    .filter((entry) => / blob /.test(entry));
  const bytes = entries.reduce(
    (sum, entry) => sum + Number(/ blob \S+\s+(\d+)\t/.exec(entry)?.[1]),
    0,
  );
  return { files: entries.length, bytes };
}

// ---- the deterministic history changes --------------------------------------------------------

interface Person {
  readonly name: string;
  readonly email: string;
}

const NORA: Person = { name: 'Nora Ñúñez', email: 'nora@increment.example' };
const ADA: Person = { name: 'Ada', email: 'ada@example.org' };
const FORK: Person = { name: 'Fork Person', email: 'fork@fork.example' };
const FORK_ALIAS: Person = { name: 'fork-person', email: 'Fork.Alias@fork.example' };

/** The time of HEAD's commit, in seconds: new commits are dated after it. */
const headTime = (dir: string) => Number(git(dir, ['log', '-1', '--format=%ct', 'HEAD']).trim());

function write(dir: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
}

/** Commits everything as `who`, `hours` after `base`, in a fixed time zone. */
function commitAll(dir: string, who: Person, message: string, at: string): void {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', message], {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_AUTHOR_DATE: at,
    GIT_COMMITTER_DATE: at,
  });
}

const dated = (base: number, hours: number, zone = '+0200') => `@${base + hours * 3600} ${zone}`;
const lines = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag} line ${i}`).join('\n') + '\n';

/**
 * Adds to the default branch: new files (text, binary, an odd name), a rename with an edit, an
 * annotated tag, a side branch merged with a merge commit. Returns the commits and file changes
 * added.
 */
function addIncrementalHistory(dir: string): { commits: number; files: number } {
  const base = headTime(dir);
  write(dir, 'incremental/notes.md', lines(20, 'notes'));
  write(dir, 'incremental/blob.bin', Buffer.from([0, 1, 2, 0, 255, 254, 0, 7]));
  write(dir, 'incremental/naïve "odd"\tname.txt', 'odd\n');
  commitAll(dir, NORA, 'Add incremental files', dated(base, 1));
  git(dir, ['mv', 'incremental/notes.md', 'docs/incremental-notes.md']);
  write(dir, 'docs/incremental-notes.md', lines(20, 'notes') + 'one more\n');
  commitAll(dir, ADA, 'Move the notes', dated(base, 2, '-0700'));
  git(dir, ['tag', '-a', 'v99.0.0', '-m', 'Incremental release'], {
    GIT_COMMITTER_DATE: dated(base, 3),
  });
  git(dir, ['checkout', '-q', '-b', 'topic']);
  write(dir, 'incremental/topic.txt', lines(5, 'topic'));
  commitAll(dir, NORA, 'Topic work', dated(base, 4));
  git(dir, ['checkout', '-q', 'main']);
  write(dir, 'incremental/main.txt', lines(3, 'main'));
  commitAll(dir, ADA, 'Main work', dated(base, 5, '+0545'));
  git(dir, ['merge', '-q', '--no-ff', 'topic', '-m', 'Merge topic'], {
    GIT_AUTHOR_NAME: ADA.name,
    GIT_AUTHOR_EMAIL: ADA.email,
    GIT_AUTHOR_DATE: dated(base, 6),
    GIT_COMMITTER_DATE: dated(base, 6),
  });
  // Files: 3 added; 1 renamed; 1 (topic); 1 (main); the merge none.
  return { commits: 5, files: 6 };
}

/**
 * Rewrites the default branch as a force push does: back two commits (dropping the merge and the
 * commit before it) and two different commits on top; the merged branch is deleted, so its
 * commit goes too. Returns the commits that became unreachable and those added.
 */
function forcePush(dir: string): { removed: number; added: number } {
  const base = headTime(dir);
  git(dir, ['reset', '-q', '--hard', 'HEAD~2']);
  git(dir, ['branch', '-q', '-D', 'topic']);
  write(dir, 'docs/incremental-notes.md', lines(12, 'rewritten'));
  commitAll(dir, NORA, 'Rewrite the notes', dated(base, 10));
  rmSync(join(dir, 'incremental/blob.bin'));
  commitAll(dir, NORA, 'Drop the binary file', dated(base, 11, '-0330'));
  return { removed: 3, added: 2 };
}

/**
 * Writes a `.mailmap` from the history itself: for each name seen with several emails, the others
 * map to the first (`Name <first> <other>`), and one email gets a new name only.
 */
function addMailmap(dir: string): void {
  const emailsByName = new Map<string, string[]>();
  for (const line of git(dir, ['log', '--format=%an%x00%ae']).split('\n')) {
    if (line === '') continue;
    const [name = '', email = ''] = line.split('\0');
    const emails = emailsByName.get(name) ?? [];
    if (!emails.includes(email)) emails.push(email);
    emailsByName.set(name, emails);
  }
  const entries = ['# generated by the collect contract'];
  for (const [name, emails] of emailsByName) {
    for (const other of emails.slice(1)) entries.push(`${name} <${emails[0]}> <${other}>`);
  }
  const single = [...emailsByName].find(([, emails]) => emails.length === 1);
  if (single !== undefined) entries.push(`Renamed Person <${single[1][0]}>`);
  write(dir, '.mailmap', entries.join('\n') + '\n');
  commitAll(dir, ADA, 'Add a mailmap', dated(headTime(dir), 1, '+0000'));
}

/** Emails joined by an explicit identity merge, as `metre identities merge` makes them. */
const LINKED = { emails: ['qz+1@collation.example', 'qz.1@collation.example'], person: 'qz' };

function linkIdentities(store: Store): Promise<void> {
  return store.linkIdentities(LINKED.emails, LINKED.person);
}

/**
 * Ties that text order decides, between strings that sort differently under a binary (C)
 * collation and a linguistic one (ICU, en_US): a person signing with two names equally often
 * ("Zoë Q", "zoë q"), a linked person with two emails used equally often ("qz+1@…", "qz.1@…"),
 * two files changed by as many lines in as many commits ("Zeta.txt", "alpha.txt"), two tags made
 * at the same time ("Zulu-1", "alpha-1"). Dated mid-2016, inside the ranged cases.
 */
function addCollationTraps(dir: string): void {
  const base = Date.UTC(2016, 5, 15) / 1000;
  const big = lines(6000, 'hot');
  write(dir, 'hot/Zeta.txt', big);
  write(dir, 'hot/alpha.txt', big);
  commitAll(dir, { name: 'Zoë Q', email: 'zq@collation.example' }, 'Hot files', dated(base, 0));
  write(dir, 'hot/notes.txt', 'a note\n');
  commitAll(dir, { name: 'zoë q', email: 'ZQ@collation.example' }, 'A note', dated(base, 1));
  for (const [i, email] of LINKED.emails.entries()) {
    write(dir, `hot/quinn-${i}.txt`, `quinn ${i}\n`);
    commitAll(dir, { name: 'Quinn', email }, `Quinn ${i}`, dated(base, 2 + i));
  }
  git(dir, ['tag', 'Zulu-1']);
  git(dir, ['tag', 'alpha-1']);
}

/** Two commits on a branch never merged: counted with refs=all only. */
function addUnmergedBranch(dir: string): void {
  const base = headTime(dir);
  git(dir, ['checkout', '-q', '-b', 'wip']);
  write(dir, 'wip/one.txt', 'work in progress\n');
  commitAll(
    dir,
    { name: 'Wip Author', email: 'wip@example.net' },
    'wip 1',
    dated(base, 2, '-0500'),
  );
  write(dir, 'wip/two.txt', 'more work\n');
  commitAll(dir, ADA, 'wip 2', dated(base, 3, '-0500'));
  git(dir, ['checkout', '-q', 'main']);
}

/**
 * The fork's own history on top of the shared one: commits by a person only the fork has, under
 * two emails its own `.mailmap` joins, one by an author of the shared history, and a tag.
 */
function addForkHistory(dir: string): void {
  const base = headTime(dir);
  // Someone of the shared history too: which repository's .mailmap a shared commit follows in a
  // group must not depend on the backend.
  const shared = git(dir, ['log', '-1', '--format=%ae', 'HEAD~10']).trim();
  const mailmap = git(dir, ['show', 'HEAD:.mailmap']);
  write(
    dir,
    '.mailmap',
    `${mailmap}${FORK.name} <${FORK.email}> <${FORK_ALIAS.email}>\nForked Name <forked@fork.example> <${shared}>\n`,
  );
  commitAll(dir, FORK, 'Fork: map the fork alias', dated(base, 30, '+0100'));
  write(dir, 'fork/feature.ts', lines(40, 'export const fork'));
  commitAll(dir, FORK_ALIAS, 'Fork: a feature', dated(base, 31, '+0100'));
  write(dir, 'fork/feature.ts', lines(45, 'export const fork'));
  commitAll(dir, ADA, 'Fork: extend the feature', dated(base, 32, '+0900'));
  git(dir, ['tag', 'fork-1.0']);
}

/**
 * An affiliation map over the generated history: the busiest person at "Initech" until a month
 * after the middle of history and at "acme" from the middle (overlapping: the largest name wins, which text order decides),
 * named by their email in capitals; the second at "Globex" for good; someone named by a raw email
 * `.mailmap` maps to another at "Umbrella" for a year and a half.
 */
function affiliationsOf(dir: string): Affiliation[] {
  const rows = git(dir, ['log', '--format=%aE%x00%ae%x00%at', 'HEAD'])
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\0') as [string, string, string]);
  const counts = new Map<string, number>();
  for (const [mapped] of rows) counts.set(mapped, (counts.get(mapped) ?? 0) + 1);
  const ranked = [...counts]
    .filter(([email]) => !email.includes('[bot]'))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([email]) => email);
  const alias = rows.find(([mapped, raw]) => mapped !== raw && mapped !== ranked[0])?.[1];
  const times = rows.map(([, , at]) => Number(at)).sort((a, b) => a - b);
  const middle = new Date((times[Math.floor(times.length / 2)] ?? 0) * 1000);
  const busiest = ranked[0] ?? '';
  const joins = middle.toISOString();
  const leaves = new Date(middle.getTime() + 30 * 86_400_000).toISOString();
  return [
    { email: busiest.toUpperCase(), organization: 'acme', from: joins, to: null },
    { email: busiest, organization: 'Initech', from: null, to: leaves },
    { email: ranked[1] ?? '', organization: 'Globex', from: null, to: null },
    {
      email: alias ?? ranked[2] ?? '',
      organization: 'Umbrella',
      from: '2016-01-01T00:00:00.000Z',
      to: '2017-07-01T00:00:00.000Z',
    },
  ];
}
