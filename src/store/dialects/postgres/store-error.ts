import { MetreError } from '../../../errors/index.js';
import { maskUrlsIn } from '../../mask-url.js';

/** Node's codes for a server that cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// SQLSTATEs of a server that refuses this client or went away: connection exceptions (08…),
// authorization (28…), no such database (3D000), shutdown or start-up (57P01–57P03), too many
// connections (53300).
const UNAVAILABLE_STATES = /^(08|28)|^(3D000|57P0[1-3]|53300)$/;
const DISK_FULL_STATE = '53100';

// What `pg` says when the socket closes or a connection cannot be made in time.
const CONNECTION_LOST =
  /Connection terminated|connection (error|ended)|timeout (expired|exceeded)|ECONNRESET/i;

/**
 * Maps a PostgreSQL-family failure to the error catalogue, naming the store by its masked URL: a
 * server that refuses the connection, rejects the credentials or goes away is
 * METRE_STORE_UNAVAILABLE (a retry later may work); a full disk is METRE_DISK_FULL; anything else
 * is METRE_STORE_FAILED, with the driver's error as the cause.
 *
 * @example throw toPgStoreError(error, 'postgres://metre:***@db/metre')
 */
export function toPgStoreError(error: unknown, store: string): MetreError {
  if (error instanceof MetreError) return error;
  const message = maskUrlsIn(error instanceof Error ? error.message : String(error));
  const code = errorCode(error);
  if (code === DISK_FULL_STATE) {
    return new MetreError('METRE_DISK_FULL', `No space left for the store ${store}: ${message}`, {
      cause: error,
    });
  }
  if (isUnavailable(code, message)) {
    return new MetreError(
      'METRE_STORE_UNAVAILABLE',
      `The store ${store} is unavailable: ${message}`,
      {
        cause: error,
      },
    );
  }
  return new MetreError('METRE_STORE_FAILED', `Store ${store}: ${message}`, { cause: error });
}

function isUnavailable(code: string | undefined, message: string): boolean {
  if (code !== undefined && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
  return CONNECTION_LOST.test(message);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // A connection to a name that resolves to several addresses fails with all their errors.
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined;
}
