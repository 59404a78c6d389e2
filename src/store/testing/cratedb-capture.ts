import type { Ref } from '../../core/index.js';
import {
  METRIC_CASES,
  parseParams,
  peopleConfig,
  registry,
  type MetricContext,
  type PeopleConfig,
} from '../../metrics/index.js';
import {
  cratedbDialect,
  cratedbStore,
  latestVersion,
  type CratedbTableOptions,
} from '../dialects/cratedb/index.js';
import type { Param, Row, SqlClient, SqlResult } from '../dialects/postgres/index.js';
import type { Store } from '../port.js';
import { chunks, commitFiles, makeCommit, makeFile, makeHistory, sha } from './fixtures.js';
import {
  countRows,
  readCommits,
  readDefaultBranch,
  readFileChanges,
  readMailmap,
  readRefs,
  readRows,
  readTree,
  type DataTable,
} from './inspect.js';

/** One statement the CrateDB dialect sent, and what made it send it. */
export interface CapturedStatement {
  readonly sql: string;
  /** E.g. `open`, `store.writeCommits`, `metric commits {"granularity":"week"} (2 repos)`. */
  readonly origin: string;
}

const REPOSITORY: Row = {
  id: 'capture-repo',
  name: 'capture',
  source: '/src/capture',
  default_branch: null,
  head: null,
  status: 'new',
  last_error: null,
  data_version: 0,
  last_collected_at: null,
  schedule: 'daily',
  commits: 0,
  commits_all_refs: 0,
  merge_commits: 0,
  file_changes: 0,
};

/**
 * A `SqlClient` that records every statement instead of sending it, answering with plausible
 * rows so the store goes on: a schema at version 0 (every step applies), a repository once one was
 * inserted, a version for every repository asked about, a cached result, and one changed row for
 * every write. It offers no transactions, as CrateDB's client.
 *
 * @example const client = new CaptureClient(); await cratedbStore(client, …); client.statements
 */
export class CaptureClient implements SqlClient {
  readonly statements: CapturedStatement[] = [];
  /** What the statements sent from now on are recorded as coming from. */
  origin = 'open';
  readonly #names = new Set<string>();
  readonly #version: number;

  /** `schemaVersion`: the version the store is said to be at (0: every step applies). */
  constructor(schemaVersion = 0) {
    this.#version = schemaVersion;
  }

