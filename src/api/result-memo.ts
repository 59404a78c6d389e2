import { createHash } from 'node:crypto';
import { toCsv, type MetricResponse } from '../metrics/index.js';

/** One representation of a result, serialised once. */
export interface Rendered {
  /** The bytes sent (UTF-8, encoded once). */
  readonly body: Uint8Array;
  readonly etag: string;
  readonly contentType: string;
}

/** A metric answer kept serialised, with when its data version was last checked. */
interface Entry {
  readonly response: MetricResponse;
  readonly json: Rendered;
  csv: Rendered | undefined;
  checkedAt: number;
}

/** A request's meaning: its canonical key and the format its query string asked for. */
export interface Spelling {
  readonly key: string;
  readonly format: 'json' | 'csv' | undefined;
}

/** Most answers kept; the least recently used go first. */
const MAX_ENTRIES = 1000;

const etagOf = (body: string): string => `"${createHash('sha1').update(body).digest('base64url')}"`;

/**
 * The cheap path of a cache hit: a metric answer serialised once (JSON, and CSV when asked) with
 * its ETag, served again without reading the store until `revalidateMs` has passed since its
 * data version was last checked. `clear()` drops everything at once: called when a collection
 * finishes or the API changes anything a metric reads. Stale answers are never kept.
 *
 * @example const rendered = memo.recall('commits?repo=metre', 'application/json');
 */
export class ResultMemo {
  readonly #entries = new Map<string, Entry>();
  /** Requests as spelled (metric and query string) to their canonical key and format. */
  readonly #spellings = new Map<string, Spelling>();
  readonly #revalidateMs: number;
  readonly #now: () => number;

  constructor(options: { revalidateMs: number; now: () => number }) {
    this.#revalidateMs = options.revalidateMs;
    this.#now = options.now;
  }

  /** The kept answer for a request when it was checked recently enough. */
  fresh(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    return this.#now() - entry.checkedAt < this.#revalidateMs ? entry : undefined;
  }

  /**
   * Keeps a fresh answer just read from the engine, reusing the serialised bytes when it is the
   * same result as the one kept (same data version and computation), so its ETag holds.
   */
  keep(key: string, response: MetricResponse): Entry {
    const known = this.#entries.get(key);
    const same =
      known !== undefined &&
      known.response.dataVersion === response.dataVersion &&
      known.response.computedAt === response.computedAt &&
      known.response.stale === response.stale;
    const entry = same ? known : renderEntry(response);
    entry.checkedAt = this.#now();
    this.#entries.delete(key);
    if (!response.stale) this.#entries.set(key, entry);
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }

  /**
   * The representation to send for a request spelled exactly as an earlier one (metric and query
   * string, see `spelledAs`) when its answer is kept and fresh: CSV or JSON as `wantsCsv` says.
   */
  recall(raw: string, accept: string | undefined): Rendered | undefined {
    const known = this.#spellings.get(raw);
    const kept = known && this.fresh(known.key);
    if (known === undefined || kept === undefined) return undefined;
    return wantsCsv(known.format, accept) ? this.csv(kept) : kept.json;
  }

  /** Remembers what a spelling means, so the next request spelled alike skips parsing. */
  learn(raw: string, spelling: Spelling): void {
    this.#spellings.set(raw, spelling);
    if (this.#spellings.size > MAX_ENTRIES) {
      this.#spellings.delete(this.#spellings.keys().next().value!);
    }
  }

  /** The CSV representation of an entry, made once. */
  csv(entry: Entry): Rendered {
    entry.csv ??= rendered(toCsv(entry.response.result), 'text/csv; charset=utf-8');
    return entry.csv;
  }

  clear(): void {
    this.#entries.clear();
  }
}

function rendered(body: string, contentType: string): Rendered {
  return { body: Buffer.from(body, 'utf8'), etag: etagOf(body), contentType };
}

function renderEntry(response: MetricResponse): Entry {
  return {
    response,
    json: rendered(JSON.stringify(response), 'application/json; charset=utf-8'),
    csv: undefined,
    checkedAt: 0,
  };
}

/**
 * A metric request as spelled: the metric id and the query string exactly as the URL has it (the
 * memo's first key, known before anything is parsed).
 */
export function spelledAs(metricId: string, url: string): string {
  const start = url.indexOf('?');
  return `${metricId}?${start < 0 ? '' : url.slice(start + 1)}`;
}

/** JSON unless CSV is asked for: `format` wins, else the first of the two the Accept header names. */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const text = (accept ?? '').toLowerCase();
  const csv = text.indexOf('text/csv');
  const json = text.indexOf('application/json');
  return csv >= 0 && (json < 0 || csv < json);
}

/** A result's answer: its bytes with their ETag, or 304 when the client has them. */
export interface ResultAnswer {
  readonly status: 200 | 304;
  /** Every header of the answer (node adds only Date and those of the connection). */
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | null;
}

/** The answer for a representation, built in one go (headers as one plain object). */
export function resultAnswer(
  rendered: Rendered,
  requestId: string,
  ifNoneMatch: string | undefined,
): ResultAnswer {
  if (etagMatches(ifNoneMatch, rendered.etag)) {
    const headers = {
      'cache-control': 'no-cache',
      vary: 'Accept, Authorization',
      'x-content-type-options': 'nosniff',
      'x-request-id': requestId,
      etag: rendered.etag,
    };
    return { status: 304, headers, body: null };
  }
  const headers = {
    'content-type': rendered.contentType,
    'content-length': String(rendered.body.byteLength),
    etag: rendered.etag,
    'cache-control': 'no-cache',
    vary: 'Accept, Authorization',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
  };
  return { status: 200, headers, body: rendered.body };
}

/** Whether an If-None-Match header names this ETag (or `*`); weak comparison, as for GET. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
