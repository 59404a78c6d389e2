import { randomUUID } from 'node:crypto';
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
  SqlValue,
  Store,
  StoredResult,
  Walk,
} from '../../port.js';
import {
  toDataVersion,
  toMailmapEntry,
  toProgress,
  toRef,
  toRepository,
  toStoredResult,
  toSummary,
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
import type { PgFamilyCapabilities, PgFamilyDialect } from './dialect.js';
import type { Param, Row, SqlClient, SqlSession } from './sql-client.js';
import type { PgStatements, RepositoryTable } from './sql.js';
import { toPgStoreError } from './store-error.js';
import {
  commitTotalsTable,
  commitsTable,
  defaultBranchTable,
  fileChangesTable,
  mailmapTable,
  refsTable,
  treeFilesTable,
  type BulkTable,
  type FileRow,
} from './tables.js';

/** What a PgFamilyStore is built from; the dialects' `open…` functions put them together. */
export interface PgFamilyStoreParts {
  readonly client: SqlClient;
  readonly dialect: PgFamilyDialect;
  /** The store as messages name it: its URL with the password masked. */
  readonly name: string;
  /** Called once the store is closed, e.g. to release the process's claim on a directory. */
  readonly onClose?: () => void;
}

/**
 * The Store over any backend speaking PostgreSQL's SQL: PostgreSQL, PGlite, and (with its own
 * DDL, bulk path and refresh) CrateDB. Calls may overlap (a server has a pool of connections);
 * each write and its progress marker share a transaction where the backend has them, and every
 * row is an upsert on its natural key, so a batch written twice is stored once.
 */
export class PgFamilyStore implements Store {
  readonly dialect: string;
  readonly capabilities: PgFamilyCapabilities;
  readonly sql: SqlFragments;
  readonly #client: SqlClient;
  readonly #parts: PgFamilyStoreParts;
  readonly #statements: PgStatements;
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  constructor(parts: PgFamilyStoreParts) {
    const { dialect, client } = parts;
    if (dialect.capabilities.transactions !== (client.transaction !== undefined)) {
      throw new Error(`The ${dialect.name} dialect and its client disagree on transactions`);
    }
    this.#parts = parts;
    this.#client = client;
    this.#statements = dialect.statements;
    this.dialect = dialect.name;
    this.capabilities = dialect.capabilities;
    this.sql = dialect.fragments;
  }

  saveRepository(input: NewRepository): Promise<Repository> {
    return this.#call(async () => {
      const s = this.#statements;
      let row = await this.#first(this.#client, s.findRepositoryByName, [input.name]);
      if (row === undefined) {
        const schedule = input.schedule ?? DEFAULT_SCHEDULE;
        await this.#client.query(s.insertRepository, [
          randomUUID(),
          input.name,
          input.source,
          schedule,
        ]);
        await this.#refresh(this.#client, ['repositories']);
        row = await this.#first(this.#client, s.findRepositoryByName, [input.name]);
      }
      if (row === undefined) throw new Error(`Repository ${input.name} vanished after its insert`);
      const repository = toRepository(row);
      const changes = savedChanges(repository, input);
      await this.#update(repository.id, changes);
      return { ...repository, ...changes };
    });
  }

  findRepository(idOrName: string): Promise<Repository | undefined> {
    return this.#call(async () => {
      const row = await this.#first(this.#client, this.#statements.findRepository, [idOrName]);
      return row && toRepository(row);
    });
  }

  listRepositories(): Promise<RepositorySummary[]> {
    return this.#call(async () => {
      const { rows } = await this.#client.query(this.#statements.listRepositories);
      return rows.map(toSummary).sort((a, b) => compare(a.name, b.name));
    });
  }

  listRepositoryRecords(): Promise<Repository[]> {
    return this.#call(async () => {
      const { rows } = await this.#client.query(this.#statements.listRepositoryRecords);
      return rows.map(toRepository).sort((a, b) => compare(a.name, b.name));
    });
  }

  summarizeRepository(idOrName: string): Promise<RepositorySummary | undefined> {
    return this.#call(async () => {
      const found = await this.#first(this.#client, this.#statements.findRepository, [idOrName]);
      if (found === undefined) return undefined;
      const { id } = toRepository(found);
      const row = await this.#first(this.#client, this.#statements.summarizeRepository, [id]);
      return row && toSummary(row);
    });
  }

  updateRepository(id: string, patch: RepositoryPatch): Promise<void> {
    return this.#call(async () => {
      if (patch.name !== undefined) {
        const { rows } = await this.#client.query(this.#statements.renameCheck, [id, patch.name]);
        checkRename(rows, id, patch.name);
      }
      const changed = await this.#update(id, patch);
      if (changed === 0) throw new MetreError('METRE_REPO_NOT_FOUND', `No repository ${id}`);
      if (patch.name === undefined) return;
      // Last: on CrateDB a rename moves the row to a new key, and the UPDATE above found it by id.
      for (const statement of this.#statements.renameRepository) {
        await this.#client.query(statement, [id, patch.name]);
      }
      await this.#refresh(this.#client, ['repositories']);
    });
  }

  deleteRepository(id: string): Promise<void> {
    const tables = [...RESET_TABLES, 'metric_results', 'repositories'];
    return this.#write(tables, async (session) => {
      const s = this.#statements;
      // Without transactions, a removal cut short leaves the repository with part of its data:
      // the bump first makes every result cached from the whole of it stale.
      await session.query(s.bumpDataVersion, [id]);
      for (const table of RESET_TABLES) await session.query(s.deleteRepositoryRows(table), [id]);
      await session.query(s.deleteResultsOf, [resultsOf(id)]);
      await session.query(s.deleteRepository, [id]);
    });
  }

  readProgress(repoId: string): Promise<Progress> {
    return this.#call(async () => {
      const { rows } = await this.#client.query(this.#statements.readProgress, [repoId]);
      return toProgress(rows);
    });
  }

  writeCommits(repoId: string, commits: readonly Commit[], walk: Walk): Promise<void> {
    return this.#write(['commits', 'collection_progress'], async (session) => {
      await this.#insert(session, commitsTable, repoId, commits);
      await this.#setWalk(session, repoId, 'commits', walk);
    });
  }

  writeFileChanges(repoId: string, batch: readonly CommitFiles[], walk: Walk): Promise<void> {
    const rows: FileRow[] = batch.flatMap(({ sha, files }) => files.map((file) => ({ sha, file })));
    const tables = ['file_changes', 'commit_totals', 'collection_progress'];
    return this.#write(tables, async (session) => {
      await this.#insert(session, fileChangesTable, repoId, rows);
      await this.#insert(session, commitTotalsTable, repoId, batch);
      await this.#setWalk(session, repoId, 'files', walk);
    });
  }

  completePass(repoId: string, pass: Pass, tips: readonly string[]): Promise<void> {
    const tables = [
      'commits',
      'commit_totals',
      'file_changes',
      'collection_progress',
      'repositories',
    ];
    return this.#write(tables, async (session) => {
      const s = this.#statements;
      // Only the commits this pass walked have staged totals: the others stay unknown (NULL).
      if (pass === 'files') {
        // Facts first: on CrateDB, they read commits, which the totals then write.
        await session.query(s.fillFileFacts, [repoId]);
        await session.query(s.mergeCommitTotals, [repoId]);
        await session.query(s.deleteRepositoryRows('commit_totals'), [repoId]);
      }
      await session.query(s.upsertTips, [repoId, pass, [...tips]]);
      await session.query(s.bumpDataVersion, [repoId]);
    });
  }

  recordDefaultBranch(
    repoId: string,
    tip: string | null,
    added: AsyncIterable<readonly string[]>,
    reset: boolean,
  ): Promise<void> {
    const tables = ['default_branch_commits', 'commits', 'file_changes', 'repositories'];
    return this.#write(tables, async (session) => {
      const s = this.#statements;
      if (reset) {
        await session.query(s.deleteRepositoryRows('default_branch_commits'), [repoId]);
        await session.query(s.clearOnDefault, [repoId]);
        await session.query(s.clearFilesOnDefault, [repoId]);
      }
      for await (const shas of added) {
        await this.#insert(session, defaultBranchTable, repoId, shas);
        await session.query(s.markOnDefault, [repoId, shas]);
        await session.query(s.markFilesOnDefault, [repoId, shas]);
      }
      await session.query(s.setHead, [repoId, tip]);
      await session.query(s.bumpDataVersion, [repoId]);
    });
  }

  replaceRefs(repoId: string, refs: readonly Ref[]): Promise<void> {
    return this.#write(['refs', 'repositories'], async (session) => {
      const { rows } = await session.query(this.#statements.readRefs, [repoId]);
      // Refs are rewritten on every collection; the data version moves only when they changed.
      if (sameRefs(rows.map(toRef), refs)) return;
      await this.#replace(session, 'refs', repoId, () =>
        this.#insert(session, refsTable, repoId, refs),
      );
    });
  }

  replaceMailmap(repoId: string, entries: readonly MailmapEntry[]): Promise<void> {
    return this.#write(['mailmap', 'repositories'], async (session) => {
      const { rows } = await session.query(this.#statements.readMailmap, [repoId]);
      if (sameMailmap(rows.map(toMailmapEntry), entries)) return;
      await this.#replace(session, 'mailmap', repoId, () =>
        this.#insert(session, mailmapTable, repoId, entries),
      );
    });
  }

  replaceTree(repoId: string, files: AsyncIterable<readonly TreeFile[]>): Promise<void> {
    return this.#write(['tree_files', 'repositories'], (session) =>
      this.#replace(session, 'tree_files', repoId, async () => {
        for await (const chunk of files) await this.#insert(session, treeFilesTable, repoId, chunk);
      }),
    );
  }

  deleteCommits(repoId: string, shas: readonly string[]): Promise<void> {
    if (shas.length === 0) return this.#call(async () => undefined);
    return this.#write([...SHA_TABLES, 'repositories'], async (session) => {
      for (const table of SHA_TABLES) {
        await session.query(this.#statements.deleteShas(table), [repoId, [...shas]]);
      }
      await session.query(this.#statements.bumpDataVersion, [repoId]);
    });
  }

  resetRepositoryData(repoId: string): Promise<void> {
    return this.#write([...RESET_TABLES, 'repositories'], async (session) => {
      const s = this.#statements;
      for (const table of RESET_TABLES)
        await session.query(s.deleteRepositoryRows(table), [repoId]);
      await session.query(s.setHead, [repoId, null]);
      await session.query(s.bumpDataVersion, [repoId]);
    });
  }

  /**
   * Runs a query and returns its rows (INT8 and NUMERIC as numbers). Not part of the port: the
   * contract suite reads stored rows back through it (see `src/store/testing/inspect.ts`).
   */
  readRows(query: string, params: readonly (string | number)[] = []): Promise<Row[]> {
    return this.#call(async () => (await this.#client.query(query, params)).rows);
  }

  query(query: Query): Promise<QueryRow[]> {
    return this.#call(
      async () => (await this.#client.query(query.sql, query.params.map(toParam))).rows,
    );
  }

  dataVersion(repoIds: readonly string[]): Promise<string> {
    return this.#call(async () => {
      const ids = [...new Set(repoIds)].sort(compare);
      const { rows } = await this.#client.query(this.#statements.dataVersions, [ids]);
      return toDataVersion(ids, rows);
    });
  }

  readResult(key: string): Promise<StoredResult | undefined> {
    return this.#call(async () => {
      const row = await this.#first(this.#client, this.#statements.readResult, [key]);
      return row && toStoredResult(row);
    });
  }

  writeResult(result: StoredResult): Promise<void> {
    return this.#call(async () => {
      await this.#client.query(this.#statements.writeResult, [
        result.key,
        result.metric,
        result.version,
        JSON.stringify(result.repositories),
        result.params,
        result.dataVersion,
        result.computedAt.toISOString(),
        result.durationMs,
        result.result,
      ]);
      await this.#refresh(this.#client, ['metric_results']);
    });
  }

  linkIdentities(emails: readonly string[], person: string): Promise<void> {
    return this.#write(['identities', 'store_versions'], async (session) => {
      for (const email of new Set(emails.map((e) => e.toLowerCase()))) {
        await session.query(this.#statements.linkIdentity, [email, person.toLowerCase()]);
      }
      await session.query(this.#statements.bumpIdentitiesVersion);
    });
  }

  unlinkIdentities(emails: readonly string[]): Promise<void> {
    return this.#write(['identities', 'store_versions'], async (session) => {
      const lower = emails.map((e) => e.toLowerCase());
      await session.query(this.#statements.unlinkIdentities, [lower]);
      await session.query(this.#statements.bumpIdentitiesVersion);
    });
  }

  listIdentityLinks(): Promise<IdentityLink[]> {
    return this.#call(async () => {
      const { rows } = await this.#client.query(this.#statements.listIdentityLinks);
      return rows
        .map((row) => ({ email: String(row.email), person: String(row.person) }))
        .sort((a, b) => compare(a.person, b.person) || compare(a.email, b.email));
    });
  }

  readAffiliations(): Promise<AffiliationEntry[]> {
    return this.#call(async () => {
      const { rows } = await this.#client.query(this.#statements.readAffiliations);
      return rows.map(toAffiliation);
    });
  }

  replaceAffiliations(entries: readonly AffiliationEntry[]): Promise<void> {
    const c = affiliationColumns(entries);
    return this.#write(['affiliations', 'store_versions'], async (session) => {
      checkAffiliations(entries);
      const s = this.#statements;
      for (let start = 0; start < entries.length; start += AFFILIATIONS_PER_STATEMENT) {
        const cut = <T>(list: readonly T[]) =>
          list.slice(start, start + AFFILIATIONS_PER_STATEMENT);
        await session.query(s.upsertAffiliations, [
          cut(c.positions),
          cut(c.emails),
          cut(c.organizations),
          cut(c.froms),
          cut(c.tos),
        ]);
      }
      await session.query(s.truncateAffiliations, [entries.length]);
      // Every time, even when the map is unchanged: a retry of a write cut short (no transactions)
      // must still leave every result computed from the old map stale.
      await session.query(s.bumpIdentitiesVersion);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#pending);
    try {
      await this.#client.close();
    } finally {
      this.#parts.onClose?.();
    }
  }

  /** Runs a call unless the store is closed, mapping failures to the error catalogue. */
  #call<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      const closed = new MetreError(
        'METRE_STORE_UNAVAILABLE',
        `The store ${this.#parts.name} is closed`,
      );
      return Promise.reject(closed);
    }
    const run = task().catch((error: unknown) => {
      throw toPgStoreError(error, this.#parts.name);
    });
    this.#pending.add(run);
    const forget = () => this.#pending.delete(run);
    run.then(forget, forget);
    return run;
  }

  /**
   * A write whose statements commit together (where the backend has transactions), after which
   * the tables it touched are refreshed (where the backend needs it).
   */
  #write(tables: readonly string[], body: (session: SqlSession) => Promise<void>): Promise<void> {
    return this.#call(async () => {
      const client = this.#client;
      await (client.transaction ? client.transaction(body) : body(client));
      await this.#refresh(client, tables);
    });
  }

  async #refresh(session: SqlSession, tables: readonly string[]): Promise<void> {
    const statements = this.#parts.dialect.refresh?.(tables) ?? [];
    for (const statement of statements) await session.query(statement);
  }

  #insert<T>(session: SqlSession, table: BulkTable<T>, repoId: string, items: readonly T[]) {
    if (items.length === 0) return Promise.resolve();
    return this.#parts.dialect.bulk.insert(session, table, repoId, items);
  }

  /** Replaces a repository's rows of `table` with what `fill` writes, bumping the data version. */
  async #replace(
    session: SqlSession,
    table: RepositoryTable,
    repoId: string,
    fill: () => Promise<void>,
  ): Promise<void> {
    await session.query(this.#statements.deleteRepositoryRows(table), [repoId]);
    await fill();
    await session.query(this.#statements.bumpDataVersion, [repoId]);
  }

  /** Sets the patched columns (the name aside); the number of rows changed (0: no such id). */
  async #update(id: string, patch: RepositoryPatch): Promise<number> {
    const sets = patchSets(patch);
    if (sets.length === 0) return 1;
    const assignments = sets.map(([column, cast], i) => `${column} = ${cast(`$${i + 2}`)}`);
    const { rowCount } = await this.#client.query(
      `UPDATE repositories SET ${assignments.join(', ')} WHERE id = $1`,
      [id, ...sets.map(([, , value]) => value)],
    );
    if (rowCount > 0) await this.#refresh(this.#client, ['repositories']);
    return rowCount;
  }

  async #setWalk(session: SqlSession, repoId: string, pass: Pass, walk: Walk): Promise<void> {
    await session.query(this.#statements.upsertWalk, [
      repoId,
      pass,
      [],
      [...walk.include],
      [...walk.exclude],
      walk.done,
    ]);
  }

  async #first(
    session: SqlSession,
    sql: string,
    params: readonly Param[],
  ): Promise<Row | undefined> {
    return (await session.query(sql, params)).rows[0];
  }
}

