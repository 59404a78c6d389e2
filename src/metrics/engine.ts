import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MetreError, isMetreError } from '../errors/index.js';
import type { Repository, Store, StoredResult } from '../store/index.js';
import {
  resultKind,
  type AnyMetric,
  type MetricContext,
  type MetricResult,
  type ResultKind,
} from './metric.js';
import { withStoredAffiliations, type PeopleConfig } from './people.js';
import { registry } from './registry.js';

/** A metric over one repository or a group, with raw parameters (strings are fine). */
export interface MetricRequest {
  readonly metric: string;
  /** Repository ids or names; several make a group. */
  readonly repositories: readonly string[];
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

/** The answer, the same in the CLI's JSON and the API. */
export interface MetricResponse {
  readonly metric: string;
  readonly version: number;
  readonly definition: string;
  /** The normalised parameters: defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The repositories' names. */
  readonly repositories: readonly string[];
  readonly dataVersion: string;
  readonly computedAt: string;
  /** Answered from the results cache. */
  readonly cached: boolean;
  /** Computed from older data than the store now holds (a fresh result is on its way). */
  readonly stale: boolean;
  readonly result: MetricResult;
}

/** What the catalogue says of a metric. */
export interface MetricDescription {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly definition: string;
  /** The shape of its result; with a granularity, `kindWithGranularity` when given. */
  readonly kind: ResultKind;
  /** The shape with a `granularity`, for a metric whose one value then becomes a series. */
  readonly kindWithGranularity?: ResultKind;
  /** The parameters as JSON Schema, with their defaults and choices. */
  readonly params: Record<string, unknown>;
}

export interface MetricsEngineDeps {
  readonly store: Store;
  readonly people: PeopleConfig;
  /** The catalogue; the registry's by default. */
  readonly metrics?: readonly AnyMetric[] | undefined;
}

export interface GetOptions {
  /**
   * Answer from a stale cache entry at once (flagged `stale`) and refresh it in the background,
   * instead of computing before answering.
   */
  readonly allowStale?: boolean | undefined;
  /**
   * With `allowStale`, whether this engine refreshes a stale entry itself (the default). An API
   * node says no and hands the refresh to the workers as a job instead.
   */
  readonly refreshStale?: boolean | undefined;
}

/** A request checked and resolved: what the cache key is made of. */
interface Resolved {
  readonly metric: AnyMetric;
  readonly params: Record<string, unknown>;
  readonly repositories: readonly Repository[];
  readonly key: string;
  /** The data version read before the cache was looked at, so before any computing starts. */
  readonly dataVersion: string;
}

/**
 * Computes metrics by pushing their SQL down to the store, through the results cache: a result is
 * served from the cache while the data it was computed from is unchanged.
 *
 * People settings: the configuration's, with the store's affiliation map merged in at each
 * computation (`withStoredAffiliations`: the store's entries replace the configuration's for the
 * same email). Replacing the store's map bumps the identities' version, part of every data
 * version, so results computed with the old map go stale.
 *
 * @example
 * const engine = new MetricsEngine({ store, people: config.people });
 * const answer = await engine.get({ metric: 'commits', repositories: ['metre'], params: { granularity: 'week' } });
 */
export class MetricsEngine {
  readonly #store: Store;
  readonly #people: PeopleConfig;
  readonly #metrics: ReadonlyMap<string, AnyMetric>;
  readonly #peopleHash: string;
  readonly #inflight = new Map<string, Promise<MetricResponse>>();
  /** Repositories by the id or name requests used for them. */
  readonly #known = new Map<string, Repository>();
  /** Results recently read or computed, by key: a hit needs no read of the cache table. */
  readonly #recent = new Map<string, StoredResult>();

  constructor(deps: MetricsEngineDeps) {
    this.#store = deps.store;
    this.#people = deps.people;
    this.#metrics = new Map((deps.metrics ?? registry).map((m) => [m.id, m]));
    this.#peopleHash = hash(JSON.stringify(deps.people));
  }

