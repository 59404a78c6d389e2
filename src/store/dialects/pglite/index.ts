/**
 * The PGlite dialect: PostgreSQL compiled to WebAssembly, in-process, so the PostgreSQL SQL path
 * runs on any machine. It is the postgres dialect's store, SQL and schema over a PGlite client.
 * Loaded lazily by `openStore` for `pglite:<dir>` and `pglite:memory`.
 *
 * @example const store = await openPgliteStore(null) // in memory
 */
export {
  openPgliteStore,
  pgliteDialect,
  pgliteStore,
  type PgliteStoreOptions,
} from './open-pglite-store.js';
export { pgliteClient } from './pglite-client.js';
export { latestVersion } from '../postgres/index.js';
