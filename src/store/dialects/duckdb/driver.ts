import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';

/**
 * `@duckdb/node-api`, loaded with `require`. It is a CommonJS package: importing it from an ES
 * module makes Node scan each of its files for named exports, about 0.25 s of CPU at start-up,
 * before the first git process of a collection can start.
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDBApi;
