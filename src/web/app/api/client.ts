import type {
  Affiliation,
  Identity,
  Job,
  MetricDescription,
  MetricResponse,
  Problem,
  Repository,
} from './types.js';

/** An API error: the problem the server sent (`code` is a `METRE_*` code). */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string | undefined {
    return this.problem.code;
  }
}

/** Metric parameters as the query string carries them. */
export type Params = Readonly<Record<string, string | number | undefined>>;

export interface MetricOptions {
  readonly signal?: AbortSignal;
  /** Called with each state of the job while the server computes the result. */
  readonly onJob?: (job: Job) => void;
}

/** Repositories per page of the list. */
const PAGE = 500;

/** Sent on `window` when the API asks for a token. */
export const UNAUTHORIZED = 'metre:unauthorized';
const TOKEN_KEY = 'metre-token';

/** The API token the reader gave for this tab, if any. */
export const token = (): string | null =>
  typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(TOKEN_KEY);

/** Keeps the API token for this tab (an empty one forgets it). */
export function setToken(value: string): void {
  if (value === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

/** `?repo=a&repo=b&granularity=week`: empty parameters are left out. */
export function metricQuery(repos: readonly string[], params: Params = {}, extra: Params = {}) {
  const query = new URLSearchParams();
  for (const repo of repos) query.append('repo', repo);
  for (const [key, value] of Object.entries({ ...params, ...extra })) {
    if (value !== undefined && value !== '') query.append(key, String(value));
  }
  return query.toString();
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    return { ...body, status: body.status ?? response.status };
  } catch {
    return { status: response.status, title: response.statusText, detail: text || undefined };
  }
}

/**
 * A typed client of metre's REST API, relative to the page (`./api`), so the dashboard works
 * behind any path prefix.
 *
 * @example
 * const api = new Api();
 * const repos = await api.repositories();
 * const commits = await api.metric('commits', [repos[0].id]);
 */
export class Api {
  readonly #base: string;
  readonly #fetch: FetchLike;

  constructor(base = './api', fetchFn: FetchLike = (input, init) => fetch(input, init)) {
    this.#base = base.replace(/\/$/, '');
    this.#fetch = fetchFn;
  }

  /** The URL of a path of the API (for links such as CSV downloads). */
  url(path: string): string {
    return `${this.#base}${path}`;
  }

  async #request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const response = await this.#fetch(this.url(path), {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token() === null ? {} : { authorization: `Bearer ${token()}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (!response.ok) {
      const error = new ApiError(await problemOf(response));
      if (response.status === 401 && typeof window !== 'undefined') {
        window.dispatchEvent(new CustomEvent(UNAUTHORIZED, { detail: error }));
      }
      throw error;
    }
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** Every repository, page by page (the API gives at most 500 at a time). */
  async repositories(): Promise<Repository[]> {
    const all: Repository[] = [];
    for (;;) {
      const path = `/repositories?limit=${PAGE}&offset=${all.length}`;
      const { body } = await this.#request<{ items: Repository[]; total: number }>('GET', path);
      all.push(...body.items);
      if (body.items.length === 0 || all.length >= body.total) return all;
    }
  }

  async repository(id: string): Promise<Repository> {
    return (await this.#request<Repository>('GET', `/repositories/${encodeURIComponent(id)}`)).body;
  }

  /** Registers a repository and queues its first collection. */
  async addRepository(input: { url: string; name?: string; schedule?: string }) {
    const { body } = await this.#request<{ repository: Repository; job: Job }>(
      'POST',
      '/repositories',
      input,
    );
    return body;
  }

  async updateRepository(id: string, patch: { schedule?: string; name?: string }) {
    const path = `/repositories/${encodeURIComponent(id)}`;
    return (await this.#request<Repository>('PATCH', path, patch)).body;
  }

  async deleteRepository(id: string): Promise<void> {
    await this.#request('DELETE', `/repositories/${encodeURIComponent(id)}`);
  }

  /** Queues a collection now; answers the job. */
  async collect(id: string): Promise<Job> {
    const path = `/repositories/${encodeURIComponent(id)}/collect`;
    return jobOf((await this.#request<unknown>('POST', path)).body);
  }

  async job(id: string, signal?: AbortSignal): Promise<Job> {
    const path = `/jobs/${encodeURIComponent(id)}`;
    return jobOf((await this.#request<unknown>('GET', path, undefined, signal)).body);
  }

  async catalogue(): Promise<MetricDescription[]> {
    return (await this.#request<{ items: MetricDescription[] }>('GET', '/metrics')).body.items;
  }

  /** The URL of a metric's result (`format: 'csv'` for CSV). */
  metricUrl(metric: string, repos: readonly string[], params: Params = {}, extra: Params = {}) {
    return this.url(`/metrics/${encodeURIComponent(metric)}?${metricQuery(repos, params, extra)}`);
  }

  /**
   * A metric's result. When the server answers 202 (computing in the background) the job is polled
   * until it ends, then the result is asked for again, now from the cache.
   */
  async metric(
    metric: string,
    repos: readonly string[],
    params: Params = {},
    options: MetricOptions = {},
  ): Promise<MetricResponse> {
    const path = `/metrics/${encodeURIComponent(metric)}?${metricQuery(repos, params)}`;
    for (let attempt = 0; ; attempt++) {
      const { status, body } = await this.#request<unknown>('GET', path, undefined, options.signal);
      if (status !== 202) return body as MetricResponse;
      if (attempt >= 20) throw new ApiError({ status: 504, title: 'The result did not come' });
      await this.waitForJob(jobOf(body), options);
    }
  }

  /** Polls a job until it completes (resolves) or fails (rejects with its reason). */
  async waitForJob(job: Job, options: MetricOptions = {}): Promise<Job> {
    let current = job;
    for (let wait = 100; ; wait = Math.min(wait * 1.5, 1000)) {
      options.onJob?.(current);
      if (current.state === 'completed') return current;
      if (current.state === 'failed') {
        throw new ApiError({
          status: 500,
          title: 'Job failed',
          detail: current.error ?? 'the job failed',
        });
      }
      await sleep(wait, options.signal);
      current = await this.job(current.id, options.signal);
    }
  }

  async identities(): Promise<Identity[]> {
    return (await this.#request<{ items: Identity[] }>('GET', '/identities')).body.items;
  }

  /** The emails count as one person (keyed by `as`, else the first email). */
  async mergeIdentities(emails: readonly string[], as?: string): Promise<void> {
    await this.#request(
      'POST',
      '/identities/merge',
      as === undefined ? { emails } : { emails, as },
    );
  }

  /** Each email counts as its own person again. */
  async splitIdentities(emails: readonly string[]): Promise<void> {
    await this.#request('POST', '/identities/split', { emails });
  }

  async affiliations(): Promise<Affiliation[]> {
    return (await this.#request<{ items: Affiliation[] }>('GET', '/affiliations')).body.items;
  }

  /** Replaces the whole affiliation map. */
  async saveAffiliations(items: readonly Affiliation[]): Promise<void> {
    await this.#request('PUT', '/affiliations', { items });
  }
}

/** A job from a 202 body, which is the job itself or `{ job }`. */
function jobOf(body: unknown): Job {
  const value = body as { job?: Job } & Job;
  return value.job ?? value;
}

/** The client every page uses. */
export const api = new Api();
