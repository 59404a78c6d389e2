import { catalogue, type ErrorCode } from './catalogue.js';

/**
 * The base error of metre: a catalogue code plus a message a person can act on. `detail` is extra
 * context safe to show (never credentials, SQL or stack traces).
 */
export class MetreError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly exitCode: number;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? catalogue[code].message, options);
    this.name = 'MetreError';
    this.code = code;
    this.status = catalogue[code].status;
    this.exitCode = catalogue[code].exit;
  }
}

/** True when `error` is a MetreError, optionally with the given code. */
export function isMetreError(error: unknown, code?: ErrorCode): error is MetreError {
  return error instanceof MetreError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a MetreError, keeping MetreErrors as they are. */
export function toMetreError(error: unknown, fallback: ErrorCode = 'METRE_INTERNAL'): MetreError {
  if (error instanceof MetreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new MetreError(fallback, message, { cause: error });
}
