import { resolve } from 'node:path';
import { MetreError } from '../errors/index.js';
import type { Store } from './port.js';

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** Open without writing: no migrations, no directory creation; other readers may share it. */
  readonly readOnly?: boolean;
}

/** A store URL taken apart. */
export interface StoreTarget {
  readonly dialect: 'duckdb';
  /** An absolute file path, or `:memory:`. */
  readonly file: string;
}

const SUPPORTED = 'duckdb:<file path> or duckdb::memory:';
// Schemes of planned backends, as their URLs are written, so users get "not yet", not "unknown".
const LATER: Readonly<Record<string, string>> = {
  'postgres:': 'postgres://',
  'postgresql:': 'postgresql://',
  'pglite:': 'pglite:',
  'crate:': 'crate://',
};

/**
 * Opens the store a URL names: `duckdb:<file path>` (created with its directory if needed) or
 * `duckdb::memory:`. The dialect's driver is imported only now, so it loads only when used.
 *
 * @example const store = await openStore('duckdb:/var/lib/metre/metre.duckdb')
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseStoreUrl(url);
  const { openDuckDBStore } = await import('./dialects/duckdb/index.js');
  return openDuckDBStore(target.file, options);
}

/**
 * Reads a store URL; relative file paths resolve against the working directory. Errors name the
 * scheme only, never the whole URL, which may carry a password.
 *
 * @example parseStoreUrl('duckdb:metre.duckdb') // { dialect: 'duckdb', file: '/cwd/metre.duckdb' }
 */
export function parseStoreUrl(url: string): StoreTarget {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme !== 'duckdb:') throw unsupported(scheme);
  const path = url.slice(scheme.length);
  if (path === ':memory:') return { dialect: 'duckdb', file: ':memory:' };
  if (path === '' || path.startsWith('//')) {
    throw new MetreError(
      'METRE_STORE_URL_INVALID',
      `A duckdb store URL is duckdb:<file path> (e.g. duckdb:/data/metre.duckdb) or duckdb::memory:`,
    );
  }
  return { dialect: 'duckdb', file: resolve(path) };
}

function unsupported(scheme: string | undefined): MetreError {
  const supported = `Supported store URLs: ${SUPPORTED}`;
  if (scheme === undefined) {
    return new MetreError('METRE_STORE_URL_INVALID', `A store URL needs a scheme. ${supported}`);
  }
  const later = LATER[scheme];
  const planned = later
    ? `The ${later} store is not available yet (planned: postgres://, pglite:, crate://). `
    : `Unknown store URL scheme ${scheme}. `;
  return new MetreError('METRE_STORE_URL_INVALID', planned + supported);
}