/** Affiliations per upsert: within CrateDB's bounds on one statement's bound values. */
const AFFILIATIONS_PER_STATEMENT = 5_000;

const SHA_TABLES = ['commits', 'file_changes', 'default_branch_commits', 'commit_totals'] as const;

const RESET_TABLES = [
  ...SHA_TABLES,
  'refs',
  'collection_progress',
  'mailmap',
  'tree_files',
] as const;

/** Code unit order: what DuckDB's binary collation gives, whatever the server's collation. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type Cast = (placeholder: string) => string;
const asIs: Cast = (p) => p;
const asTimestamp: Cast = (p) => `CAST(${p} AS TIMESTAMPTZ)`;

// Column names come from here only; every value is bound.
function patchSets(patch: RepositoryPatch): [string, Cast, Param][] {
  const sets: [string, Cast, Param][] = [];
  if (patch.status !== undefined) sets.push(['status', asIs, patch.status]);
  if (patch.lastError !== undefined) sets.push(['last_error', asIs, patch.lastError]);
  if (patch.defaultBranch !== undefined) sets.push(['default_branch', asIs, patch.defaultBranch]);
  if (patch.lastCollectedAt !== undefined) {
    sets.push(['last_collected_at', asTimestamp, patch.lastCollectedAt.toISOString()]);
  }
  if (patch.source !== undefined) sets.push(['source', asIs, patch.source]);
  if (patch.schedule !== undefined) sets.push(['schedule', asIs, patch.schedule]);
  // The name is set by the dialect's own rename statements (CrateDB keys repositories by name).
  return sets;
}

/** A portable query's parameter as the drivers bind it: Dates as ISO timestamps. */
function toParam(value: SqlValue): Param {
  if (value instanceof Date) return value.toISOString();
  if (!Array.isArray(value)) return value as Exclude<SqlValue, Date | readonly unknown[]>;
  return (value as readonly (string | number | Date)[]).map((v) =>
    v instanceof Date ? v.toISOString() : v,
  );
}
