import type { CollectConfig, GitConfig } from '../config/index.js';
import { MetreError, toMetreError } from '../errors/index.js';
import type { CommitFiles, Pass, Progress, Repository, Store, Walk } from '../store/index.js';
import { createGitRunner, type GitRunner } from './git-runner.js';
import { COMMITS_PASS_ARGS, FILES_PASS_ARGS } from './log-format.js';
import { parseFileChanges, parseGitLog } from './log-parser.js';
import { parseMailmap } from './mailmap.js';
import { openGitDir } from './mirror.js';
import { readRefs } from './refs.js';
import { defaultName, parseSource, type Source } from './source.js';
import { splitWalk, wholeWalk, type WalkOutput } from './split-walk.js';
import { readTree } from './tree.js';

/** What to collect. */
export interface CollectRequest {
  /** A URL (https, ssh, git), or a local path or file:// URL when allowed. */
  readonly location: string;
  /** The repository's name in metre; defaults to the last segment of the location. */
  readonly name?: string | undefined;
  /** Store commit metadata only, leaving file changes to a later run (status `commits-done`). */
  readonly commitsOnly?: boolean | undefined;
}

/** A pass' progress: how many commits of how many it has stored. */
export interface PassEvent {
  readonly phase: Pass;
  readonly repository: string;
  readonly done: number;
  /** Null until git has counted the walk. */
  readonly total: number | null;
}

/** A progress report: the fetch starting, or a pass moving on. */
export type CollectEvent = { readonly phase: 'fetch'; readonly repository: string } | PassEvent;

/** The collector's dependencies, injected so tests and roles can wire their own. */
export interface CollectDeps {
  readonly store: Store;
  readonly git: GitConfig;
  readonly collect: CollectConfig;
  /** Where relative local paths are resolved from. */
  readonly cwd: string;
  readonly onProgress?: ((event: CollectEvent) => void) | undefined;
  /**
   * Count each walk (a `git rev-list --count` beside it) so progress reports carry a total. It
   * costs CPU that the walk itself could use: worth it where someone watches, e.g. a terminal.
   */
  readonly countTotals?: boolean | undefined;
}

/** What one collection did. */
export interface CollectSummary {
  readonly repository: Repository;
  /** Commits stored by this run. */
  readonly commits: number;
  /** File changes stored by this run. */
  readonly fileChanges: number;
  /** Commits removed because no ref reaches them any more (rewritten history). */
  readonly removed: number;
  readonly durationMs: number;
  readonly fetchMs: number;
  readonly commitsPassMs: number;
  readonly filesPassMs: number;
}

// eslint-disable-next-line no-control-regex
const NAME = /^[^\u0000-\u001f\u007f/\\]{1,200}$/;
const DELETE_CHUNK = 5_000;
/** The files pass stores a batch once it holds this many file changes, whatever the commits. */
const FILES_PER_BATCH = 25_000;

/**
 * Collects a repository into the store: brings its mirror up to date, stores every new commit
 * (first pass), records refs and the default branch, then stores file changes (second pass).
 * Incremental, resumable after a crash at any point, and reconciles rewritten history.
 *
 * @example
 * const summary = await collect({ location: '/src/project' }, { store, git, collect, cwd });
 */
export async function collect(request: CollectRequest, deps: CollectDeps): Promise<CollectSummary> {
  const started = performance.now();
  const source = parseSource(request.location, {
    allowLocal: deps.collect.allowLocal,
    cwd: deps.cwd,
  });
  const name = checkName(request.name ?? defaultName(source));
  const repository = await deps.store.saveRepository({ name, source: source.display });
  try {
    const run = new CollectionRun(repository, source, deps, request.commitsOnly === true);
    const counts = await run.execute();
    const final = (await deps.store.findRepository(repository.id)) ?? repository;
    return { repository: final, ...counts, durationMs: performance.now() - started };
  } catch (error) {
    const coded = toMetreError(error, 'METRE_INTERNAL');
    await deps.store
      .updateRepository(repository.id, {
        status: 'failed',
        lastError: `${coded.code}: ${coded.message}`,
      })
      .catch(() => undefined); // the original error matters more than a dead store's
    throw coded;
  }
}

/** What a collection counted, its times rounded to whole milliseconds: its JSON everywhere. */
export function summaryFigures(summary: CollectSummary): Omit<CollectSummary, 'repository'> {
  return {
    commits: summary.commits,
    fileChanges: summary.fileChanges,
    removed: summary.removed,
    durationMs: Math.round(summary.durationMs),
    fetchMs: Math.round(summary.fetchMs),
    commitsPassMs: Math.round(summary.commitsPassMs),
    filesPassMs: Math.round(summary.filesPassMs),
  };
}

