import { randomUUID } from 'node:crypto';
import type {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBType,
  DuckDBValue,
} from '@duckdb/node-api';
import type { AffiliationEntry, Commit, MailmapEntry, Ref, TreeFile } from '../../../core/index.js';
import { MetreError } from '../../../errors/index.js';
import type {
  CommitFiles,
  IdentityLink,
  Pass,
  Progress,
  Query,
  QueryRow,
  Repository,
  RepositoryPatch,
  RepositorySummary,
  SqlFragments,
  Store,
  StoreCapabilities,
  StoredResult,
  Walk,
} from '../../port.js';
import { withAppender } from './append-rows.js';
import { duckdbFragments } from './fragments.js';
import {
  bigint,
  bigints,
  double,
  inferParam,
  nullableTexts,
  text,
  texts,
  timestamp,
  type Param,
} from './params.js';
import {
  toDataVersion,
  toMailmapEntry,
  toProgress,
  toRef,
  toRepository,
  toStoredResult,
  toSummary,
  type Row,
} from '../shared/rows.js';
import { affiliationColumns, checkAffiliations, toAffiliation } from '../shared/affiliations.js';
import {
  DEFAULT_SCHEDULE,
  checkRename,
  resultsOf,
  savedChanges,
  type NewRepository,
} from '../shared/repository-edits.js';
import { sameMailmap, sameRefs } from '../shared/same-rows.js';
import { SerialQueue } from './serial-queue.js';
import * as sql from './sql.js';
import { toStoreError } from './store-error.js';
import {
  commitTotalsLayout,
  commitsLayout,
  defaultBranchLayout,
  fileChangesLayout,
  mailmapLayout,
  refsLayout,
  treeFilesLayout,
  type FileRow,
} from './tables.js';

/** What a DuckDBStore is built from; `openDuckDBStore` opens and migrates them. */
export interface DuckDBStoreParts {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** The database file (or `:memory:`), named in error messages. */
  readonly file: string;
  /** Called once the store is closed, e.g. to release the process's claim on the file. */
  readonly onClose?: () => void;
}

/**
 * The embedded Store: one DuckDB file owned by this process, one connection, calls run one at a
 * time. Bulk rows go through the appender; each write and its progress marker share a transaction.
 */
export class DuckDBStore implements Store {
  readonly dialect = 'duckdb';
  readonly capabilities: StoreCapabilities = {
    transactions: true,
    refreshAfterWrite: false,
    bulkMethod: 'appender',
    percentile: 'exact',
  };
  readonly sql: SqlFragments = duckdbFragments;
  readonly #parts: DuckDBStoreParts;
  readonly #queue = new SerialQueue();
  #closed = false;
  /** The cache hit's one statement, prepared once. */
  #dataVersions: DuckDBPreparedStatement | undefined;

  constructor(parts: DuckDBStoreParts) {
    this.#parts = parts;
  }

