import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { catalogue, MetreError, toMetreError, type ErrorCode } from '../errors/index.js';
import type { ApiEnv } from './env.js';
import { completeHeaders } from './headers.js';

/** The content type of every error answer (RFC 9457). */
export const PROBLEM_TYPE = 'application/problem+json';

/** A field and what is wrong with it, for validation failures. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Extra members a problem may carry. */
export interface ProblemExtras {
  readonly errors?: readonly FieldError[];
  readonly checks?: Readonly<Record<string, string>>;
}

/** Removes `user:password@` from URLs, encoded or not, and caps the length. */
export function redact(text: string, max = 500): string {
  const clean = text.replace(/(:\/\/|%3A%2F%2F|:%2F%2F)[^/@\s]*@/gi, '$1');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * What a person may see of an error: the message of an error they caused (4xx), redacted; for a
 * failure of metre itself (5xx) only the catalogue's wording, so no SQL, path or stack leaks.
 */
export function publicDetail(error: MetreError): string {
  return error.status >= 500 ? catalogue[error.code].message : redact(error.message);
}

/** An error answer: problem+json with the METRE_* code, the status and the request id. */
export function problem(
  c: Context<ApiEnv>,
  error: MetreError,
  extras: ProblemExtras = {},
  headers: Record<string, string> = {},
): Response {
  const body = {
    type: `urn:metre:error:${error.code}`,
    title: catalogue[error.code].message,
    status: error.status,
    detail: publicDetail(error),
    code: error.code,
    requestId: c.get('requestId') ?? '',
    ...extras,
  };
  c.set('errorCode', error.code);
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: completeHeaders(c, { 'content-type': PROBLEM_TYPE, ...headers }),
  });
}

/** A coded error with extra problem members (e.g. readiness checks): thrown, rendered by onError. */
export class ProblemWithExtras extends Error {
  constructor(
    readonly error: MetreError,
    readonly extras: ProblemExtras,
  ) {
    super(error.message);
  }
}

const HTTP_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'METRE_REQUEST_INVALID',
  401: 'METRE_UNAUTHORIZED',
  404: 'METRE_NOT_FOUND',
  413: 'METRE_BODY_TOO_LARGE',
  415: 'METRE_UNSUPPORTED_MEDIA_TYPE',
  429: 'METRE_RATE_LIMITED',
};

/** Anything thrown in a handler, as a coded error (Hono's own exceptions mapped by status). */
export function asMetreError(error: unknown): MetreError {
  if (error instanceof HTTPException) {
    const code = HTTP_CODES[error.status] ?? 'METRE_INTERNAL';
    return new MetreError(code, httpMessage(error), { cause: error });
  }
  return toMetreError(error);
}

function httpMessage(error: HTTPException): string {
  if (error.status === 400) return 'The request body is not valid JSON';
  if (error.status === 415) return 'Send the body as JSON with Content-Type: application/json';
  return catalogue[HTTP_CODES[error.status] ?? 'METRE_INTERNAL'].message;
}
