import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../../bench/make-repo.js';
import { runMetre } from '../../test/support/metre-process.js';
import { buildScriptedRepo } from '../../test/support/repos.js';
import { collect } from '../collect/index.js';
import { loadConfig, loadTestServices } from '../config/index.js';
import { isMetreError, type MetreError } from '../errors/index.js';
import { pgliteDialect, pgliteStore } from './dialects/pglite/index.js';
import {
  copyText,
  latestVersion,
  openPostgresStore,
  postgresDialect,
  postgresMigrations,
  unnestWriter,
  withBulk,
  type PgFamilyDialect,
} from './dialects/postgres/index.js';
import { maskStoreUrl, migrateStore, openStore, parseStoreUrl, type Store } from './index.js';
import { expectStoreMatchesGit } from './testing/collect-contract.js';
import { describeStoreContract } from './testing/contract.js';
import { makeHistory, sha } from './testing/fixtures.js';
import { countRows, readCommits, readFileChanges, readRows } from './testing/inspect.js';

const services = loadTestServices(process.env);
const dir = mkdtempSync(join(tmpdir(), 'metre-pg-store-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function errorOf(promise: Promise<unknown>): Promise<MetreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isMetreError(error)) throw new Error(`Expected a MetreError, got ${String(error)}`);
  return error;
}

const walk = (done: number) => ({ include: [sha('tip')], exclude: [], done });

// One in-memory PGlite database shared by the stores of a suite, as a file is by DuckDB's: the
// contract suite reopens its store and expects the same data. Creating one costs seconds.
let memoryDb: Promise<PGlite> | undefined;
const memory = () => (memoryDb ??= PGlite.create());
afterAll(async () => (await memoryDb)?.close());

const onMemory = async (dialect: PgFamilyDialect = pgliteDialect) =>
  pgliteStore(await memory(), { name: 'pglite:memory', owned: false, dialect });

describeStoreContract('pglite memory (COPY)', () => onMemory());
describeStoreContract('pglite memory (unnest)', () =>
  onMemory(withBulk(pgliteDialect, unnestWriter)),
);
describeStoreContract('pglite directory', () => openStore(`pglite:${join(dir, 'contract')}`));

describe('store URLs of the PostgreSQL family', () => {
  it('reads postgres://, postgresql:// with a schema, and pglite: URLs', () => {
    const url = 'postgresql://metre:s3cret@db:5432/metre?sslmode=require&schema=metre_a';
    expect(parseStoreUrl(url)).toEqual({
      dialect: 'postgres',
      url: 'postgresql://metre:s3cret@db:5432/metre?sslmode=require',
      schema: 'metre_a',
      name: 'postgresql://metre:***@db:5432/metre?sslmode=require&schema=metre_a',
    });
    expect(parseStoreUrl('postgres://db/metre')).toMatchObject({ schema: null });
    expect(parseStoreUrl('pglite:memory')).toEqual({ dialect: 'pglite', dir: null });
    expect(parseStoreUrl('PGlite:data/m')).toEqual({ dialect: 'pglite', dir: resolve('data/m') });
  });

  it.each([
    ['mysql://metre:s3cret@db/metre', /Unknown store URL scheme mysql:/],
    ['crate://metre:s3cret@db?shards=0', /shards is a number/],
    ['pglite:', /pglite:<directory>/],
    ['pglite://host/x', /pglite:<directory>/],
    ['postgres://metre:s3cret@db/metre?schema=Bad-Name', /schema name/],
    ['postgres://metre:s3cret@[db/metre', /postgres:\/\/user:password@host/],
  ])('refuses %s with one coded error, no credentials', async (url, reason) => {
    const error = await errorOf(openStore(url));
    expect(error.code).toBe('METRE_STORE_URL_INVALID');
    expect(error.message).toMatch(reason);
    expect(error.message).not.toContain('s3cret');
  });

  it('lists every valid scheme for an unknown one', async () => {
    const { message } = await errorOf(openStore('redis://h/0'));
    for (const scheme of [
      'duckdb:',
      'duckdb::memory:',
      'postgres://',
      'postgresql://',
      'pglite:',
    ]) {
      expect(message).toContain(scheme);
    }
  });

  it('masks passwords, in the authority and in parameters', () => {
    expect(maskStoreUrl('postgres://u:p%40ss@h:1/d')).toBe('postgres://u:***@h:1/d');
    expect(maskStoreUrl('postgres://h/d?user=u&password=x&a=b')).toBe(
      'postgres://h/d?user=u&password=***&a=b',
    );
    expect(maskStoreUrl('postgres://u@h/d')).toBe('postgres://u@h/d');
  });

  it('a server refusing the connection: METRE_STORE_UNAVAILABLE naming the store, masked', async () => {
    const port = await closedPort();
    const url = `postgres://metre:s3cret@127.0.0.1:${port}/metre`;
    const error = await errorOf(openStore(url));
    expect(error.code).toBe('METRE_STORE_UNAVAILABLE');
    expect(error.message).toContain(`postgres://metre:***@127.0.0.1:${port}/metre`);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toContain('s3cret');
  });

  it('the CLI: one coded line and a non-zero exit', async () => {
    const port = await closedPort();
    const url = `postgres://metre:s3cret@127.0.0.1:${port}/metre`;
    const result = runMetre(['db', 'migrate', '--store', url]);
    expect(result.code).toBe(4);
    expect(result.stderr.trim()).toMatch(
      new RegExp(`^metre: error METRE_STORE_UNAVAILABLE: The store postgres://metre:\\*\\*\\*@127`),
    );
    expect(result.stderr).not.toContain('s3cret');
  });
});

describe('PGlite store', () => {
  it('declares its capabilities; opens a new store at the latest schema version', async () => {
    const store = await openStore('pglite:memory');
    expect(store.dialect).toBe('pglite');
    expect(store.capabilities).toEqual({
      transactions: true,
      refreshAfterWrite: false,
      bulkMethod: 'copy',
      percentile: 'exact',
    });
    const rows = await readRows(store, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
    await store.close();
  });

  it('keeps a directory to one store per process', async () => {
    const path = join(dir, 'nested', 'locked');
    const first = await openStore(`pglite:${path}`);
    const error = await errorOf(openStore(`pglite:${path}`));
    expect(error.code).toBe('METRE_STORE_LOCKED');
    await first.close();
    await (await openStore(`pglite:${path}`)).close();
  });

  it('refuses a store written by a newer metre, and migrates with `metre db migrate`', async () => {
    const path = join(dir, 'newer');
    const report = await migrateStore(`pglite:${path}`);
    expect(report).toMatchObject({ store: `pglite:${path}`, version: latestVersion });
    expect(report.applied.map((step) => step.version)).toEqual(
      Array.from({ length: latestVersion }, (_, i) => i + 1),
    );
    expect(report.applied.every((step) => step.appliedAt instanceof Date)).toBe(true);
    const store = await openStore(`pglite:${path}`);
    await readRows(store, 'INSERT INTO schema_migrations (version) VALUES ($1)', [
      latestVersion + 1,
    ]);
    await store.close();
    const error = await errorOf(openStore(`pglite:${path}`));
    expect(error.code).toBe('METRE_STORE_SCHEMA_TOO_NEW');
    expect(error.message).toContain(`pglite:${path} has schema version ${latestVersion + 1}`);
  });

  it('opens read-only: reads work, writes are refused', async () => {
    const path = join(dir, 'read-only');
    const writer = await openStore(`pglite:${path}`);
    await writer.saveRepository({ name: 'r', source: '/r' });
    await writer.close();
    const reader = await openStore(`pglite:${path}`, { readOnly: true });
    expect((await reader.listRepositories()).map((r) => r.name)).toEqual(['r']);
    const error = await errorOf(reader.saveRepository({ name: 's', source: '/s' }));
    expect(error.code).toBe('METRE_STORE_FAILED');
    expect(error.message).toMatch(/read-only/);
    await reader.close();
  });

  it('writes a batch twice as once: rows are upserts on their natural keys', async () => {
    const store = await onMemory();
    const repo = await store.saveRepository({ name: `twice-${randomUUID()}`, source: '/t' });
    const history = makeHistory(3);
    await store.writeCommits(repo.id, history, walk(3));
    await store.writeCommits(repo.id, history, walk(3));
    expect(await countRows(store, 'commits', repo.id)).toBe(3);
    await store.close();
  });

  it('writes SQL fragments that mean on PGlite what they mean on DuckDB', async () => {
    const stores = [onMemory(), openStore('duckdb::memory:')];
    const results = await Promise.all(stores.map(async (store) => fragments(await store)));
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toEqual(FRAGMENT_ANSWERS);
  });

  it('escapes text for COPY', () => {
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect([copyText(null), copyText(true), copyText(false), copyText(-1.5)]).toEqual([
      '\\N',
      't',
      'f',
      '-1.5',
    ]);
  });

  describe('collecting a real repository', () => {
    const config = loadConfig(
      { METRE_HOME: join(dir, 'home'), METRE_BATCH_SIZE: '40' },
      { allowLocal: true },
    );

    it('stores exactly what git reports, as DuckDB does', async () => {
      const repo = buildScriptedRepo(join(dir, 'scripted'));
      await expectCollectedLikeDuckDB(await onMemory(), repo, config);
    });

    it('stores a few thousand generated commits exactly', async () => {
      const repo = (await makeRepo(join(dir, 'generated'), { commits: 1500, seed: 3 })).dir;
      await expectCollectedLikeDuckDB(await onMemory(), repo, config);
    });
  });
});

if (services.postgresUrl === undefined) describeMissingPostgres(services.requireServices);
else describePostgres(services.postgresUrl);

/** Without a server: a skip that names the variable, or a failure when services are required. */
function describeMissingPostgres(required: boolean): void {
  const reason = 'set METRE_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)';
  describe('PostgreSQL', () => {
    if (required) {
      it(`needs a server: ${reason} (METRE_REQUIRE_SERVICES=1)`, () => {
        expect.fail(`METRE_TEST_POSTGRES_URL is not set and METRE_REQUIRE_SERVICES=1: ${reason}`);
      });
    } else {
      it.skip(`is skipped: ${reason} to run the PostgreSQL suites`, () => undefined);
    }
  });
}

/** The PostgreSQL suites: each in its own random schema, dropped afterwards. */
function describePostgres(serverUrl: string): void {
  const schemas: string[] = [];
  const schema = (label: string) => {
    const name = `metre_test_${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    schemas.push(name);
    return name;
  };
  const urlWith = (params: Record<string, string>, edit?: (url: URL) => void) => {
    const url = new URL(serverUrl);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    edit?.(url);
    return url.toString();
  };
  afterAll(async () => {
    const client = new pg.Client(serverUrl);
    await client.connect();
    for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await client.end();
  });

  const copyUrl = urlWith({ schema: schema('copy') });
  describeStoreContract('postgres (COPY)', () => openStore(copyUrl));
  const unnestSchema = schema('unnest');
  const parsed = parseStoreUrl(urlWith({ schema: unnestSchema }));
  describeStoreContract('postgres (unnest)', () =>
    openPostgresStore(parsed as Extract<typeof parsed, { dialect: 'postgres' }>, {
      dialect: withBulk(postgresDialect, unnestWriter),
    }),
  );

  describe('PostgreSQL store', () => {
    it('declares its capabilities and works in UTC', async () => {
      const store = await openStore(urlWith({ schema: schema('caps') }));
      expect(store.dialect).toBe('postgres');
      expect(store.capabilities).toMatchObject({ transactions: true, bulkMethod: 'copy' });
      const [row] = await readRows(store, "SELECT current_setting('TimeZone') AS tz");
      expect(row?.tz).toBe('UTC');
      expect(await fragments(store)).toEqual(FRAGMENT_ANSWERS);
      await store.close();
    });

    it.each([
      ['a database that does not exist', (u: URL) => (u.pathname = '/metre_no_such_database')],
      ['a user that does not exist', (u: URL) => (u.username = 'metre_no_such_user')],
    ])('%s: METRE_STORE_UNAVAILABLE naming the store, masked', async (_, edit) => {
      const url = urlWith({}, (u) => {
        edit(u);
        u.password = 's3cret';
      });
      const error = await errorOf(openStore(url));
      expect(error.code).toBe('METRE_STORE_UNAVAILABLE');
      expect(error.message).toContain(maskStoreUrl(url));
      expect(error.message).toContain(':***@');
      expect(error.message).not.toContain('s3cret');
    });

    it('migrates a new schema once when two processes open it at the same time', async () => {
      const url = urlWith({ schema: schema('race') });
      const stores = await Promise.all([openStore(url), openStore(url), openStore(url)]);
      const rows = await readRows(stores[0]!, 'SELECT version FROM schema_migrations');
      expect(rows).toHaveLength(postgresMigrations.length);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('refuses a schema newer than the code', async () => {
      const url = urlWith({ schema: schema('newer') });
      const store = await openStore(url);
      await readRows(store, 'INSERT INTO schema_migrations (version) VALUES ($1)', [99]);
      await store.close();
      const error = await errorOf(openStore(url));
      expect(error.code).toBe('METRE_STORE_SCHEMA_TOO_NEW');
      expect(error.message).toContain('schema version 99');
    });

    it('`metre db migrate` migrates and prints the versions', () => {
      const url = urlWith({ schema: schema('cli') });
      const result = runMetre(['db', 'migrate', '--store', url]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(`schema version ${latestVersion} \\(up to date\\)\\n {2}version 1 applied `),
      );
    });

    it('a server dropping the connection mid-ingest: one coded error, a rerun completes', async () => {
      const app = `metre_kill_${randomUUID().slice(0, 8)}`;
      const url = urlWith({ schema: schema('kill'), application_name: app });
      const store = await openStore(url);
      const repo = await store.saveRepository({ name: 'killed', source: '/k' });
      const batches = Array.from({ length: 10 }, (_, i) => makeHistory(4000, i * 4000));
      const killed = terminateWhenBusy(serverUrl, app);
      let failure: unknown;
      for (const [i, batch] of batches.entries()) {
        failure = await store.writeCommits(repo.id, batch, walk((i + 1) * 4000)).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (failure !== undefined) break;
      }
      await killed;
      expect(isMetreError(failure, 'METRE_STORE_UNAVAILABLE')).toBe(true);
      expect((failure as Error).message).toContain(maskStoreUrl(url));
      // The batch under way rolled back with its marker: what is stored is what the marker says.
      const done = (await store.readProgress(repo.id)).commits.walk?.done ?? 0;
      expect(await countRows(store, 'commits', repo.id)).toBe(done);
      for (const [i, batch] of batches.entries()) {
        if ((i + 1) * 4000 > done) await store.writeCommits(repo.id, batch, walk((i + 1) * 4000));
      }
      expect(await countRows(store, 'commits', repo.id)).toBe(40_000);
      await store.close();
    });

    it('collects a real repository exactly, as DuckDB does', async () => {
      const config = loadConfig(
        { METRE_HOME: join(dir, 'pg-home'), METRE_BATCH_SIZE: '40' },
        { allowLocal: true },
      );
      const repo = buildScriptedRepo(join(dir, 'pg-scripted'));
      await expectCollectedLikeDuckDB(
        await openStore(urlWith({ schema: schema('collect') })),
        repo,
        config,
      );
    });
  });
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  await new Promise((closed) => server.close(closed));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Terminates the first busy backend of `app` (a transaction under way), from another connection. */
async function terminateWhenBusy(serverUrl: string, app: string): Promise<void> {
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    for (let tries = 0; tries < 6000; tries++) {
      const { rows } = await admin.query(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
          WHERE application_name = $1 AND state <> 'idle'`,
        [app],
      );
      if (rows.length > 0) return;
      await new Promise((wait) => setTimeout(wait, 5));
    }
    throw new Error('no busy backend to terminate');
  } finally {
    await admin.end();
  }
}