  saveRepository(input: NewRepository): Promise<Repository> {
    return this.#call(async () => {
      const found = await this.#first(sql.FIND_REPOSITORY_BY_NAME, text(input.name));
      if (found === undefined) return this.#insertRepository(input);
      const repository = toRepository(found);
      const changes = savedChanges(repository, input);
      await this.#update(repository.id, changes);
      return { ...repository, ...changes };
    });
  }

  findRepository(idOrName: string): Promise<Repository | undefined> {
    return this.#call(async () => {
      const row = await this.#first(sql.FIND_REPOSITORY, text(idOrName));
      return row && toRepository(row);
    });
  }

  listRepositories(): Promise<RepositorySummary[]> {
    return this.#call(async () => (await this.#rows(sql.LIST_REPOSITORIES)).map(toSummary));
  }

  listRepositoryRecords(): Promise<Repository[]> {
    return this.#call(async () =>
      (await this.#rows(sql.LIST_REPOSITORY_RECORDS)).map(toRepository),
    );
  }

  summarizeRepository(idOrName: string): Promise<RepositorySummary | undefined> {
    return this.#call(async () => {
      const [found] = await this.#rows(sql.FIND_REPOSITORY, text(idOrName));
      if (found === undefined) return undefined;
      const [row] = await this.#rows(sql.SUMMARIZE_REPOSITORY, text(toRepository(found).id));
      return row && toSummary(row);
    });
  }

  updateRepository(id: string, patch: RepositoryPatch): Promise<void> {
    return this.#call(async () => {
      if (patch.name !== undefined) {
        const rows = await this.#rows(sql.RENAME_CHECK, text(id), text(patch.name));
        checkRename(rows, id, patch.name);
      }
      const changed = await this.#update(id, patch);
      if (changed === 0) throw new MetreError('METRE_REPO_NOT_FOUND', `No repository ${id}`);
    });
  }

  deleteRepository(id: string): Promise<void> {
    return this.#transaction(async () => {
      for (const table of RESET_TABLES) await this.#run(sql.deleteRepositoryRows(table), text(id));
      await this.#run(sql.DELETE_RESULTS_OF, text(resultsOf(id)));
      await this.#run(sql.DELETE_REPOSITORY, text(id));
    });
  }

  readProgress(repoId: string): Promise<Progress> {
    return this.#call(async () => toProgress(await this.#rows(sql.READ_PROGRESS, text(repoId))));
  }

  writeCommits(repoId: string, commits: readonly Commit[], walk: Walk): Promise<void> {
    return this.#transaction(async (connection) => {
      await withAppender(connection, commitsLayout, repoId, async (append) => append(commits));
      await this.#setWalk(repoId, 'commits', walk);
    });
  }

  writeFileChanges(repoId: string, batch: readonly CommitFiles[], walk: Walk): Promise<void> {
    const rows: FileRow[] = batch.flatMap(({ sha, files }) => files.map((file) => ({ sha, file })));
    return this.#transaction(async (connection) => {
      await withAppender(connection, fileChangesLayout, repoId, async (append) => append(rows));
      await withAppender(connection, commitTotalsLayout, repoId, async (append) => append(batch));
      await this.#setWalk(repoId, 'files', walk);
    });
  }

  completePass(repoId: string, pass: Pass, tips: readonly string[]): Promise<void> {
    return this.#transaction(async () => {
      // Only the commits this pass walked have staged totals: the others stay unknown (NULL).
      if (pass === 'files') {
        await this.#run(sql.FILL_FILE_FACTS, text(repoId));
        await this.#run(sql.MERGE_COMMIT_TOTALS, text(repoId));
        await this.#run(sql.deleteRepositoryRows('commit_totals'), text(repoId));
      }
      await this.#setTips(repoId, pass, tips);
      await this.#run(sql.BUMP_DATA_VERSION, text(repoId));
    });
  }

  recordDefaultBranch(
    repoId: string,
    tip: string | null,
    added: AsyncIterable<readonly string[]>,
    reset: boolean,
  ): Promise<void> {
    return this.#transaction(async (connection) => {
      if (reset) {
        await this.#run(sql.deleteRepositoryRows('default_branch_commits'), text(repoId));
        await this.#run(sql.CLEAR_ON_DEFAULT, text(repoId));
        await this.#run(sql.CLEAR_FILES_ON_DEFAULT, text(repoId));
      }
      await withAppender(connection, defaultBranchLayout, repoId, async (append) => {
        for await (const shas of added) append(shas);
      });
      await this.#run(sql.MARK_ON_DEFAULT, text(repoId));
      await this.#run(sql.MARK_FILES_ON_DEFAULT, text(repoId));
      await this.#run(sql.SET_HEAD, text(repoId), text(tip));
      await this.#run(sql.BUMP_DATA_VERSION, text(repoId));
    });
  }

  replaceRefs(repoId: string, refs: readonly Ref[]): Promise<void> {
    return this.#transaction(async (connection) => {
      const stored = (await this.#rows(sql.READ_REFS, text(repoId))).map(toRef);
      // Refs are rewritten on every collection; the data version moves only when they changed.
      if (sameRefs(stored, refs)) return;
      await this.#run(sql.deleteRepositoryRows('refs'), text(repoId));
      await withAppender(connection, refsLayout, repoId, async (append) => append(refs));
      await this.#run(sql.BUMP_DATA_VERSION, text(repoId));
    });
  }

  replaceMailmap(repoId: string, entries: readonly MailmapEntry[]): Promise<void> {
    return this.#transaction(async (connection) => {
      const stored = (await this.#rows(sql.READ_MAILMAP, text(repoId))).map(toMailmapEntry);
      if (sameMailmap(stored, entries)) return;
      await this.#run(sql.deleteRepositoryRows('mailmap'), text(repoId));
      await withAppender(connection, mailmapLayout, repoId, async (append) => append(entries));
      await this.#run(sql.BUMP_DATA_VERSION, text(repoId));
    });
  }

  replaceTree(repoId: string, files: AsyncIterable<readonly TreeFile[]>): Promise<void> {
    return this.#transaction(async (connection) => {
      await this.#run(sql.deleteRepositoryRows('tree_files'), text(repoId));
      await withAppender(connection, treeFilesLayout, repoId, async (append) => {
        for await (const chunk of files) append(chunk);
      });
      await this.#run(sql.BUMP_DATA_VERSION, text(repoId));
    });
  }

  deleteCommits(repoId: string, shas: readonly string[]): Promise<void> {
    if (shas.length === 0) return this.#call(async () => undefined);
    return this.#transaction(async () => {
      const tables = [
        'commits',
        'file_changes',
        'default_branch_commits',
        'commit_totals',
      ] as const;
      for (const table of tables) {
        await this.#run(sql.deleteShas(table), text(repoId), texts(shas));
      }
      await this.#run(sql.BUMP_DATA_VERSION, text(repoId));
    });
  }

  resetRepositoryData(repoId: string): Promise<void> {
    return this.#transaction(async () => {
      for (const table of RESET_TABLES) {
        await this.#run(sql.deleteRepositoryRows(table), text(repoId));
      }
      await this.#run(sql.SET_HEAD, text(repoId), text(null));
      await this.#run(sql.BUMP_DATA_VERSION, text(repoId));
    });
  }

  /**
   * Runs a read-only query and returns plain rows (BIGINT as number). Not part of the port: the
   * contract suite reads stored rows back through it (see `src/store/testing/inspect.ts`).
   */
  readRows(query: string, params: readonly (string | number)[] = []): Promise<Row[]> {
    return this.#call(async () => {
      const reader = await this.#parts.connection.runAndReadAll(query, [...params]);
      return reader.getRowObjectsJS().map(plainRow);
    });
  }

  query(query: Query): Promise<QueryRow[]> {
    return this.#call(async () => {
      const params = query.params.map(inferParam);
      const reader = await this.#parts.connection.runAndReadAll(query.sql, ...bind(params));
      return reader.getRowObjectsJS().map(plainRow);
    });
  }

  dataVersion(repoIds: readonly string[]): Promise<string> {
    return this.#call(async () => {
      const ids = [...new Set(repoIds)].sort();
      this.#dataVersions ??= await this.#parts.connection.prepare(sql.DATA_VERSIONS);
      return toDataVersion(ids, (await this.#dataVersions.runAndReadAll()).getRowObjectsJS());
    });
  }

  readResult(key: string): Promise<StoredResult | undefined> {
    return this.#call(async () => {
      const row = await this.#first(sql.READ_RESULT, text(key));
      return row && toStoredResult(row);
    });
  }

  writeResult(result: StoredResult): Promise<void> {
    return this.#call(async () => {
      await this.#run(
        sql.WRITE_RESULT,
        text(result.key),
        text(result.metric),
        bigint(result.version),
        text(JSON.stringify(result.repositories)),
        text(result.params),
        text(result.dataVersion),
        timestamp(result.computedAt),
        double(result.durationMs),
        text(result.result),
      );
    });
  }

  linkIdentities(emails: readonly string[], person: string): Promise<void> {
    return this.#transaction(async () => {
      for (const email of new Set(emails.map((e) => e.toLowerCase()))) {
        await this.#run(sql.LINK_IDENTITY, text(email), text(person.toLowerCase()));
      }
      await this.#run(sql.BUMP_IDENTITIES_VERSION);
    });
  }

  unlinkIdentities(emails: readonly string[]): Promise<void> {
    return this.#transaction(async () => {
      await this.#run(sql.UNLINK_IDENTITIES, texts(emails.map((e) => e.toLowerCase())));
      await this.#run(sql.BUMP_IDENTITIES_VERSION);
    });
  }

  listIdentityLinks(): Promise<IdentityLink[]> {
    return this.#call(async () =>
      (await this.#rows(sql.LIST_IDENTITY_LINKS)).map((row) => ({
        email: String(row.email),
        person: String(row.person),
      })),
    );
  }

  readAffiliations(): Promise<AffiliationEntry[]> {
    return this.#call(async () => (await this.#rows(sql.READ_AFFILIATIONS)).map(toAffiliation));
  }

  replaceAffiliations(entries: readonly AffiliationEntry[]): Promise<void> {
    const columns = affiliationColumns(entries);
    return this.#transaction(async () => {
      checkAffiliations(entries);
      await this.#run(sql.DELETE_AFFILIATIONS);
      await this.#run(
        sql.INSERT_AFFILIATIONS,
        bigints(columns.positions),
        texts(columns.emails),
        texts(columns.organizations),
        nullableTexts(columns.froms),
        nullableTexts(columns.tos),
      );
      await this.#run(sql.BUMP_IDENTITIES_VERSION);
    });
  }

  close(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#dataVersions?.destroySync();
      this.#parts.connection.closeSync();
      this.#parts.instance.closeSync();
      this.#parts.onClose?.();
    });
  }

  /** Runs a call after every earlier one, mapping failures to the error catalogue. */
  #call<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new MetreError('METRE_STORE_UNAVAILABLE', 'The store is closed');
      try {
        return await task();
      } catch (error) {
        throw toStoreError(error, this.#parts.file);
      }
    });
  }

  /** A call whose statements commit together, or not at all. */
  #transaction(task: (connection: DuckDBConnection) => Promise<void>): Promise<void> {
    return this.#call(async () => {
      const { connection } = this.#parts;
      await connection.run('BEGIN TRANSACTION');
      try {
        await task(connection);
        await connection.run('COMMIT');
      } catch (error) {
        await rollback(connection);
        throw error;
      }
    });
  }

  async #insertRepository(input: NewRepository): Promise<Repository> {
    const id = randomUUID();
    const schedule = input.schedule ?? DEFAULT_SCHEDULE;
    const values = [text(id), text(input.name), text(input.source), text(schedule)];
    await this.#run(sql.INSERT_REPOSITORY, ...values);
    const row = await this.#first(sql.FIND_REPOSITORY, text(id));
    if (row === undefined) throw new Error(`Repository ${id} vanished after its insert`);
    return toRepository(row);
  }

  /** Sets the patched columns of a repository; the number of rows changed (0: no such id). */
  async #update(id: string, patch: RepositoryPatch): Promise<number> {
    const sets = patchSets(patch);
    if (sets.length === 0) return 1;
    const assignments = sets.map(([column], i) => `${column} = $${i + 2}`).join(', ');
    const statement = `UPDATE repositories SET ${assignments} WHERE id = $1`;
    return this.#run(statement, text(id), ...sets.map(([, param]) => param));
  }

  async #setWalk(repoId: string, pass: Pass, walk: Walk): Promise<void> {
    const marker = [texts(walk.include), texts(walk.exclude), bigint(walk.done)] as const;
    const changed = await this.#run(sql.SET_WALK, text(repoId), text(pass), ...marker);
    if (changed > 0) return;
    await this.#run(sql.INSERT_PROGRESS, text(repoId), text(pass), texts([]), ...marker);
  }

  async #setTips(repoId: string, pass: Pass, tips: readonly string[]): Promise<void> {
    const changed = await this.#run(sql.SET_TIPS, text(repoId), text(pass), texts(tips));
    if (changed > 0) return;
    const noWalk = [texts(null), texts(null), bigint(null)] as const;
    await this.#run(sql.INSERT_PROGRESS, text(repoId), text(pass), texts(tips), ...noWalk);
  }

  /** Runs a statement with bound parameters; returns the number of rows it changed. */
  async #run(statement: string, ...params: Param[]): Promise<number> {
    const result = await this.#parts.connection.run(statement, ...bind(params));
    return result.rowsChanged;
  }

  async #rows(query: string, ...params: Param[]): Promise<Row[]> {
    const reader = await this.#parts.connection.runAndReadAll(query, ...bind(params));
    return reader.getRowObjectsJS();
  }

  async #first(query: string, ...params: Param[]): Promise<Row | undefined> {
    return (await this.#rows(query, ...params))[0];
  }
}

