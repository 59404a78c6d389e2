/**
 * What the distributed tests share: the services (PostgreSQL and Redis on loopback, each test in a
 * schema and key prefix of its own), metre role processes started from source, and waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, loadTestServices } from '../../src/config/index.js';
import { MetricsEngine, peopleConfig, registry } from '../../src/metrics/index.js';
import { openQueue, type Queue } from '../../src/queue/index.js';
import { removeQueueKeys } from '../../src/queue/testing/redis-keys.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../support/git.js';
import { startMetre } from '../support/metre-process.js';

export const services = loadTestServices(process.env);

/**
 * Declares the suite when PostgreSQL and Redis are configured; else one skipped test (or a failing
 * one under METRE_REQUIRE_SERVICES=1) that says what to set.
 */
export function describeWithServices(
  name: string,
  body: (urls: { postgres: string; redis: string }) => void,
): void {
  const { postgresUrl, redisUrl } = services;
  if (postgresUrl !== undefined && redisUrl !== undefined) {
    describe(name, () => body({ postgres: postgresUrl, redis: redisUrl }));
    return;
  }
  const reason =
    'set METRE_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) and ' +
    'METRE_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)';
  describe(name, () => {
    if (services.requireServices) it(`needs ${reason}`, () => expect.fail(reason));
    else it.skip(`is skipped: ${reason}`, () => undefined);
  });
}

/** A PostgreSQL store URL in a schema of its own, and how to drop it. */
export function pgSchema(serverUrl: string): { url: string; drop(): Promise<void> } {
  const schema = `metre_dist_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client(serverUrl);
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A Redis key prefix of its own, and how to delete its keys. */
export function redisPrefix(redisUrl: string): { prefix: string; remove(): Promise<void> } {
  const prefix = `metre-dist-${randomUUID().slice(0, 8)}`;
  return {
    prefix,
    remove: () => removeQueueKeys(redisUrl, prefix),
  };
}

/** One log line of a role process (pino JSON). */
export interface LogLine {
  readonly msg: string;
  readonly level: number;
  readonly pid: number;
  readonly [field: string]: unknown;
}

/** A metre role running as its own OS process, its log lines collected as they come. */
export class RoleProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[], env: Record<string, string>) {
    this.child = startMetre(args, { METRE_LOG_LEVEL: 'info', ...env });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    let carry = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      const parts = (carry + chunk.toString()).split('\n');
      carry = parts.pop() ?? '';
      for (const part of parts) {
        if (part.startsWith('{')) this.lines.push(JSON.parse(part) as LogLine);
      }
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for a log line matching `match`. */
  async waitForLog(match: (line: LogLine) => boolean, ms = 60_000): Promise<LogLine> {
    let found: LogLine | undefined;
    await until(
      () => (found = this.lines.find(match)) !== undefined,
      ms,
      () => this.stderr,
    );
    return found!;
  }

  /** SIGTERM, then the exit code and how long the exit took. */
  async stop(): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    if (this.running) this.child.kill('SIGTERM');
    const code = await this.exited;
    return { code, ms: Date.now() - started };
  }

  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Resolves when `check` holds, polling; fails after `ms` (with `detail` in the message). */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms\n${detail().slice(-4000)}`);
    await sleep(100);
  }
}

/** The environment of a role process on this test's store and queue, with short timings. */
export function roleEnv(
  storeUrl: string,
  redisUrl: string,
  prefix: string,
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    METRE_HOME: home,
    METRE_STORE: storeUrl,
    METRE_QUEUE: redisUrl,
    METRE_QUEUE_PREFIX: prefix,
    METRE_QUEUE_LOCK_MS: '3000',
    METRE_QUEUE_BACKOFF_MS: '500',
    METRE_SCHEDULER_SYNC_MS: '1000',
    METRE_SHUTDOWN_TIMEOUT_MS: '3000',
    ...extra,
  };
}

/**
 * A distributed test's own ground: a temporary folder, a PostgreSQL schema, a Redis key prefix,
 * the role environment over them (`extra` on top) and the role processes the test starts; after
 * its tests, the processes are killed and the rest removed.
 *
 * @example const { env, roles, ws } = distributedSpace('topology', urls);
 */
export function distributedSpace(
  name: string,
  urls: { postgres: string; redis: string },
  extra: Record<string, string> = {},
) {
  const ws = tempDir(`metre-${name}-`);
  const schema = pgSchema(urls.postgres);
  const keys = redisPrefix(urls.redis);
  const env = roleEnv(schema.url, urls.redis, keys.prefix, join(ws.path, 'home'), extra);
  const roles: RoleProcess[] = [];
  afterAll(async () => {
    await Promise.all(roles.map((role) => role.kill()));
    await schema.drop();
    await keys.remove();
    ws.remove();
  });
  return { ws, schema, keys, env, roles };
}

/** The test's own handles on the store and the queue the processes share. */
export async function openShared(
  storeUrl: string,
  redisUrl: string,
  prefix: string,
): Promise<{ store: Store; queue: Queue; close(): Promise<void> }> {
  const store = await openStore(storeUrl);
  const queue = await openQueue(redisUrl, { prefix });
  return {
    store,
    queue,
    close: async () => {
      await queue.close({ timeoutMs: 500 });
      await store.close();
    },
  };
}

/**
 * The metrics of the catalogue whose default request over the repository answers from the cache,
 * fresh: what the dashboard asks first. The engine uses the default people settings, as the
 * role processes do (the settings are part of the cache key).
 */
export async function cachedDefaultMetrics(store: Store, repositoryId: string): Promise<string[]> {
  const engine = new MetricsEngine({ store, people: peopleConfig(loadConfig({}).people) });
  const cached: string[] = [];
  for (const metric of registry) {
    const answer = await engine.lookup({
      metric: metric.id,
      repositories: [repositoryId],
      params: {},
    });
    if (answer?.cached === true && !answer.stale) cached.push(metric.id);
  }
  return cached;
}

/**
 * A TCP proxy in front of a server (PostgreSQL here): `cut()` closes it and every connection
 * through it, as if the server became unreachable; `restore()` listens again on the same port.
 */
export class TcpProxy {
  readonly #targetPort: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  private constructor(targetPort: number) {
    this.#targetPort = targetPort;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await proxy.restore();
    return proxy;
  }

  async restore(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: this.#targetPort });
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** A redis-server of the test's own, persisting every write (AOF), so a restart loses nothing. */
export class OwnRedis {
  readonly port: number;
  readonly #dir: string;
  #child: ChildProcess | undefined;

  constructor(dir: string) {
    this.#dir = dir;
    this.port = 20_000 + Math.floor(Math.random() * 30_000);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir];
    const persistence = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
    this.#child = spawn('redis-server', [...args, ...persistence], { stdio: 'ignore' });
    await until(() => this.#answers(), 10_000);
  }

  /** Stops it the way an operator would (SIGTERM: it flushes and exits). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async #answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: this.port }, () => {
        socket.write('PING\r\n');
      });
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
  }
}
