import type {
  AffiliationEntry,
  CollectionStatus,
  Commit,
  FileChange,
  MailmapEntry,
  Ref,
  TreeFile,
} from '../core/index.js';

/** A repository as metre knows it. */
export interface Repository {
  readonly id: string;
  readonly name: string;
  /** Where it is collected from: a URL with credentials stripped, or an absolute local path. */
  readonly source: string;
  readonly defaultBranch: string | null;
  readonly status: CollectionStatus;
  readonly lastError: string | null;
  /** Bumped every time the stored data changes; metric results remember the one they saw. */
  readonly dataVersion: number;
  readonly lastCollectedAt: Date | null;
  /** The commit the default branch pointed to at the last collection, or null. */
  readonly head: string | null;
  /** When it is collected: `hourly`, `daily`, `weekly` or a 5-field cron expression (UTC). */
  readonly schedule: string;
}

/** `metre repos`' view of a repository: the repository plus counts computed by the store. */
export interface RepositorySummary extends Repository {
  /** Commits reachable from the default branch. */
  readonly commits: number;
  /** Commits reachable from any branch or tag. */
  readonly commitsAllRefs: number;
  /** Commits with more than one parent, over all refs. */
  readonly mergeCommits: number;
  /** Stored file changes, over all refs. */
  readonly fileChanges: number;
}

/** The fields a collection may change on a repository. */
export interface RepositoryPatch {
  readonly status?: CollectionStatus;
  readonly lastError?: string | null;
  readonly defaultBranch?: string | null;
  readonly lastCollectedAt?: Date;
  readonly source?: string;
  readonly name?: string;
  readonly schedule?: string;
}

/** The two passes of a collection: commits first, then their file changes. */
export type Pass = 'commits' | 'files';

/**
 * A walk in progress: `git log <include> --not <exclude>`, of which `done` commits are stored.
 * Because git's walk order is deterministic for the same arguments, a resumed run replays the same
 * walk skipping `done` commits, which is what makes a killed collection resume without duplicates.
 */
export interface Walk {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly done: number;
}

/** Where each pass stands for one repository. */
export interface PassProgress {
  /** The tips whose whole history is stored for this pass. */
  readonly tips: readonly string[];
  /** The walk under way when the last run stopped, if it did not finish. */
  readonly walk: Walk | null;
}

export interface Progress {
  readonly commits: PassProgress;
  readonly files: PassProgress;
}

/** The file changes of one commit, written by the second pass. */
export interface CommitFiles {
  readonly sha: string;
  readonly files: readonly FileChange[];
}

/** What the dialect can do; the core branches on these, never on a dialect's name. */
export interface StoreCapabilities {
  /**
   * Whether a write and its progress marker commit together. Without (CrateDB), the store writes
   * data first and markers after, every row an upsert on its key, so a retry repairs a crash.
   */
  readonly transactions: boolean;
  /** Whether written rows become visible to reads only after a refresh (CrateDB's REFRESH TABLE). */
  readonly refreshAfterWrite: boolean;
  /**
   * How bulk rows are written: DuckDB's appender, PostgreSQL's COPY into a staging table, or
   * `INSERT … SELECT … FROM unnest($n::T[], …)` (PGlite on request, CrateDB).
   */
  readonly bulkMethod: 'appender' | 'copy' | 'unnest';
  /** Whether percentiles are exact, or approximate (CrateDB's `percentile` has no exact form). */
  readonly percentile: 'exact' | 'approximate';
}

/** A value bound to a `$n` parameter of a query. Arrays bind as SQL arrays (`$1::VARCHAR[]`). */
export type SqlValue =
  string | number | boolean | Date | null | readonly string[] | readonly number[] | readonly Date[];

/** A compiled query: SQL text with `$1…$n` placeholders and the values they bind. */
export interface Query {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** A row a query returns: integers as numbers, timestamps as Dates, lists as arrays. */
export type QueryRow = Readonly<Record<string, unknown>>;

/**
 * The SQL a dialect must write its own way, used to build otherwise portable queries. Each takes
 * SQL expressions and returns one.
 */
export interface SqlFragments {
  /** The ISO weekday of a timestamp: 1 for Monday … 7 for Sunday. */
  isoWeekday(timestamp: string): string;
  /** A timestamp moved by an integer number of minutes (an expression). */
  addMinutes(timestamp: string, minutes: string): string;
  /**
   * True when the whole text matches the regular expression (anchored at both ends), written in
   * the subset every backend reads alike: literals (ASCII punctuation escaped with `\`), `[^/]`,
   * groups `( )`, alternation `|` and the quantifiers `*` and `?` (no `.`: its newline rules
   * differ).
   */
  fullMatch(text: string, regex: string): string;
  /**
   * A bound instant (an ISO string or Date parameter) typed like the commit time columns, so a
   * comparison with them needs no per-row conversion (DuckDB keeps commit times as plain UTC
   * TIMESTAMPs, PostgreSQL as TIMESTAMPTZ).
   */
  commitTime(parameter: string): string;
}

/** One entry of the results cache. */
export interface StoredResult {
  /** The cache key: metric, version, repository set and normalised parameters, hashed. */
  readonly key: string;
  readonly metric: string;
  readonly version: number;
  /** The repository ids, sorted. */
  readonly repositories: readonly string[];
  /** The normalised parameters, as JSON. */
  readonly params: string;
  /** The data version the result was computed from (see `Store.dataVersion`). */
  readonly dataVersion: string;
  readonly computedAt: Date;
  readonly durationMs: number;
  /** The result, as JSON. */
  readonly result: string;
}

/** An explicit identity merge: the (lower-cased) email belongs to `person`. */
export interface IdentityLink {
  readonly email: string;
  readonly person: string;
}

/**
 * The Store port: everything the roles need from a backend, nothing more.
 *
 * Writes are idempotent and atomic per call: a batch and the progress marker covering it are
 * stored together, so a process killed at any point leaves data and markers consistent.
 */
export interface Store {
  readonly dialect: string;
  readonly capabilities: StoreCapabilities;