const RESET_TABLES = [
  'commits',
  'file_changes',
  'refs',
  'default_branch_commits',
  'commit_totals',
  'collection_progress',
  'mailmap',
  'tree_files',
] as const;

// Column names come from here only; every value is bound.
function patchSets(patch: RepositoryPatch): [string, Param][] {
  const sets: [string, Param][] = [];
  if (patch.status !== undefined) sets.push(['status', text(patch.status)]);
  if (patch.lastError !== undefined) sets.push(['last_error', text(patch.lastError)]);
  if (patch.defaultBranch !== undefined) sets.push(['default_branch', text(patch.defaultBranch)]);
  if (patch.lastCollectedAt !== undefined) {
    sets.push(['last_collected_at', timestamp(patch.lastCollectedAt)]);
  }
  if (patch.source !== undefined) sets.push(['source', text(patch.source)]);
  if (patch.name !== undefined) sets.push(['name', text(patch.name)]);
  if (patch.schedule !== undefined) sets.push(['schedule', text(patch.schedule)]);
  return sets;
}

async function rollback(connection: DuckDBConnection): Promise<void> {
  try {
    await connection.run('ROLLBACK');
  } catch {
    // A failed COMMIT has already ended the transaction; the original error is what matters.
  }
}

/** Splits typed parameters into the driver's two lists: the values and their types. */
function bind(params: readonly Param[]): [DuckDBValue[], DuckDBType[]] {
  return [params.map(([value]) => value), params.map(([, type]) => type)];
}

function plainRow(row: Row): Row {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v)]));
}

/** BIGINT and HUGEINT (bigint) to number, inside lists too: results are JSON numbers. */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}
