import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildApi, type Api, type ApiDeps } from '../../src/api/index.js';
import { collect } from '../../src/collect/index.js';
import { loadConfig, type ApiSettings } from '../../src/config/index.js';
import { DEFAULT_BOT_PATTERNS, MetricsEngine } from '../../src/metrics/index.js';
import { openQueue, type Queue } from '../../src/queue/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { silentLogger, startWorker } from '../../src/worker/index.js';
import { tempDir } from '../support/git.js';
import { buildScriptedRepo } from '../support/repos.js';

/** An API over a real DuckDB store and in-process queue, with real git repositories on disk. */
export interface ApiFixture {
  readonly app: Api;
  readonly store: Store;
  readonly queue: Queue;
  readonly engine: MetricsEngine;
  /** A temporary folder (removed by close). */
  readonly dir: string;
  /** A generated repository: a local path, collected when `collected` was asked. */
  readonly repoDir: string;
  /** Every log line the API wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw log text (to look for secrets). */
  logText(): string;
  /** Moves the API's clock (rate limits, memo). */
  advance(ms: number): void;
  /** Another API over the same store, queue and engine, with some dependencies changed. */
  appWith(changes: Partial<Omit<ApiDeps, 'config'>> & { api?: Partial<ApiSettings> }): Api;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly api?: Partial<ApiSettings>;
  readonly allowLocal?: boolean;
  readonly computeWaitMs?: number;
  /** Collect the generated repository under the name `scripted` before the API starts. */
  readonly collected?: boolean;
  /** Register job handlers (collect and compute) on the queue, as `metre serve` does. */
  readonly handlers?: boolean;
  readonly webDir?: string;
}

export const API_DEFAULTS: ApiSettings = {
  host: '127.0.0.1',
  port: 0,
  token: undefined,
  readToken: undefined,
  bodyLimitBytes: 1024 * 1024,
  rateLimitPerMinute: 0,
  corsOrigins: [],
  trustProxy: false,
  webDir: undefined,
  revalidateMs: 1000,
};

/**
 * Builds the fixture: a scripted repository (merges, renames, odd names…), a DuckDB store file,
 * the in-process queue with handlers that collect and compute for real, and the API over them.
 */
export async function apiFixture(options: FixtureOptions = {}): Promise<ApiFixture> {
  const tmp = tempDir('metre-api-');
  const repoDir = join(tmp.path, 'repo');
  buildScriptedRepo(repoDir);
  const config = loadConfig({ HOME: tmp.path, PATH: process.env.PATH }, { home: tmp.path });
  const store = await openStore(`duckdb:${join(tmp.path, 'metre.duckdb')}`);
  const queue = await openQueue('in-process');
  const engine = new MetricsEngine({
    store,
    people: { botPatterns: DEFAULT_BOT_PATTERNS, affiliations: [] },
  });
  const collectDeps = {
    store,
    git: config.git,
    collect: { ...config.collect, allowLocal: true },
    cwd: tmp.path,
  };
  if (options.collected === true) {
    await collect({ location: repoDir, name: 'scripted' }, collectDeps);
  }
  if (options.handlers !== false) {
    // The workers' own handlers, in this process, as `metre serve` runs them.
    const deps = { ...collectDeps, queue, engine, log: silentLogger };
    startWorker(deps, { queues: ['collect', 'metrics'], concurrency: 1 });
  }
  let offset = 0;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const webDir = options.webDir ?? join(tmp.path, 'no-web');
  if (options.webDir !== undefined && !existsSync(webDir)) mkdirSync(webDir, { recursive: true });
  const deps: ApiDeps = {
    config: { ...API_DEFAULTS, ...options.api },
    allowLocal: options.allowLocal ?? true,
    computeWaitMs: options.computeWaitMs ?? 2000,
    store,
    queue,
    engine,
    logger: pino({ level: 'info' }, sink),
    webDir,
    cwd: tmp.path,
    version: '0.0.0-test',
    now: () => Date.now() + offset,
  };
  const app = buildApi(deps);
  return {
    app,
    store,
    queue,
    engine,
    dir: tmp.path,
    repoDir,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    advance(ms) {
      offset += ms;
    },
    appWith({ api, ...changes }) {
      return buildApi({ ...deps, ...changes, config: { ...deps.config, ...api } });
    },
    async close() {
      await queue.close({ timeoutMs: 5000 });
      await engine.idle();
      await store.close();
      tmp.remove();
    },
  };
}

/** A JSON request through the app, in-process. */
export function send(
  app: Api,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  return Promise.resolve(app.request(path, init));
}

/** Polls a job until it has finished (or fails the test after `timeoutMs`). */
export async function waitForJob(app: Api, id: string, timeoutMs = 30_000): Promise<unknown> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const res = await app.request(`/api/jobs/${encodeURIComponent(id)}`);
    const job = (await res.json()) as { state: string };
    if (job.state === 'completed' || job.state === 'failed') return job;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`job ${id} did not finish in ${timeoutMs} ms`);
}
