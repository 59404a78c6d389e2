import { postgresDialect, type PgFamilyDialect } from '../postgres/index.js';
import { cratedbUnnestWriter } from './bulk.js';
import { cratedbFragments } from './fragments.js';
import { cratedbSchemaHistory, defaultTableOptions, type CratedbTableOptions } from './schema.js';
import { cratedbStatements } from './sql.js';

/**
 * Makes the rows just written to `tables` visible to reads: CrateDB shows a write to searches
 * only after a refresh (about once a second by default), and the store reads what it wrote.
 *
 * @example refreshTables(['commits', 'repositories']) // ['REFRESH TABLE commits, repositories']
 */
export function refreshTables(tables: readonly string[]): readonly string[] {
  return tables.length === 0 ? [] : [`REFRESH TABLE ${[...new Set(tables)].join(', ')}`];
}

/**
 * CrateDB over its PostgreSQL wire protocol: PostgreSQL's dialect with its DDL (sharding and
 * replicas from `options`), `unnest` bulk writes in bounded batches, the statements it cannot run
 * rewritten, REFRESH TABLE after every write, and no transactions (no BEGIN, COMMIT or ROLLBACK
 * is ever sent: the store writes data before the markers covering it, every row an upsert on its
 * key). Its only percentile is approximate.
 *
 * @example cratedbDialect({ shards: 6, replicas: '1' })
 */
export function cratedbDialect(
  options: CratedbTableOptions = defaultTableOptions,
): PgFamilyDialect {
  return {
    ...postgresDialect,
    name: 'cratedb',
    capabilities: {
      transactions: false,
      refreshAfterWrite: true,
      bulkMethod: cratedbUnnestWriter.method,
      percentile: 'approximate',
    },
    fragments: cratedbFragments,
    statements: cratedbStatements,
    schema: cratedbSchemaHistory(options),
    bulk: cratedbUnnestWriter,
    refresh: refreshTables,
  };
}