  /**
   * Registers a repository by name (updating its source if it moved, and its schedule when one is
   * given; a new one is collected `daily` by default) and returns it.
   */
  saveRepository(input: { name: string; source: string; schedule?: string }): Promise<Repository>;
  /** Finds a repository by id or name. */
  findRepository(idOrName: string): Promise<Repository | undefined>;
  /** Every repository with its counts, by name: this counts every repository's data. */
  listRepositories(): Promise<RepositorySummary[]>;
  /** Every repository by name, without counting anything: cheap whatever the data. */
  listRepositoryRecords(): Promise<Repository[]>;
  /** One repository, by id or name, with its counts (its own data only); undefined if unknown. */
  summarizeRepository(idOrName: string): Promise<RepositorySummary | undefined>;
  updateRepository(id: string, patch: RepositoryPatch): Promise<void>;
  /** Removes the repository and everything stored of it. Removing an unknown id does nothing. */
  deleteRepository(id: string): Promise<void>;

  readProgress(repoId: string): Promise<Progress>;
  /** Appends commits and sets the commits pass' walk marker, atomically. */
  writeCommits(repoId: string, commits: readonly Commit[], walk: Walk): Promise<void>;
  /**
   * Appends file changes, stages each commit's files changed and line totals (0 for a merge or a
   * commit touching no file) and sets the files pass' walk marker, atomically.
   */
  writeFileChanges(repoId: string, batch: readonly CommitFiles[], walk: Walk): Promise<void>;
  /**
   * Ends a pass: its tips become `tips`, its walk marker is cleared and the data version bumps.
   * Ending the files pass also gives the commits it walked their staged totals; a commit no files
   * pass has walked yet keeps unknown (null) totals.
   */
  completePass(repoId: string, pass: Pass, tips: readonly string[]): Promise<void>;
  /**
   * Records the default branch's history: `added` commits (streamed in chunks) became
   * reachable from it (with `reset`, they are now its whole history), and its tip, the repository's
   * head, is `tip`. Atomic.
   */
  recordDefaultBranch(
    repoId: string,
    tip: string | null,
    added: AsyncIterable<readonly string[]>,
    reset: boolean,
  ): Promise<void>;
  /** Replaces the repository's refs with the given ones. */
  replaceRefs(repoId: string, refs: readonly Ref[]): Promise<void>;
  /** Removes commits (and their file changes) no longer reachable from any ref. */
  deleteCommits(repoId: string, shas: readonly string[]): Promise<void>;
  /** Removes every commit, file change, ref and marker of the repository, keeping its record. */
  resetRepositoryData(repoId: string): Promise<void>;
  /** Replaces the repository's `.mailmap` entries; bumps the data version when they changed. */
  replaceMailmap(repoId: string, entries: readonly MailmapEntry[]): Promise<void>;
  /**
   * Replaces the files of the default branch's tree (streamed in chunks); bumps the data version.
   * Atomic.
   */
  replaceTree(repoId: string, files: AsyncIterable<readonly TreeFile[]>): Promise<void>;

  /** SQL the metrics need written this backend's way. */
  readonly sql: SqlFragments;
  /** Runs a read-only compiled query. */
  query(query: Query): Promise<QueryRow[]>;
  /**
   * The version of everything a metric over these repositories reads: their data versions and the
   * identities' version, as one string that changes whenever any of them does. One statement (a
   * cache hit waits for nothing else); fails with METRE_REPO_NOT_FOUND for an unknown id.
   */
  dataVersion(repoIds: readonly string[]): Promise<string>;
  /** Reads a cached result by key. */
  readResult(key: string): Promise<StoredResult | undefined>;
  /** Stores a result, replacing any with the same key. */
  writeResult(result: StoredResult): Promise<void>;

  /** Links each email (lower-cased) to `person`: an explicit identity merge. */
  linkIdentities(emails: readonly string[], person: string): Promise<void>;
  /** Removes the explicit links of these emails (each counts as its own person again). */
  unlinkIdentities(emails: readonly string[]): Promise<void>;
  listIdentityLinks(): Promise<IdentityLink[]>;
  /** The affiliation map kept in the store (set through the API), in the order it was written. */
  readAffiliations(): Promise<AffiliationEntry[]>;
  /** Replaces the stored affiliation map; bumps the identities' version (every metric's cache). */
  replaceAffiliations(entries: readonly AffiliationEntry[]): Promise<void>;

  close(): Promise<void>;
}
