import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { ApiEnv } from './env.js';

/** The web dashboard's policy: its own scripts, styles and data only; nothing inline. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " +
  "frame-ancestors 'none'; form-action 'self'";

/** Headers of every page (the dashboard, the documentation): what a browser renders. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * An answer's complete headers as one plain object (no sniffing, the request id, the given
 * ones), marking the request so nothing adds them again: the node adapter then writes them as
 * they are, without building a Headers object (the cheap path of a cache hit).
 */
export function completeHeaders(
  c: Context<ApiEnv>,
  headers: Record<string, string>,
): Record<string, string> {
  c.set('headersComplete', true);
  return { 'x-content-type-options': 'nosniff', 'x-request-id': c.get('requestId'), ...headers };
}

const NOT_PAGES = new Set(['/healthz', '/readyz', '/metrics']);

/** Whether a path serves something a browser renders: the dashboard or the documentation. */
function isPage(path: string): boolean {
  return path.startsWith('/api/') ? path.startsWith('/api/docs') : !NOT_PAGES.has(path);
}

/**
 * Adds no-sniffing and the request id to an answer built without them, and to pages (the
 * dashboard's files, the documentation) the strict Content-Security-Policy and its companions.
 */
export function addMissingHeaders(c: Context<ApiEnv>): void {
  if (c.get('headersComplete') === true) return;
  const headers = c.res.headers;
  headers.set('x-content-type-options', 'nosniff');
  headers.set('x-request-id', c.get('requestId'));
  if (!isPage(c.req.path)) return;
  for (const [name, value] of Object.entries(PAGE_HEADERS)) headers.set(name, value);
}

/**
 * A request header (name in lower case). Read from the node request when there is one: asking
 * Hono's request for a header builds a Headers object of them all, which a cache hit can skip.
 */
export function header(c: Context<ApiEnv>, name: string): string | undefined {
  const incoming = c.env?.incoming;
  return incoming === undefined ? c.req.header(name) : incomingHeader(incoming, name);
}

/** A node request's header (name in lower case), repeated values joined as Headers joins them. */
export function incomingHeader(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
