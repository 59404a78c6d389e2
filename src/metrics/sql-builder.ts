import type { Query, SqlValue } from '../store/index.js';

/**
 * Collects bound values while a query is written: `bind` returns the `$n` placeholder of a value,
 * so no value is ever spliced into SQL text.
 *
 * @example
 * const b = new SqlBuilder();
 * const query = b.build(`SELECT count(*) FROM commits WHERE repo_id = ${b.bind(id)}`);
 */
export class SqlBuilder {
  readonly #params: SqlValue[] = [];

  bind(value: SqlValue): string {
    this.#params.push(value);
    return `$${this.#params.length}`;
  }

  /** Binds a list for `IN (SELECT unnest(…))` and the like, cast to `VARCHAR[]`. */
  bindTexts(values: readonly string[]): string {
    return `${this.bind(values)}::VARCHAR[]`;
  }

  build(sql: string): Query {
    return { sql, params: [...this.#params] };
  }
}