  /** The catalogue, in registry order. */
  describe(): MetricDescription[] {
    return describeCatalogue([...this.#metrics.values()]);
  }

  /** A metric by id; an unknown id fails with the list of valid ones. */
  find(id: string): AnyMetric {
    const metric = this.#metrics.get(id);
    if (metric !== undefined) return metric;
    throw new MetreError(
      'METRE_METRIC_UNKNOWN',
      `Unknown metric "${id}"; valid metrics: ${[...this.#metrics.keys()].join(', ')}`,
    );
  }

  /** A metric's result: from the cache when fresh, else computed now and cached. */
  async get(request: MetricRequest, options: GetOptions = {}): Promise<MetricResponse> {
    const resolved = await this.#resolve(request);
    return (await this.#cached(resolved, options)) ?? this.#compute(resolved);
  }

  /**
   * The cached answer, without ever computing: fresh, or stale (with `allowStale`, which also
   * starts a background refresh), else undefined. The request is checked like `get` checks it, so
   * an unknown metric, parameter or repository fails here too.
   */
  async lookup(
    request: MetricRequest,
    options: GetOptions = {},
  ): Promise<MetricResponse | undefined> {
    return this.#cached(await this.#resolve(request), options);
  }

  async #resolve(request: MetricRequest): Promise<Resolved> {
    const metric = this.find(request.metric);
    const params = parseParams(metric, request.params ?? {});
    const { repositories, dataVersion } = await this.#scope(request.repositories);
    const ids = repositories.map((r) => r.id);
    const key = hash(JSON.stringify([metric.id, metric.version, ids, params, this.#peopleHash]));
    return { metric, params, repositories, key, dataVersion };
  }

  async #cached(resolved: Resolved, options: GetOptions): Promise<MetricResponse | undefined> {
    const { key, dataVersion } = resolved;
    // Memory first; the cache table when memory has nothing fresh (another process may have).
    let stored = this.#recent.get(key);
    if (stored?.dataVersion !== dataVersion) stored = (await this.#store.readResult(key)) ?? stored;
    if (stored === undefined) return undefined;
    this.#remember(stored);
    if (stored.dataVersion === dataVersion) {
      return toResponse(resolved, stored, { cached: true, stale: false });
    }
    if (options.allowStale !== true) return undefined;
    // Its failure shows on the next request.
    if (options.refreshStale !== false) this.#compute(resolved).catch(() => undefined);
    return toResponse(resolved, stored, { cached: true, stale: true });
  }

  /** Resolves once every computation under way has finished. */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) {
      await Promise.allSettled([...this.#inflight.values()]);
    }
  }

  /** Computes a result and caches it; concurrent requests for the same key share one run. */
  #compute(resolved: Resolved): Promise<MetricResponse> {
    const running = this.#inflight.get(resolved.key);
    if (running !== undefined) return running;
    const run = this.#run(resolved).finally(() => this.#inflight.delete(resolved.key));
    this.#inflight.set(resolved.key, run);
    return run;
  }

  async #run(resolved: Resolved): Promise<MetricResponse> {
    // The data version was read before computing: data landing meanwhile leaves the result stale.
    const { metric, params, repositories, dataVersion } = resolved;
    const started = performance.now();
    const repoIds = repositories.map((r) => r.id);
    // Read after the data version: a map replaced meanwhile bumped it, leaving this result stale.
    const people = withStoredAffiliations(this.#people, await this.#store.readAffiliations());
    const context: MetricContext = { repoIds, sql: this.#store.sql, people };
    const queries = metric.compile(params, context);
    const rows = [];
    for (const query of queries) rows.push(await this.#store.query(query));
    const result = metric.shape(rows, params, context);
    const declared = resultKind(metric, params);
    if (result.kind !== declared) {
      throw new MetreError(
        'METRE_INTERNAL',
        `Metric ${metric.id} declares a ${declared} result for these parameters but gave a ${result.kind}`,
      );
    }
    const stored: StoredResult = {
      key: resolved.key,
      metric: metric.id,
      version: metric.version,
      repositories: repoIds,
      params: JSON.stringify(params),
      dataVersion,
      computedAt: new Date(),
      durationMs: performance.now() - started,
      result: JSON.stringify(result),
    };
    await this.#store.writeResult(stored);
    this.#remember(stored);
    return toResponse(resolved, stored, { cached: false, stale: false });
  }

  /**
   * The repositories a request names and their data version. Names resolved once are remembered,
   * so a cache hit costs one store statement (the data version); a remembered repository that
   * has gone is looked up again.
   */
  async #scope(idsOrNames: readonly string[]): Promise<{
    repositories: Repository[];
    dataVersion: string;
  }> {
    if (idsOrNames.length === 0) {
      throw new MetreError('METRE_PARAM_INVALID', 'A metric needs at least one repository');
    }
    const known = idsOrNames.map((idOrName) => this.#known.get(idOrName));
    if (known.every((r): r is Repository => r !== undefined)) {
      const repositories = uniqueSorted(known);
      try {
        return { repositories, dataVersion: await this.#dataVersion(repositories) };
      } catch (error) {
        if (!isMetreError(error) || error.code !== 'METRE_REPO_NOT_FOUND') throw error;
        this.#known.clear();
      }
    }
    const repositories = uniqueSorted(await Promise.all(idsOrNames.map((n) => this.#find(n))));
    return { repositories, dataVersion: await this.#dataVersion(repositories) };
  }

  async #find(idOrName: string): Promise<Repository> {
    const repository = await this.#store.findRepository(idOrName);
    if (repository === undefined) {
      throw new MetreError('METRE_REPO_NOT_FOUND', `No repository named "${idOrName}"`);
    }
    this.#known.set(idOrName, repository);
    return repository;
  }

  #dataVersion(repositories: readonly Repository[]): Promise<string> {
    return this.#store.dataVersion(repositories.map((r) => r.id));
  }

  /** Keeps a result in memory, the most recent last, dropping the oldest beyond the limit. */
  #remember(result: StoredResult): void {
    this.#recent.delete(result.key);
    this.#recent.set(result.key, result);
    if (this.#recent.size > RECENT_RESULTS) {
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
  }
}

/** How many results an engine keeps in memory (each is still checked against the data version). */
const RECENT_RESULTS = 256;

function uniqueSorted(repositories: readonly Repository[]): Repository[] {
  const byId = new Map(repositories.map((r) => [r.id, r]));
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Validates parameters; the parsed object, keys sorted, is the normalised form. */
export function parseParams(metric: AnyMetric, raw: Readonly<Record<string, unknown>>) {
  const parsed = metric.params.safeParse(raw);
  if (!parsed.success) throw paramError(metric, parsed.error);
  const value = parsed.data as Record<string, unknown>;
  const sorted = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return Object.fromEntries(sorted.map((k) => [k, value[k]]));
}

/** One line naming the parameter, what is wrong, and the valid choices. */
function paramError(metric: AnyMetric, error: z.ZodError): MetreError {
  const issue = error.issues[0];
  const names = Object.keys(paramShape(metric));
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    const valid = names.length > 0 ? names.join(', ') : 'none';
    return new MetreError(
      'METRE_PARAM_INVALID',
      `Unknown parameter ${keys} for metric ${metric.id}; valid parameters: ${valid}`,
    );
  }
  const where = issue?.path.length ? `"${issue.path.join('.')}"` : '';
  return new MetreError(
    'METRE_PARAM_INVALID',
    `Invalid parameter ${where} for metric ${metric.id}: ${issue?.message ?? 'invalid'}`,
  );
}

function paramShape(metric: AnyMetric): Record<string, unknown> {
  const schema = z.toJSONSchema(metric.params, { io: 'input', unrepresentable: 'any' });
  return (schema.properties as Record<string, unknown> | undefined) ?? {};
}

/**
 * What the catalogue says of each metric; needs no store.
 *
 * @example for (const m of describeCatalogue()) console.log(m.id, m.definition);
 */
export function describeCatalogue(metrics: readonly AnyMetric[] = registry): MetricDescription[] {
  return metrics.map(describeMetric);
}

function describeMetric(metric: AnyMetric): MetricDescription {
  return {
    id: metric.id,
    version: metric.version,
    title: metric.title,
    definition: metric.definition,
    kind: metric.kind,
    ...(metric.kindWithGranularity === undefined
      ? {}
      : { kindWithGranularity: metric.kindWithGranularity }),
    params: z.toJSONSchema(metric.params, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >,
  };
}

/** Each stored result's JSON, parsed once: a hit from memory parses nothing. */
const parsed = new WeakMap<StoredResult, MetricResult>();

function parsedResult(stored: StoredResult): MetricResult {
  let result = parsed.get(stored);
  if (result === undefined) {
    result = JSON.parse(stored.result) as MetricResult;
    parsed.set(stored, result);
  }
  return result;
}

function toResponse(
  resolved: Resolved,
  stored: StoredResult,
  flags: { cached: boolean; stale: boolean },
): MetricResponse {
  return {
    metric: resolved.metric.id,
    version: resolved.metric.version,
    definition: resolved.metric.definition,
    params: resolved.params,
    repositories: resolved.repositories.map((r) => r.name),
    dataVersion: stored.dataVersion,
    computedAt: stored.computedAt.toISOString(),
    ...flags,
    result: parsedResult(stored),
  };
}

const hash = (text: string): string => createHash('sha256').update(text).digest('hex');