/** Checks a repository name: 1 to 200 characters, no slashes or control characters. */
export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new MetreError(
      'METRE_USAGE',
      `Invalid repository name "${name}": 1 to 200 characters, no slashes or control characters`,
    );
  }
  return name;
}

type Counts = Omit<CollectSummary, 'repository' | 'durationMs'>;

/** A step started ahead: `finish` completes it, `cancel` stops what it started if it will not be. */
interface PendingStep {
  finish(): Promise<void>;
  cancel(): Promise<void>;
}

/** A walk whose git processes are running. */
interface StartedWalk {
  readonly pass: Pass;
  readonly walk: Walk;
  readonly output: WalkOutput;
  readonly total: { value: number | null };
}

/** One collection of one repository; holds what its steps share. */
class CollectionRun {
  readonly #repo: Repository;
  readonly #source: Source;
  readonly #deps: CollectDeps;
  readonly #store: Store;
  readonly #git: GitRunner;
  readonly #commitsOnly: boolean;
  #gitDir = '';
  #commits = 0;
  #fileChanges = 0;
  #removed = 0;
  readonly #counts = new Map<string, Promise<number>>();

  constructor(repo: Repository, source: Source, deps: CollectDeps, commitsOnly: boolean) {
    this.#commitsOnly = commitsOnly;
    this.#repo = repo;
    this.#source = source;
    this.#deps = deps;
    this.#store = deps.store;
    this.#git = createGitRunner(deps.git, `repository "${repo.name}"`);
  }

