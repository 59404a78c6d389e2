/**
 * The collection and metric contract (src/store/testing/collect-contract.ts) on every backend:
 * DuckDB and PGlite always; PostgreSQL when METRE_TEST_POSTGRES_URL is set (in a schema of its
 * own, dropped afterwards); CrateDB when METRE_TEST_CRATEDB_URL is set. Each backend's results
 * must equal, as JSON, DuckDB's on a fresh collection of the same repositories.
 *
 * The generated history holds ties that text order decides. DuckDB, PGlite and CrateDB compare
 * text in binary order, PostgreSQL by its database's collation: point METRE_TEST_POSTGRES_URL at a
 * database created with a linguistic one (e.g. `CREATE DATABASE metre_icu TEMPLATE template0
 * LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`) to check that no result depends on it.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestServices } from '../src/config/index.js';
import { openStore } from '../src/store/index.js';
import { contractWorld, describeCollectContract } from '../src/store/testing/collect-contract.js';
import { readRows } from '../src/store/testing/inspect.js';

const services = loadTestServices(process.env);
const world = contractWorld();
afterAll(() => world.remove());

describeCollectContract(
  'duckdb',
  () => openStore(`duckdb:${join(world.folder('duckdb'), 'metre.duckdb')}`),
  world,
);
describeCollectContract('pglite (memory)', () => openStore('pglite:memory'), world);

if (services.postgresUrl === undefined) {
  describeMissing(
    'PostgreSQL',
    'METRE_TEST_POSTGRES_URL',
    'postgres://postgres@127.0.0.1:5432/test',
    services.requireServices,
  );
} else {
  describePostgres(services.postgresUrl);
}

// No CrateDB server can run on the development machines: its absence is a skip even when
// services are required.
if (services.cratedbUrl === undefined) {
  describeMissing('CrateDB', 'METRE_TEST_CRATEDB_URL', 'crate://localhost:5432', false);
} else {
  describeCratedb(services.cratedbUrl);
}

/** Without a server: a skip naming the variable, or a failure when services are required. */
function describeMissing(server: string, variable: string, example: string, required: boolean) {
  const reason = `set ${variable} (e.g. ${example})`;
  describe(`Collect and metrics contract: ${server}`, () => {
    if (required) {
      it(`needs a server: ${reason} (METRE_REQUIRE_SERVICES=1)`, () => {
        expect.fail(`${variable} is not set and METRE_REQUIRE_SERVICES=1: ${reason}`);
      });
    } else {
      it.skip(`is skipped: ${reason} to run the ${server} contract`, () => undefined);
    }
  });
}

/** PostgreSQL, in a schema of this run's own, dropped afterwards. */
function describePostgres(serverUrl: string) {
  const schema = `metre_test_contract_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  afterAll(async () => {
    const client = new pg.Client(serverUrl);
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });
  describeCollectContract('postgres', () => openStore(url.toString()), world);
}

/**
 * CrateDB, through openStore only: its tables in a schema of this run's own (the URL's path),
 * dropped afterwards (CrateDB has no DROP SCHEMA).
 */
function describeCratedb(serverUrl: string) {
  const schema = `metre_test_contract_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${schema}`;
  url.searchParams.set('shards', '2');
  url.searchParams.set('replicas', '0');
  afterAll(async () => {
    const store = await openStore(url.toString());
    try {
      const tables = await readRows(
        store,
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      for (const { table_name: table } of tables) {
        await readRows(store, `DROP TABLE IF EXISTS "${schema}"."${String(table)}"`);
      }
    } finally {
      await store.close();
    }
  });
  describeCollectContract('cratedb', () => openStore(url.toString()), world);
}
