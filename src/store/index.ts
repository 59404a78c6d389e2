/**
 * The store role: the Store port every backend implements, and `openStore`, which opens the
 * backend a store URL names (DuckDB, PostgreSQL, PGlite, CrateDB). Drivers load lazily, inside their
 * dialect, only when used. `migrateStore` is `metre db migrate`.
 *
 * @example
 * const store = await openStore('duckdb:/data/metre.duckdb');
 * const repo = await store.saveRepository({ name: 'metre', source: 'https://github.com/x/metre' });
 * await store.writeCommits(repo.id, commits, { include: ['HEAD'], exclude: [], done: commits.length });
 * await store.completePass(repo.id, 'commits', [head]);
 * await store.close();
 */
export type {
  CommitFiles,
  IdentityLink,
  Pass,
  PassProgress,
  Progress,
  Query,
  QueryRow,
  Repository,
  RepositoryPatch,
  RepositorySummary,
  SqlFragments,
  SqlValue,
  Store,
  StoreCapabilities,
  StoredResult,
  Walk,
} from './port.js';
export { maskStoreUrl } from './mask-url.js';
export {
  migrateStore,
  openStore,
  parseStoreUrl,
  storeName,
  type CratedbTarget,
  type DuckDBTarget,
  type OpenStoreOptions,
  type PgliteTarget,
  type PostgresTarget,
  type SchemaReport,
  type StoreTarget,
} from './open-store.js';