  async execute(): Promise<Counts> {
    const timer = stopwatch();
    this.#deps.onProgress?.({ phase: 'fetch', repository: this.#repo.name });
    const dir = await openGitDir(this.#source, this.#git, this.#deps.collect);
    this.#gitDir = dir.path;
    try {
      const fetchMs = timer.lap();
      let commitsPassMs = 0;
      const snapshot = await readRefs(this.#git, this.#gitDir);
      await this.#update({
        status: 'collecting-commits',
        lastError: null,
        defaultBranch: snapshot.defaultBranch,
      });
      const progress = await this.#resumeWalks(await this.#intactProgress());
      await this.#removeUnreachable(
        [...progress.commits.tips, ...progress.files.tips],
        snapshot.tips,
      );
      // git starts printing the file changes now, while the commits are stored: by the time the
      // first pass is done, the second has a head start (their records are read only after).
      const files = this.#commitsOnly
        ? null
        : this.#startPass('files', progress.files.tips, snapshot.tips);
      let defaultBranch: PendingStep | undefined;
      try {
        defaultBranch = await this.#startDefaultBranch(snapshot.head);
        await this.#runPass(this.#startPass('commits', progress.commits.tips, snapshot.tips));
        await defaultBranch.finish();
        await this.#store.replaceRefs(this.#repo.id, snapshot.refs);
        await this.#update({ status: this.#commitsOnly ? 'commits-done' : 'collecting-files' });
        commitsPassMs = timer.lap();
        await this.#runPass(files);
      } finally {
        await files?.output.cancel();
        await defaultBranch?.cancel();
      }
      const status = this.#commitsOnly ? 'commits-done' : 'up-to-date';
      await this.#update({ status, lastCollectedAt: new Date() });
      const filesPassMs = timer.lap();
      return {
        commits: this.#commits,
        fileChanges: this.#fileChanges,
        removed: this.#removed,
        fetchMs,
        commitsPassMs,
        filesPassMs,
      };
    } finally {
      await dir.release();
    }
  }

  /**
   * Finishes the walks a killed run left half done, replaying them exactly (so nothing is stored
   * twice) before anything else changes the store; returns the progress they leave behind.
   */
  async #resumeWalks(progress: Progress): Promise<Progress> {
    for (const pass of ['commits', 'files'] as const) {
      const walk = progress[pass].walk;
      if (walk === null) continue;
      await this.#runPass(this.#startWalk(pass, walk));
    }
    return this.#store.readProgress(this.#repo.id);
  }

  /**
   * Starts the walk that brings a pass from the tips it has stored to the repository's current
   * tips; null when it has nothing to do.
   */
  #startPass(pass: Pass, stored: readonly string[], tips: readonly string[]): StartedWalk | null {
    if (sameSet(stored, tips)) return null;
    return this.#startWalk(pass, { include: tips, exclude: stored, done: 0 });
  }

  /** Stores a started walk and completes its pass. */
  async #runPass(started: StartedWalk | null): Promise<void> {
    if (started === null) return;
    await this.#consumeWalk(started);
    await this.#store.completePass(this.#repo.id, started.pass, started.walk.include);
  }

  /**
   * Starts `git log <include> --not <exclude>`, skipping what an earlier run stored. The files
   * pass' walk is shared between several git processes when there are cores for them (see
   * `splitWalk`), each writing into a spool so that none waits for the reader.
   */
  #startWalk(pass: Pass, walk: Walk): StartedWalk {
    const input = revisions(walk.include, walk.exclude);
    const processes = this.#deps.collect.gitProcesses;
    const start = (skip: number, count: number | null, spoolDir?: string) => {
      const args = [
        ...(pass === 'commits' ? COMMITS_PASS_ARGS : FILES_PASS_ARGS),
        '--stdin',
        ...(walk.done + skip > 0 ? [`--skip=${walk.done + skip}`] : []),
        ...(count === null ? [] : [`--max-count=${count}`]),
      ];
      return this.#git.stream(args, { gitDir: this.#gitDir, input, spoolDir });
    };
    const total = this.#countWalk(input);
    if (pass === 'commits' || processes < 2) {
      return { pass, walk, total, output: wholeWalk(start(0, null)) };
    }
    const spoolDir = this.#deps.collect.spoolDir;
    const output = splitWalk({
      length: this.#count(input).then((commits) => commits - walk.done),
      processes,
      minPerProcess: this.#deps.collect.gitSliceCommits,
      start: (skip, count) => start(skip, count, spoolDir),
    });
    return { pass, walk, total, output };
  }

  /** Stores a started walk's records: commits in the first pass, file changes in the second. */
  async #consumeWalk(started: StartedWalk): Promise<void> {
    const id = this.#repo.id;
    if (started.pass === 'commits') {
      await this.#storeBatches(
        started,
        started.output.records(parseGitLog),
        () => 0,
        async (batch, walk) => {
          await this.#store.writeCommits(id, batch, walk);
          this.#commits += batch.length;
        },
      );
      return;
    }
    const files = (commit: CommitFiles) => commit.files.length;
    await this.#storeBatches(
      started,
      started.output.records(parseFileChanges),
      files,
      async (batch, walk) => {
        await this.#store.writeFileChanges(id, batch, walk);
        this.#fileChanges += batch.reduce((sum, commit) => sum + files(commit), 0);
      },
    );
  }

  /**
   * Stores records in batches, each together with the walk marker that counts it; the next batch
   * is parsed while the one before is being stored. A batch closes at `batchSize` commits or
   * when the file changes it holds (`weight`) reach FILES_PER_BATCH.
   */
  async #storeBatches<T>(
    { pass, walk, total }: StartedWalk,
    records: AsyncIterable<T>,
    weight: (record: T) => number,
    write: (batch: readonly T[], walk: Walk) => Promise<void>,
  ): Promise<void> {
    let done = walk.done;
    let batch: T[] = [];
    let weighed = 0;
    let pending: Promise<void> = Promise.resolve();
    const flush = async () => {
      await pending; // batches are stored in order, each after the one before it
      done += batch.length;
      const event = { phase: pass, repository: this.#repo.name, done };
      pending = write(batch, { ...walk, done }).then(() =>
        this.#deps.onProgress?.({ ...event, total: total.value }),
      );
      pending.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled
      batch = [];
      weighed = 0;
    };
    for await (const record of records) {
      batch.push(record);
      weighed += weight(record);
      if (batch.length >= this.#deps.collect.batchSize || weighed >= FILES_PER_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    await pending;
  }

  /**
   * Counts the whole walk in the background, only for the progress reports' total; the walk never
   * waits for it. Both passes usually walk the same range, so a range is counted once.
   */
  #countWalk(input: string): { value: number | null } {
    const total: { value: number | null } = { value: null };
    if (!this.#deps.onProgress || !this.#deps.countTotals) return total;
    this.#count(input)
      .then((commits) => (total.value = commits))
      .catch(() => undefined);
    return total;
  }

  /** How many commits a walk has (`git rev-list --count`), counted once per walk. */
  #count(input: string): Promise<number> {
    let counted = this.#counts.get(input);
    if (counted === undefined) {
      counted = this.#git
        .run(['rev-list', '--count', '--stdin'], { gitDir: this.#gitDir, input })
        .then(({ stdout }) => Number(stdout.trim()));
      counted.catch(() => undefined); // a walk that is not counted is printed by one process
      this.#counts.set(input, counted);
    }
    return counted;
  }

  /** Deletes stored commits that no current ref reaches any more (a force push, a deleted branch). */
  async #removeUnreachable(stored: readonly string[], current: readonly string[]): Promise<void> {
    if (stored.length === 0) return;
    const lines = this.#git.stream(['rev-list', '--stdin'], {
      gitDir: this.#gitDir,
      input: revisions(stored, current),
    });
    for await (const shas of shaChunks(lines, DELETE_CHUNK)) {
      await this.#store.deleteCommits(this.#repo.id, shas);
      this.#removed += shas.length;
    }
  }

  /**
   * Starts recording the default branch's history: git lists the commits that became reachable
   * from its new head while the first pass runs; `finish` stores them once that pass is done,
   * after the head's mailmap and tree (the recorded head is what marks those as stored).
   */
  async #startDefaultBranch(head: string | null): Promise<PendingStep> {
    const current = await this.#store.findRepository(this.#repo.id);
    const previous = current?.head ?? null;
    const none: AsyncIterable<readonly string[]> = (async function* () {})();
    if (previous === head) return { finish: async () => {}, cancel: async () => {} };
    if (head === null) {
      const finish = async () => {
        await this.#storeHeadFiles(null);
        await this.#store.recordDefaultBranch(this.#repo.id, null, none, true);
      };
      return { finish, cancel: async () => {} };
    }
    const extends_ = previous !== null && (await this.#isAncestor(previous, head));
    const input = extends_ ? revisions([head], [previous]) : revisions([head], []);
    const lines = this.#git.stream(['rev-list', '--stdin'], { gitDir: this.#gitDir, input });
    const added = shaChunks(lines, 50_000);
    return {
      finish: async () => {
        await this.#storeHeadFiles(head);
        await this.#store.recordDefaultBranch(this.#repo.id, head, added, !extends_);
      },
      cancel: () => lines.cancel(),
    };
  }

  /** Stores the `.mailmap` and the files of the default branch's head; none without a head. */
  async #storeHeadFiles(head: string | null): Promise<void> {
    const mailmap = head === null ? '' : await this.#readMailmap(head);
    await this.#store.replaceMailmap(this.#repo.id, parseMailmap(mailmap));
    const files =
      head === null ? (async function* () {})() : readTree(this.#git, this.#gitDir, head);
    await this.#store.replaceTree(this.#repo.id, files);
  }

  /** The head's `.mailmap`, empty when it has none (git exits with 128 for a missing path). */
  async #readMailmap(head: string): Promise<string> {
    const result = await this.#git.run(['cat-file', 'blob', `${head}:.mailmap`], {
      gitDir: this.#gitDir,
      okCodes: [128],
    });
    return result.code === 0 ? result.stdout : '';
  }

  async #isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.#git.run(['merge-base', '--is-ancestor', ancestor, descendant], {
      gitDir: this.#gitDir,
      okCodes: [1],
    });
    return result.code === 0;
  }

  /**
   * The stored progress, or a clean slate when it names commits the repository no longer has
   * (history rewritten and garbage-collected): then the repository is collected afresh.
   */
  async #intactProgress(): Promise<Progress> {
    const progress = await this.#store.readProgress(this.#repo.id);
    const named = [progress.commits, progress.files].flatMap((pass) => [
      ...pass.tips,
      ...(pass.walk ? [...pass.walk.include, ...pass.walk.exclude] : []),
    ]);
    const current = await this.#store.findRepository(this.#repo.id);
    if (current?.head) named.push(current.head);
    if (named.length === 0 || (await this.#allCommitsExist(named))) return progress;
    await this.#store.resetRepositoryData(this.#repo.id);
    return this.#store.readProgress(this.#repo.id);
  }

  async #allCommitsExist(shas: readonly string[]): Promise<boolean> {
    const unique = [...new Set(shas)];
    const { stdout } = await this.#git.run(['cat-file', '--batch-check=%(objecttype)'], {
      gitDir: this.#gitDir,
      input: unique.join('\n') + '\n',
    });
    return stdout.split('\n').filter((line) => line === 'commit').length === unique.length;
  }

  #update(patch: Parameters<Store['updateRepository']>[1]): Promise<void> {
    return this.#store.updateRepository(this.#repo.id, patch);
  }
}

/**
 * The `--stdin` input of a walk: the tips to include, then the tips to exclude as `^sha` (git
 * before 2.42 accepts no `--not` on standard input).
 */
function revisions(include: readonly string[], exclude: readonly string[]): string {
  return [...include, ...exclude.map((sha) => `^${sha}`), ''].join('\n');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((sha) => set.has(sha));
}

/** Splits git's one-sha-per-line output into chunks of at most `size` shas. */
async function* shaChunks(
  output: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<string[]> {
  let carry = '';
  let chunk: string[] = [];
  for await (const bytes of output) {
    const lines = (carry + Buffer.from(bytes).toString('latin1')).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (line !== '') chunk.push(line);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (carry !== '') chunk.push(carry);
  if (chunk.length > 0) yield chunk;
}

function stopwatch(): { lap(): number } {
  let last = performance.now();
  return {
    lap() {
      const now = performance.now();
      const elapsed = now - last;
      last = now;
      return elapsed;
    },
  };
}
