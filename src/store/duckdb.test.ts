import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { isMetreError, MetreError } from '../errors/index.js';
import {
  commitsLayout,
  defaultBranchLayout,
  fileChangesLayout,
  mailmapLayout,
  refsLayout,
  treeFilesLayout,
} from './dialects/duckdb/tables.js';
import { latestVersion, migrations, toStoreError } from './dialects/duckdb/index.js';
import { openStore, parseStoreUrl } from './index.js';
import { describeStoreContract } from './testing/contract.js';
import { commitFiles, makeFile, makeHistory, sha } from './testing/fixtures.js';
import { readRows } from './testing/inspect.js';

const dir = mkdtempSync(join(tmpdir(), 'metre-store-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

let fileCount = 0;
const freshFile = () => join(dir, `store-${++fileCount}.duckdb`);

async function errorOf(promise: Promise<unknown>): Promise<MetreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isMetreError(error)) throw new Error(`Expected a MetreError, got ${String(error)}`);
  return error;
}

describeStoreContract('duckdb file', () => openStore(`duckdb:${join(dir, 'contract.duckdb')}`));

describe('openStore', () => {
  it('opens in-memory stores, each its own', async () => {
    const a = await openStore('duckdb::memory:');
    const b = await openStore('duckdb::memory:');
    await a.saveRepository({ name: 'only-in-a', source: '/a' });
    expect(await b.listRepositories()).toEqual([]);
    expect(a.dialect).toBe('duckdb');
    expect(a.capabilities.transactions).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('creates the parent directories of a new file', async () => {
    const file = join(dir, 'nested', 'deeper', 'metre.duckdb');
    const store = await openStore(`duckdb:${file}`);
    await store.close();
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('resolves relative paths against the working directory', () => {
    expect(parseStoreUrl('duckdb:data/m.duckdb')).toEqual({
      dialect: 'duckdb',
      file: resolve('data/m.duckdb'),
    });
    expect(parseStoreUrl('DuckDB::memory:')).toEqual({ dialect: 'duckdb', file: ':memory:' });
  });

  it.each([
    ['mysql://metre:s3cret@db/metre', /Unknown store URL scheme mysql:/],
    ['metre.duckdb', /needs a scheme/],
    ['duckdb:', /duckdb:<file path>/],
    ['duckdb://host/x.duckdb', /duckdb:<file path>/],
  ])('refuses %s with the supported URLs and no credentials', async (url, reason) => {
    const error = await errorOf(openStore(url));
    expect(error.code).toBe('METRE_STORE_URL_INVALID');
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('duckdb:');
    expect(error.message).not.toContain('s3cret');
  });

  it('refuses a second open of the same file in this process until the first closes', async () => {
    const file = freshFile();
    const first = await openStore(`duckdb:${file}`);
    const error = await errorOf(openStore(`duckdb:${file}`));
    expect(error.code).toBe('METRE_STORE_LOCKED');
    expect(error.message).toContain(`PID ${process.pid}`);
    await first.close();
    await (await openStore(`duckdb:${file}`)).close();
  });

  it('opens read-only: reads work, writes are refused', async () => {
    const file = freshFile();
    const writer = await openStore(`duckdb:${file}`);
    await writer.saveRepository({ name: 'r', source: '/r' });
    await writer.close();
    const reader = await openStore(`duckdb:${file}`, { readOnly: true });
    expect((await reader.listRepositories()).map((r) => r.name)).toEqual(['r']);
    expect((await errorOf(reader.saveRepository({ name: 's', source: '/s' }))).code).toBe(
      'METRE_STORE_FAILED',
    );
    await reader.close();
  });
});

describe('DuckDB lock held by another process', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('fails with METRE_STORE_LOCKED naming the file and the PID', async () => {
    const file = freshFile();
    child = await holdLock(file);
    const error = await errorOf(openStore(`duckdb:${file}`));
    expect(error.code).toBe('METRE_STORE_LOCKED');
    expect(error.message).toContain(file);
    expect(error.message).toContain(`PID ${child.pid}`);
    expect(error.cause).toBeInstanceOf(Error);
    await stopped(child);
    await (await openStore(`duckdb:${file}`)).close();
  });
});

/** Starts a Node process that opens `file` with DuckDB and keeps it open. */
async function holdLock(file: string): Promise<ChildProcess> {
  const script = `
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(${JSON.stringify(file)});
    await instance.connect();
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    child.stdout?.on('data', (data: Buffer) => data.toString().includes('ready') && ready());
    child.on('exit', (code) => fail(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.on('exit', () => done());
    child.kill('SIGKILL');
  });
}

describe('DuckDB schema', () => {
  it('records every migration once on a new store', async () => {
    const store = await openStore('duckdb::memory:');
    const rows = await readRows(store, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    expect(latestVersion).toBe(migrations.at(-1)?.version);
    await store.close();
  });

  it('a store whose process was killed right after migrating it opens again', async () => {
    // Nothing checkpointed: the schema and the repository are only in the write-ahead log, which
    // the next open replays (DuckDB cannot replay every DDL statement: see migration 4).
    const file = freshFile();
    const script = `
      const { openStore } = await import(${JSON.stringify(resolve('src/store/index.ts'))});
      const store = await openStore(${JSON.stringify(`duckdb:${file}`)});
      await store.saveRepository({ name: 'survivor', source: '/s', schedule: 'weekly' });
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const signal = await new Promise((done) => child.on('exit', (_, s) => done(s)));
    expect(signal).toBe('SIGKILL');
    expect((await stat(`${file}.wal`)).size).toBeGreaterThan(0);
    const store = await openStore(`duckdb:${file}`);
    expect(await store.findRepository('survivor')).toMatchObject({ schedule: 'weekly' });
    const rows = await readRows(store, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    await store.close();
  });

  it('refuses a store written by a newer metre', async () => {
    const file = freshFile();
    await (await openStore(`duckdb:${file}`)).close();
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run('INSERT INTO schema_migrations (version) VALUES ($1)', [
      latestVersion + 1,
    ]);
    connection.closeSync();
    instance.closeSync();
    const error = await errorOf(openStore(`duckdb:${file}`));
    expect(error.code).toBe('METRE_STORE_SCHEMA_TOO_NEW');
    expect(error.message).toContain(`version ${latestVersion + 1}`);
  });

  it.each([
    commitsLayout,
    fileChangesLayout,
    defaultBranchLayout,
    refsLayout,
    mailmapLayout,
    treeFilesLayout,
  ])('appends $table in the column order of its DDL', async (layout) => {
    const store = await openStore('duckdb::memory:');
    const columns = await readRows(
      store,
      `SELECT data_type FROM information_schema.columns WHERE table_name = $1
         ORDER BY ordinal_position`,
      [layout.table],
    );
    const normalise = (type: string) => type.replace('TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ');
    expect(columns.map((c) => normalise(String(c.data_type)))).toEqual(
      layout.types.map((t) => normalise(t.toString())),
    );
    await store.close();
  });
});

describe('DuckDB error mapping', () => {
  it('maps a lock conflict to METRE_STORE_LOCKED with the owner', () => {
    const cause = new Error(
      'IO Error: Could not set lock on file "/d/m.duckdb": Conflicting lock is held in ' +
        '/usr/bin/node (PID 4242). See also https://duckdb.org/docs/stable/connect/concurrency',
    );
    const error = toStoreError(cause, '/d/m.duckdb');
    expect(error.code).toBe('METRE_STORE_LOCKED');
    expect(error.message).toBe(
      'The store /d/m.duckdb is locked by /usr/bin/node (PID 4242); stop that process or use ' +
        'another store',
    );
    expect(error.cause).toBe(cause);
  });

  it('maps a full disk to METRE_DISK_FULL', () => {
    const cause = new Error(
      'IO Error: Could not write file "/d/m.duckdb.wal": No space left on device',
    );
    expect(toStoreError(cause, '/d/m.duckdb').code).toBe('METRE_DISK_FULL');
  });

  it('maps anything else to METRE_STORE_FAILED with the cause, and keeps MetreErrors', () => {
    const cause = new Error('Catalog Error: Table with name nope does not exist!');
    const error = toStoreError(cause, '/d/m.duckdb');
    expect(error.code).toBe('METRE_STORE_FAILED');
    expect(error.cause).toBe(cause);
    const coded = new MetreError('METRE_REPO_NOT_FOUND');
    expect(toStoreError(coded, '/d/m.duckdb')).toBe(coded);
  });
});

describe('DuckDB throughput', () => {
  // Large enough to show the rates, small enough for every test run; the figures reported for
  // 200k commits / 1M file changes came from the same test with SCALE = 200_000.
  const SCALE = 20_000;
  const FILES_PER_COMMIT = 5;
  const BATCH = 10_000;

  it('appends commits and file changes in bulk, with their totals', async () => {
    const file = freshFile();
    const history = makeHistory(SCALE);
    const batches = Array.from({ length: SCALE / BATCH }, (_, i) =>
      history.slice(i * BATCH, (i + 1) * BATCH),
    );
    const store = await openStore(`duckdb:${file}`);
    const repo = await store.saveRepository({ name: 'big', source: '/big' });
    const walk = (done: number) => ({ include: [sha('tip')], exclude: [], done });

    const commitsMs = await timed(async () => {
      for (const [i, batch] of batches.entries()) {
        await store.writeCommits(repo.id, batch, walk((i + 1) * BATCH));
      }
    });
    const filesMs = await timed(async () => {
      for (const [i, batch] of batches.entries()) {
        const files = batch.map((c, j) =>
          commitFiles(
            c,
            Array.from({ length: FILES_PER_COMMIT }, (_, k) =>
              makeFile(`src/${j % 97}/${k}.ts`, k, j % 3),
            ),
          ),
        );
        await store.writeFileChanges(repo.id, files, walk((i + 1) * BATCH));
      }
    });
    const mergeMs = await timed(() => store.completePass(repo.id, 'files', [sha('tip')]));
    const [summary] = await store.listRepositories();
    expect(summary).toMatchObject({ commitsAllRefs: SCALE, fileChanges: SCALE * FILES_PER_COMMIT });
    const [unfilled] = await readRows(
      store,
      'SELECT count(*) AS n FROM commits WHERE files_changed IS NULL OR files_changed <> $1',
      [FILES_PER_COMMIT],
    );
    expect(unfilled?.n).toBe(0);
    await store.close();
    const rate = (rows: number, ms: number) => Math.round((rows / ms) * 1000).toLocaleString('en');
    console.log(
      `DuckDB ${SCALE} commits: ${rate(SCALE, commitsMs)} commits/s; ` +
        `${SCALE * FILES_PER_COMMIT} file changes: ${rate(SCALE * FILES_PER_COMMIT, filesMs)} rows/s ` +
        `(totals staged); ending the pass, totals merged in ${mergeMs} ms`,
    );
  });
});

async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return Math.round(performance.now() - start);
}
