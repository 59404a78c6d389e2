import type { IncomingMessage, ServerResponse } from 'node:http';
import { incomingHeader } from './headers.js';
import type { ApiMetrics } from './prometheus.js';
import { requestId, type RequestLine } from './request-log.js';
import { resultAnswer, type ResultMemo } from './result-memo.js';

/**
 * Answers a node request itself (true), or leaves it untouched, nothing done, to the app (false).
 */
export type NodeFront = (incoming: IncomingMessage, outgoing: ServerResponse) => boolean;

/** The route template Hono reports for `GET /api/metrics/{metricId}`: the latency's label. */
const ROUTE = '/api/metrics/:metricId';
/**
 * `/api/metrics/{metricId}?{query}` as this front takes it: a metric id with nothing to decode
 * and no dot segment (the app's router sees it as it is), and a query string that the node
 * adapter hands to the app exactly as it came, whatever the Host: its own test of a plain URL,
 * less `#` (which ends the query) and `'` (which URL parsing escapes). The app's memo then sees
 * the same spelling as this front.
 */
const PLAIN_TARGET = /^\/api\/metrics\/[A-Za-z0-9_-]{1,100}(?:\?[!$&(-;=?-[\]_a-z~]*)?$/;
/** A dot segment anywhere in the target (the adapter's own test): it then parses the whole URL. */
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;
/** Hosts the node adapter takes without parsing them (its own test): it refuses none of them. */
const ADAPTER_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;
/** A dotted-quad address with any port: the adapter parses it and finds it unchanged. */
const QUAD_HOST =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?::(\d{1,5}))?$/;

/** Whether the adapter builds the request's URL from this Host without refusing it (400). */
function plainHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  if (ADAPTER_HOST.test(host)) return true;
  const quad = QUAD_HOST.exec(host);
  return quad !== null && Number(quad[1] ?? 0) <= 65_535;
}

/** Where the metric id of a plain target starts. */
const METRIC_AT = '/api/metrics/'.length;

/**
 * What this front may answer: `GET` of a plain target (see above) with a plain Host, as its path
 * (without the query string) and its metric spelling (what `spelledAs` makes of it: the target
 * less `/api/metrics/`, ending in `?` when it has no query string); undefined for anything else.
 * Slices of the target, no string built: the memo looks the spelling up as it is.
 */
function plainRequest(incoming: IncomingMessage): { path: string; raw: string } | undefined {
  if (incoming.method !== 'GET') return undefined;
  const url = incoming.url ?? '';
  if (!PLAIN_TARGET.test(url) || (url.includes('/.') && DOT_SEGMENT.test(url))) return undefined;
  if (!plainHost(incoming.headers.host)) return undefined;
  const query = url.indexOf('?');
  return query < 0
    ? { path: url, raw: `${url.slice(METRIC_AT)}?` }
    : { path: url.slice(0, query), raw: url.slice(METRIC_AT) };
}

/**
 * The cheapest path of the hottest request: a metric answer the memo holds, asked for again
 * spelled exactly alike (`GET /api/metrics/commits?repo=…`). At thousands of requests a second,
 * the fetch Request, Hono context, middleware chain and promises the app builds for it cost more
 * than everything the answer needs; this answers it from the node request, before the adapter,
 * with the app's own steps (the same functions): request id, rate limit, bearer token, cache
 * counter, ETag/304, CSV negotiation, the same headers, the log line and the latency.
 *
 * Whatever it does not answer (another request, an odd spelling, an odd Host, a refusal, a
 * failure, CORS configured) it leaves to the app before any side effect, so the app answers as
 * if it did not exist: the token check has none, and the rate limit spends nothing when it
 * refuses. test/api/cached-front.test.ts holds it to that.
 *
 * @example createServer((req, res) => front(req, res) || appListener(req, res));
 */
export function cachedMetricFront(deps: {
  readonly memo: ResultMemo;
  readonly metrics: ApiMetrics;
  /** Where the request's line goes: the app's own. */
  readonly line: RequestLine;
  /** The rate limit of a node request (see `tokenBuckets`): undefined to go on, else seconds to wait. */
  readonly rateLimit: (incoming: IncomingMessage) => number | undefined;
  readonly tokenAllows: (method: string, authorization: string | undefined) => boolean;
  /** CORS headers depend on the request's origin: with CORS on, the app answers everything. */
  readonly cors: boolean;
}): NodeFront {
  const { memo, metrics, line, rateLimit, tokenAllows } = deps;
  if (deps.cors) return () => false;

  /** The answer to give, or undefined to leave the request to the app. */
  const answerTo = (incoming: IncomingMessage) => {
    const plain = plainRequest(incoming);
    if (plain === undefined) return undefined;
    const rendered = memo.recall(plain.raw, incomingHeader(incoming, 'accept'));
    if (rendered === undefined) return undefined;
    if (!tokenAllows('GET', incomingHeader(incoming, 'authorization'))) return undefined;
    // Last, as it spends a token: the app checks the rate limit first, but neither check
    // changes the other's outcome, and a refusal is left to the app, which refuses likewise.
    if (rateLimit(incoming) !== undefined) return undefined;
    const id = requestId(incomingHeader(incoming, 'x-request-id'));
    metrics.cache('hit');
    const answer = resultAnswer(rendered, id, incomingHeader(incoming, 'if-none-match'));
    return { id, path: plain.path, answer };
  };

  return (incoming, outgoing) => {
    const started = performance.now();
    let found: ReturnType<typeof answerTo>;
    try {
      found = answerTo(incoming);
    } catch {
      return false; // a failure (a CSV that cannot be made): the app answers it, as a failure
    }
    if (found === undefined) return false;
    const { id, path, answer } = found;
    const ms = performance.now() - started;
    const sent = outgoing.writeHead(answer.status, answer.headers);
    if (answer.body === null) sent.end();
    else sent.end(answer.body);
    // The same line and latency as the app's, its duration measured as the app measures it
    // (the answer made, not yet sent); written once the answer is on its way, so the client
    // goes on while this process logs.
    line({ id, method: 'GET', path, status: answer.status, ms });
    metrics.observe('GET', ROUTE, answer.status, ms / 1000);
    return true;
  };
}
