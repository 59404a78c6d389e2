import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { RoleRunners } from '../cli/index.js';
import { defaultName, parseSource } from '../collect/index.js';
import type { Config } from '../config/index.js';
import { isMetreError } from '../errors/index.js';
import { MetricsEngine, peopleConfig } from '../metrics/index.js';
import { backoffDelay, errorText, openQueue, type Queue } from '../queue/index.js';
import { startScheduler } from '../schedule/index.js';
import { maskStoreUrl, openStore, type Store } from '../store/index.js';
import { startWorker, type Logger } from '../worker/index.js';

/** What one long-running role process holds. */
export interface Services {
  readonly config: Config;
  readonly store: Store;
  readonly queue: Queue;
  readonly engine: MetricsEngine;
  readonly log: Logger;
  readonly cwd: string;
}

/** The HTTP side of `metre serve`, when there is one: where it listens, and how it stops. */
export interface HttpRole {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the HTTP API and dashboard of `metre serve` over its services (issue 6 plugs in here:
 * build the API with `buildApi`, listen, return the URL), or resolves null for none.
 */
export type StartHttp = (services: Services) => Promise<HttpRole | null>;

/** What the process gives the roles: where to log, and the signal that asks them to stop. */
export interface RoleProcess {
  readonly cwd: string;
  readonly stderr: NodeJS.WritableStream;
  /** The repository metre lives in: what `metre serve` collects in an empty store. */
  readonly ownRepository: string;
  readonly startHttp: StartHttp;
}

/** How long the process may take to exit after its shutdown finished (stray sockets, timers). */
const EXIT_GRACE_MS = 1_000;
/** The longest wait between two attempts to reach the store at start. */
const MAX_STORE_WAIT_MS = 10_000;

/**
 * The long-running roles, each in this process: they start on the configuration, run until
 * SIGTERM or SIGINT, then stop taking jobs, finish or release the running ones within the
 * shutdown timeout, close their connections and resolve (the process exits 0). A second signal,
 * or a shutdown that overruns its bound, exits at once.
 *
 * @example const roles = createRoleRunners({ cwd, stderr, ownRepository, startHttp: noHttp });
 */
export function createRoleRunners(io: RoleProcess): RoleRunners {
  return {
    serve: (config) => runRole(config, io, 'serve', (s, l) => serve(s, l, io)),
    worker: (config) => runRole(config, io, 'worker', (s) => worker(s)),
    scheduler: (config) => runRole(config, io, 'scheduler', (s) => scheduler(s)),
    api: (config) => runRole(config, io, 'api', (s) => api(s, io)),
  };
}

/** `metre serve` without HTTP (until the API role plugs in). */
export const noHttp: StartHttp = async () => null;

type Role = 'serve' | 'worker' | 'scheduler' | 'api';
/** Starts a role on its services; returns how to stop it. */
type RoleBody = (services: Services, lifecycle: AbortSignal) => Promise<() => Promise<void>>;

async function runRole(config: Config, io: RoleProcess, role: Role, body: RoleBody) {
  const log = createLogger(config, role);
  const stopping = stopSignal(config, log);
  process.on('unhandledRejection', (error) => {
    // A stray failure (a dropped connection's late error) must not end a worker: log and go on.
    log.error({ error: errorText(error) }, 'unhandled failure');
  });
  const store = await openStoreRetrying(config, log, stopping);
  if (store === undefined) return exitSoon();
  const queue = await openQueue(config.queue.url, {
    prefix: config.queue.prefix,
    retry: config.queue.retry,
    lockMs: config.queue.lockMs,
    onError: (error) => log.warn({ error: error.message }, 'queue connection problem'),
  });
  const engine = new MetricsEngine({ store, people: peopleConfig(config.people) });
  const services: Services = { config, store, queue, engine, log, cwd: io.cwd };
  const stop = await body(services, stopping);
  log.info({ store: storeLabel(config), queue: queue.kind }, `${role} started`);
  await new Promise((resolve) => stopping.addEventListener('abort', resolve, { once: true }));
  log.info({ timeoutMs: config.shutdownTimeoutMs }, `${role} stopping`);
  await stop();
  await queue.close({ timeoutMs: config.shutdownTimeoutMs });
  await store
    .close()
    .catch((error: unknown) => log.warn({ error: errorText(error) }, 'store close'));
  log.info({}, `${role} stopped`);
  exitSoon();
}

async function serve(services: Services, _stopping: AbortSignal, io: RoleProcess) {
  const { config, log } = services;
  await registerDemo(services, io);
  startWorker(workerDeps(services), {
    queues: ['collect', 'metrics'],
    concurrency: config.worker.concurrency,
  });
  const scheduler = startScheduler(services, config.schedule);
  const http = await io.startHttp(services);
  if (http !== null) {
    io.stderr.write(`metre: serving ${http.url}\n`);
    log.info({ url: http.url }, 'listening');
  }
  return async () => {
    await http?.close();
    await scheduler.stop();
  };
}

/**
 * `metre api`: the API alone. The in-process queue has no other process to run what it queues,
 * so there the API's process also runs the jobs (no scheduler: that is `metre serve`).
 */
async function api(services: Services, io: RoleProcess) {
  if (services.queue.kind === 'in-process') {
    startWorker(workerDeps(services), {
      queues: ['collect', 'metrics'],
      concurrency: services.config.worker.concurrency,
    });
  }
  const http = await io.startHttp(services);
  if (http === null) return async () => undefined;
  io.stderr.write(`metre: serving ${http.url}\n`);
  services.log.info({ url: http.url }, 'listening');
  return () => http.close();
}

async function worker(services: Services) {
  startWorker(workerDeps(services), services.config.worker);
  return async () => undefined;
}

async function scheduler(services: Services) {
  const running = startScheduler(services, services.config.schedule);
  return () => running.stop();
}

function workerDeps(services: Services) {
  const { config, store, queue, engine, log, cwd } = services;
  return { store, queue, engine, log, cwd, git: config.git, collect: config.collect };
}

/**
 * Registers the demo repository of `npm start`: METRE_DEMO_REPO when set, else the repository metre
 * lives in, into a store that holds none yet. The scheduler collects it as never collected.
 */
async function registerDemo(services: Services, io: RoleProcess): Promise<void> {
  const { config, store, log } = services;
  const demo = config.demoRepo;
  if (demo === undefined) {
    const own = io.ownRepository;
    if (!existsSync(join(own, '.git')) || (await store.listRepositoryRecords()).length > 0) return;
  }
  const source = parseSource(demo ?? io.ownRepository, { allowLocal: true, cwd: io.cwd });
  const repository = await store.saveRepository({
    name: defaultName(source),
    source: source.display,
  });
  log.info(
    { repository: repository.name, source: repository.source },
    'demo repository registered',
  );
}

/** Opens the store, waiting for a server that is not up yet; undefined when stopped meanwhile. */
async function openStoreRetrying(config: Config, log: Logger, stopping: AbortSignal) {
  for (let attempt = 1; !stopping.aborted; attempt++) {
    try {
      return await openStore(config.store);
    } catch (error) {
      if (!isMetreError(error, 'METRE_STORE_UNAVAILABLE')) throw error;
      const policy = { attempts: 0, backoffMs: 500, jitter: 0.5 };
      const retryInMs = Math.min(backoffDelay(attempt, policy), MAX_STORE_WAIT_MS);
      log.warn({ error: errorText(error), retryInMs }, 'store unavailable; retrying');
      await sleep(retryInMs, undefined, { signal: stopping }).catch(() => undefined);
    }
  }
  return undefined;
}

/**
 * Aborts on the first SIGTERM or SIGINT; a second one, or a shutdown longer than its timeout plus
 * a margin, exits at once (the jobs it held go back to the queue when their locks expire).
 */
function stopSignal(config: Config, log: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(0);
    }
    log.info({ signal }, 'stop requested');
    controller.abort();
    const bound = config.shutdownTimeoutMs + 5_000;
    setTimeout(() => {
      log.error({ boundMs: bound }, 'shutdown overran its bound: exiting now');
      process.exit(0);
    }, bound).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return controller.signal;
}

/** Exits once the event loop drains, or after a short grace if a stray handle keeps it busy. */
function exitSoon(): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_GRACE_MS).unref();
}

/** JSON lines on stderr, at METRE_LOG_LEVEL. */
function createLogger(config: Config, role: Role): Logger {
  return pino({ level: config.logLevel, base: { role, pid: process.pid } }, pino.destination(2));
}

function storeLabel(config: Config): string {
  return maskStoreUrl(config.store);
}