  query(sql: string, params: readonly Param[] = []): Promise<SqlResult> {
    this.statements.push({ sql, origin: this.origin });
    return Promise.resolve(this.#answer(sql, params));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #answer(sql: string, params: readonly Param[]): SqlResult {
    const rows = (list: Row[]): SqlResult => ({ rows: list, rowCount: list.length });
    if (/^\s*INSERT INTO repositories\b/i.test(sql)) this.#names.add(String(params[1]));
    if (!/^\s*(SELECT|WITH)\b/i.test(sql)) return { rows: [], rowCount: 1 };
    if (/schema_migrations|information_schema/.test(sql)) return rows([{ v: this.#version, n: 1 }]);
    if (/r\.id = ANY/.test(sql)) {
      const ids = (params[0] ?? []) as readonly string[];
      return rows(ids.map((id) => ({ id, data_version: 1, identities: 0 })));
    }
    if (/FROM repositories r\b/.test(sql)) return rows(this.#repositories(sql, params));
    if (/FROM repositories WHERE id = \$1 OR name = \$2/.test(sql)) {
      return rows([{ id: params[0], name: REPOSITORY.name }]);
    }
    if (/FROM metric_results/.test(sql)) return rows([RESULT_ROW]);
    return rows([]);
  }

  #repositories(sql: string, params: readonly Param[]): Row[] {
    if (!/r\.name = \$1$/.test(sql.trim())) return [REPOSITORY];
    const name = String(params[0]);
    return this.#names.has(name) ? [{ ...REPOSITORY, name, source: '/src/a' }] : [];
  }
}

const RESULT_ROW: Row = {
  key: 'k',
  metric: 'commits',
  version: 1,
  repositories: '["capture-repo"]',
  params: '{}',
  data_version: 'capture-repo:1,identities:0',
  computed_at: new Date(0),
  duration_ms: 1.5,
  result: { kind: 'scalar', value: 1 },
};

/** The table options the DDL is captured with: CrateDB's defaults, and explicit ones. */
export const CAPTURED_TABLE_OPTIONS: readonly CratedbTableOptions[] = [
  { shards: null, replicas: null },
  { shards: 6, replicas: '1' },
  { shards: 2, replicas: '0-all' },
];

/**
 * Every statement the CrateDB dialect can send: opening and migrating a store under each of
 * `CAPTURED_TABLE_OPTIONS` (and read-only), every Store method the contract suite calls (with
 * batches large enough to split), the contract suite's own reads, and every query of every
 * metric case (`METRIC_CASES`) over one repository and over a group of two, without and with
 * affiliations.
 *
 * @example const statements = await captureCratedbStatements()
 */
export async function captureCratedbStatements(): Promise<CapturedStatement[]> {
  const statements: CapturedStatement[] = [];
  for (const options of CAPTURED_TABLE_OPTIONS) {
    const client = new CaptureClient();
    client.origin = `open ${JSON.stringify(options)}`;
    const store = await cratedbStore(client, { name: 'capture', dialect: cratedbDialect(options) });
    await store.close();
    statements.push(...client.statements);
  }
  const reader = new CaptureClient(latestVersion);
  reader.origin = 'open read-only';
  await cratedbStore(reader, { name: 'capture', dialect: cratedbDialect(), readOnly: true });
  statements.push(...reader.statements);
  statements.push(...(await captureStoreCalls()));
  statements.push(...captureMetrics());
  return statements;
}

/** The Store methods, called as the contract suite calls them. */
async function captureStoreCalls(): Promise<CapturedStatement[]> {
  const client = new CaptureClient();
  const store = await cratedbStore(client, { name: 'capture', dialect: cratedbDialect() });
  client.statements.length = 0;
  const call = async (origin: string, run: () => Promise<unknown>) => {
    client.origin = origin;
    await run();
  };
  for (const [origin, run] of storeCalls(store)) await call(origin, run);
  for (const [origin, run] of testReads(store)) await call(origin, run);
  await store.close();
  return client.statements;
}

const REFS: Ref[] = [
  { name: 'main', kind: 'branch', sha: sha(1), createdAt: null },
  { name: 'v1.0', kind: 'tag', sha: sha(0), createdAt: 1_700_000_000 },
];

function storeCalls(store: Store): [string, () => Promise<unknown>][] {
  const id = 'capture-repo';
  const history = [...makeHistory(3), makeCommit('merge', { parents: [sha(1), sha(2)] })];
  // Past one bulk statement's limits: many rows, and messages beyond CrateDB's indexed 32,766 bytes.
  const many = makeHistory(12_000, 10);
  const long = makeHistory(3, 50_000).map((c) => ({ ...c, message: 'x'.repeat(40_000) }));
  const files = history.map((c) => commitFiles(c, [makeFile('a.ts'), makeFile('b/c.md', 0, 2)]));
  const walk = { include: [sha('tip')], exclude: [sha(0)], done: 4 };
  const result = {
    key: 'k',
    metric: 'commits',
    version: 1,
    repositories: [id],
    params: '{}',
    dataVersion: `${id}:1,identities:0`,
    computedAt: new Date(0),
    durationMs: 2,
    result: '{"kind":"scalar","value":1}',
  };
  return [
    ['store.saveRepository (new)', () => store.saveRepository({ name: 'n', source: '/src/a' })],
    ['store.saveRepository (moved)', () => store.saveRepository({ name: 'n', source: '/src/b' })],
    [
      'store.saveRepository (scheduled)',
      () => store.saveRepository({ name: 'n', source: '/src/b', schedule: 'weekly' }),
    ],
    ['store.findRepository', () => store.findRepository(id)],
    ['store.listRepositories', () => store.listRepositories()],
    ['store.updateRepository', () => store.updateRepository(id, everyPatch())],
    ['store.readProgress', () => store.readProgress(id)],
    ['store.writeCommits', () => store.writeCommits(id, history, walk)],
    ['store.writeCommits (large)', () => store.writeCommits(id, [...many, ...long], walk)],
    ['store.writeFileChanges', () => store.writeFileChanges(id, files, walk)],
    ['store.completePass (commits)', () => store.completePass(id, 'commits', [sha(3)])],
    ['store.completePass (files)', () => store.completePass(id, 'files', [sha(3)])],
    [
      'store.recordDefaultBranch (reset)',
      () => store.recordDefaultBranch(id, sha(2), chunks([sha(0), sha(1)], [sha(2)]), true),
    ],
    [
      'store.recordDefaultBranch (added)',
      () => store.recordDefaultBranch(id, null, chunks([sha(3)]), false),
    ],
    ['store.replaceRefs', () => store.replaceRefs(id, REFS)],
    ['store.deleteCommits', () => store.deleteCommits(id, [sha(1), sha(2)])],
    ['store.resetRepositoryData', () => store.resetRepositoryData(id)],
    ['store.replaceMailmap', () => store.replaceMailmap(id, MAILMAP)],
    ['store.replaceTree', () => store.replaceTree(id, chunks(TREE, [{ path: 'z', bytes: 0 }]))],
    ['store.query', () => store.query({ sql: 'SELECT count(*) AS n FROM commits', params: [] })],
    ['store.dataVersion', () => store.dataVersion([id, 'other-repo'])],
    ['store.writeResult', () => store.writeResult(result)],
    ['store.readResult', () => store.readResult('k')],
    ['store.linkIdentities', () => store.linkIdentities(['A@x.org', 'b@y.org'], 'a@x.org')],
    ['store.unlinkIdentities', () => store.unlinkIdentities(['b@y.org'])],
    ['store.listIdentityLinks', () => store.listIdentityLinks()],
    ['store.replaceAffiliations', () => store.replaceAffiliations(AFFILIATIONS)],
    ['store.replaceAffiliations (large)', () => store.replaceAffiliations(manyAffiliations)],
    ['store.replaceAffiliations (empty)', () => store.replaceAffiliations([])],
    ['store.readAffiliations', () => store.readAffiliations()],
    ['store.updateRepository (rename)', () => store.updateRepository(id, { name: 'renamed' })],
    ['store.deleteRepository', () => store.deleteRepository(id)],
  ];
}

const AFFILIATIONS = [
  { email: 'a@x.org', organization: 'X', from: null, to: null },
  { email: 'b@y.org', organization: 'Y', from: '2020-01-01T00:00:00.000Z', to: null },
];

// Past one upsert's bound on rows.
const manyAffiliations = Array.from({ length: 12_000 }, (_, i) => ({
  email: `p${i}@x.org`,
  organization: 'X',
  from: null,
  to: null,
}));

function everyPatch() {
  return {
    status: 'failed' as const,
    lastError: 'git failed',
    defaultBranch: 'main',
    lastCollectedAt: new Date(0),
    source: '/src/c',
    schedule: '0 * * * *',
  };
}

const MAILMAP = [
  { properName: 'Alice', properEmail: 'alice@x.org', commitName: null, commitEmail: 'a@x.org' },
  { properName: null, properEmail: null, commitName: 'Bob', commitEmail: 'b@y.org' },
];

const TREE = [
  { path: 'src/a.ts', bytes: 120 },
  { path: 'README.md', bytes: 42 },
];

/** The reads the contract suite checks stored rows with (`inspect.ts`), run on CrateDB too. */
function testReads(store: Store): [string, () => Promise<unknown>][] {
  const id = 'capture-repo';
  const tables: DataTable[] = ['commits', 'file_changes', 'refs', 'default_branch_commits'];
  return [
    ...tables.map((t): [string, () => Promise<unknown>] => [
      'test read countRows',
      () => countRows(store, t, id),
    ]),
    ['test read readCommits', () => readCommits(store, id)],
    ['test read readFileChanges', () => readFileChanges(store, id)],
    ['test read readDefaultBranch', () => readDefaultBranch(store, id)],
    ['test read readRefs', () => readRefs(store, id)],
    ['test read readMailmap', () => readMailmap(store, id)],
    ['test read readTree', () => readTree(store, id)],
    ['test read schema_migrations', () => readRows(store, 'SELECT version FROM schema_migrations')],
  ];
}

const PEOPLE: readonly [string, PeopleConfig][] = [
  ['', peopleConfig({ botPatterns: undefined, affiliations: [] })],
  [
    ', with affiliations',
    peopleConfig({
      botPatterns: ['%bot%'],
      affiliations: [
        { email: 'a@x.org', organization: 'X', from: null, to: null },
        { email: 'b@y.org', organization: 'Y', from: '2020-01-01T00:00:00Z', to: null },
      ],
    }),
  ],
];

/** Every query of every metric case, compiled with CrateDB's fragments. */
function captureMetrics(): CapturedStatement[] {
  const statements: CapturedStatement[] = [];
  const sql = cratedbDialect().fragments;
  for (const repoIds of [['repo-a'], ['repo-a', 'repo-b']]) {
    for (const [label, people] of PEOPLE) {
      for (const { metric: id, params } of METRIC_CASES) {
        const metric = registry.find((m) => m.id === id);
        if (metric === undefined) throw new Error(`METRIC_CASES names an unknown metric ${id}`);
        const context: MetricContext = { repoIds, sql, people };
        const origin = `metric ${id} ${JSON.stringify(params)} (${repoIds.length} repos${label})`;
        for (const query of metric.compile(parseParams(metric, params), context)) {
          statements.push({ sql: query.sql, origin });
        }
      }
    }
  }
  return statements;
}
