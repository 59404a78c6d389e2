import { randomUUID } from 'node:crypto';
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { Commit, Ref } from '../../../core/index.js';
import { MetreError } from '../../../errors/index.js';
import type {
  CommitFiles,
  Pass,
  Progress,
  Repository,
  RepositoryPatch,
  RepositorySummary,
  Store,
  StoreCapabilities,
  Walk,
} from '../../port.js';
import { withAppender } from './append-rows.js';
import { bigint, text, texts, timestamp, type Param } from './params.js';
import { toProgress, toRef, toRepository, toSummary, type Row } from './rows.js';
import { SerialQueue } from './serial-queue.js';
import * as sql from './sql.js';
import { toStoreError } from './store-error.js';
import {
  commitTotalsLayout,
  commitsLayout,
  defaultBranchLayout,
  fileChangesLayout,
  refsLayout,
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
  readonly capabilities: StoreCapabilities = { transactions: true };
  readonly #parts: DuckDBStoreParts;
  readonly #queue = new SerialQueue();
  #closed = false;

  constructor(parts: DuckDBStoreParts) {
    this.#parts = parts;
  }

  saveRepository(input: { name: string; source: string }): Promise<Repository> {
    return this.#call(async () => {
      const found = await this.#first(sql.FIND_REPOSITORY_BY_NAME, text(input.name));
      if (found === undefined) return this.#insertRepository(input);
      const repository = toRepository(found);
      if (repository.source === input.source) return repository;
      await this.#run(sql.SET_SOURCE, text(repository.id), text(input.source));
      return { ...repository, source: input.source };
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

  updateRepository(id: string, patch: RepositoryPatch): Promise<void> {
    return this.#call(async () => {
      const sets = patchSets(patch);
      if (sets.length === 0) return;
      const assignments = sets.map(([column], i) => `${column} = $${i + 2}`).join(', ');
      const changed = await this.#run(
        `UPDATE repositories SET ${assignments} WHERE id = $1`,
        text(id),
        ...sets.map(([, param]) => param),
      );
      if (changed === 0) throw new MetreError('METRE_REPO_NOT_FOUND', `No repository ${id}`);
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
      if (reset) await this.#run(sql.deleteRepositoryRows('default_branch_commits'), text(repoId));
      await withAppender(connection, defaultBranchLayout, repoId, async (append) => {
        for await (const shas of added) append(shas);
      });
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

  close(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
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

  async #insertRepository(input: { name: string; source: string }): Promise<Repository> {
    const id = randomUUID();
    await this.#run(sql.INSERT_REPOSITORY, text(id), text(input.name), text(input.source));
    const row = await this.#first(sql.FIND_REPOSITORY, text(id));
    if (row === undefined) throw new Error(`Repository ${id} vanished after its insert`);
    return toRepository(row);
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
  return sets;
}

function sameRefs(stored: readonly Ref[], wanted: readonly Ref[]): boolean {
  const key = (refs: readonly Ref[]) =>
    refs
      .map((r) => `${r.kind}\0${r.name}\0${r.sha}`)
      .sort()
      .join('\n');
  return stored.length === wanted.length && key(stored) === key(wanted);
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
  const entries = Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]);
  return Object.fromEntries(entries);
}