const FRAGMENT_CASES = {
  weekdays: ['2024-01-01T12:00:00Z', '2024-01-07T23:59:59Z', '2023-12-31T23:30:00Z'],
  minutes: [
    ['2024-01-01T23:30:00Z', 45],
    ['2024-01-01T00:30:00Z', -90],
  ],
  matches: [
    ['src/a.ts', 'src/[^/]*'],
    ['src/a/b.ts', 'src/[^/]*'],
    ['a.ts', '[^/]*\\.ts'],
    ['a.tsx', '[^/]*\\.ts'],
    ['A.TS', '[^/]*\\.ts'],
    ['x', '(a|x)?'],
    ['', 'a*'],
    ['a+b', 'a\\+b'],
    ['docs/x', 'src|docs/[^/]*'],
  ],
} as const;

const FRAGMENT_ANSWERS = {
  weekdays: [1, 7, 7],
  minutes: ['2024-01-02T00:15:00.000Z', '2023-12-31T23:00:00.000Z'],
  matches: [true, false, true, false, false, true, true, true, true],
};

/** Runs the fragment cases on a store, then closes it. */
async function fragments(store: Store) {
  const one = async (sql: string, params: (string | number)[]) =>
    (await store.query({ sql: `SELECT ${sql} AS v`, params }))[0]?.v;
  const ts = 'CAST($1 AS TIMESTAMPTZ)';
  const answers = {
    weekdays: [] as unknown[],
    minutes: [] as unknown[],
    matches: [] as unknown[],
  };
  for (const day of FRAGMENT_CASES.weekdays)
    answers.weekdays.push(await one(store.sql.isoWeekday(ts), [day]));
  for (const [at, minutes] of FRAGMENT_CASES.minutes) {
    const moved = await one(store.sql.addMinutes(ts, 'CAST($2 AS INTEGER)'), [at, minutes]);
    answers.minutes.push((moved as Date).toISOString());
  }
  for (const [text, regex] of FRAGMENT_CASES.matches) {
    answers.matches.push(await one(store.sql.fullMatch('CAST($1 AS TEXT)', '$2'), [text, regex]));
  }
  await store.close();
  return answers;
}

/**
 * Collects `repo` into `store` and into an in-memory DuckDB store, and expects both to hold
 * exactly git's commits, merges, default branch and per-commit paths and line sums, row for row
 * the same.
 */
async function expectCollectedLikeDuckDB(
  store: Store,
  repo: string,
  config: ReturnType<typeof loadConfig>,
): Promise<void> {
  const duckdb = await openStore('duckdb::memory:');
  const name = `collected-${randomUUID()}`;
  try {
    for (const target of [store, duckdb]) {
      await collect(
        { location: repo, name },
        { store: target, git: config.git, collect: config.collect, cwd: dir },
      );
    }
    await expectStoreMatchesGit(store, repo, name);
    const [ours, theirs] = await Promise.all(
      [store, duckdb].map(async (s) => {
        const id = (await s.findRepository(name))?.id ?? '';
        const files = await readFileChanges(s, id);
        const key = (row: (typeof files)[number]) => `${row.sha} ${row.file.path}`;
        files.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        return { commits: await readCommits(s, id), files };
      }),
    );
    expect(ours).toEqual(theirs);
  } finally {
    await Promise.all([store.close(), duckdb.close()]);
  }
}
