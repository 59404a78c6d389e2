import { collect, summaryFigures, type CollectSummary } from '../collect/index.js';
import type { Config, ConfigOverrides } from '../config/index.js';
import type { JobProgress } from '../queue/index.js';
import { openStore, type RepositorySummary, type Store } from '../store/index.js';
import { count, formatTable, seconds, type Column } from './format.js';
import { createProgressView } from './progress.js';

/** What the CLI needs from the process, injected by boot/. */
export interface CliDeps {
  readonly loadConfig: (overrides: ConfigOverrides) => Config;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
  /** The repository metre itself lives in: what `metre start` collects by default. */
  readonly ownRepository: string;
  /** The long-running roles (`serve`, `worker`, `scheduler`), run by boot/ in this process. */
  readonly roles: RoleRunners;
}

/** Runs a long-running role until the process is asked to stop; resolves once it has stopped. */
export interface RoleRunners {
  serve(config: Config): Promise<void>;
  worker(config: Config): Promise<void>;
  scheduler(config: Config): Promise<void>;
  api(config: Config): Promise<void>;
}

export type Format = 'text' | 'json';

async function withStore<T>(config: Config, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.store);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The JSON shape of a collection summary: numbers as numbers, times in milliseconds. */
function summaryJson(summary: CollectSummary) {
  const repo = summary.repository;
  return {
    repository: repo.name,
    source: repo.source,
    status: repo.status,
    defaultBranch: repo.defaultBranch,
    head: repo.head,
    ...summaryFigures(summary),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function summaryLine(summary: CollectSummary): string {
  const repo = summary.repository;
  const removed = summary.removed > 0 ? `, ${count(summary.removed)} removed` : '';
  return (
    `${repo.name}: ${count(summary.commits)} new commits, ${count(summary.fileChanges)} file changes` +
    `${removed} in ${seconds(summary.durationMs)} (commits ${seconds(summary.commitsPassMs)}, ` +
    `files ${seconds(summary.filesPassMs)}); ${repo.status}, ${repo.defaultBranch ?? 'no branch'} at ` +
    `${repo.head?.slice(0, 12) ?? 'no commit'}\n`
  );
}

/** The flags of `metre collect`. */
export interface CollectOptions {
  readonly name?: string;
  readonly store?: string;
  readonly ephemeral?: boolean;
  readonly commitsOnly?: boolean;
  readonly format: Format;
}

/** `metre collect <location>`: collects one repository into the store. */
export async function collectCommand(
  deps: CliDeps,
  location: string,
  options: CollectOptions,
): Promise<void> {
  const config = deps.loadConfig({
    store: options.store,
    ephemeral: options.ephemeral,
    allowLocal: true,
  });
  const view = createProgressView(deps.stderr, deps.isTTY);
  const summary = await withStore(config, (store) =>
    collect(
      { location, name: options.name, commitsOnly: options.commitsOnly },
      {
        store,
        git: config.git,
        collect: config.collect,
        cwd: deps.cwd,
        onProgress: view.onProgress,
        countTotals: deps.isTTY,
      },
    ).finally(() => view.end()),
  );
  deps.stdout.write(
    options.format === 'json' ? `${JSON.stringify(summaryJson(summary))}\n` : summaryLine(summary),
  );
}

/** The JSON shape of `metre repos`: one object per repository, fields in camelCase. */
function repoJson(repo: RepositorySummary) {
  return {
    id: repo.id,
    name: repo.name,
    source: repo.source,
    defaultBranch: repo.defaultBranch,
    head: repo.head,
    commits: repo.commits,
    commitsAllRefs: repo.commitsAllRefs,
    mergeCommits: repo.mergeCommits,
    fileChanges: repo.fileChanges,
    lastCollectedAt: repo.lastCollectedAt?.toISOString() ?? null,
    status: repo.status,
    lastError: repo.lastError,
    dataVersion: repo.dataVersion,
    schedule: repo.schedule,
  };
}

const REPO_COLUMNS: readonly Column<RepositorySummary>[] = [
  { title: 'NAME', value: (r) => r.name },
  { title: 'BRANCH', value: (r) => r.defaultBranch ?? '-' },
  { title: 'HEAD', value: (r) => r.head?.slice(0, 10) ?? '-' },
  { title: 'COMMITS', value: (r) => count(r.commits) },
  { title: 'ALL REFS', value: (r) => count(r.commitsAllRefs) },
  { title: 'MERGES', value: (r) => count(r.mergeCommits) },
  { title: 'FILE CHANGES', value: (r) => count(r.fileChanges) },
  {
    title: 'COLLECTED',
    value: (r) => r.lastCollectedAt?.toISOString().slice(0, 19).replace('T', ' ') ?? '-',
  },
  { title: 'STATUS', value: (r) => r.status },
  { title: 'SOURCE', value: (r) => r.source },
  { title: 'LAST ERROR', value: (r) => r.lastError ?? '' },
];

/** A repository's collection job as `metre repos` shows it (with a shared queue). */
export interface RepoJob {
  readonly id: string;
  readonly state: string;
  readonly progress: JobProgress | null;
  /** The state and progress in a few words, e.g. `active: commits 3,000 of 6,000`. */
  readonly text: string;
}

/**
 * `metre repos`: lists collected repositories; with a shared queue (`--queue`), also the
 * collection job of each (`jobsOf` reads them).
 */
export async function reposCommand(
  deps: CliDeps,
  options: { store?: string; queue?: string; format: Format },
  jobsOf: (config: Config) => Promise<ReadonlyMap<string, RepoJob>> = async () => new Map(),
): Promise<void> {
  const config = deps.loadConfig({ store: options.store, queue: options.queue });
  const repos = await withStore(config, (store) => store.listRepositories());
  const shared = config.queue.url !== undefined;
  const jobs = shared ? await jobsOf(config) : new Map<string, RepoJob>();
  const job = (r: RepositorySummary) => jobs.get(r.id) ?? null;
  if (options.format === 'json') {
    const rows = repos.map((r) => {
      const j = job(r);
      const json = j === null ? null : { id: j.id, state: j.state, progress: j.progress };
      return shared ? { ...repoJson(r), job: json } : repoJson(r);
    });
    deps.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (repos.length === 0)
    deps.stdout.write('No repositories yet: try `metre collect <path-or-url>`.\n');
  else {
    const column: Column<RepositorySummary> = { title: 'JOB', value: (r) => job(r)?.text ?? '-' };
    const columns = shared
      ? [...REPO_COLUMNS.slice(0, -1), column, ...REPO_COLUMNS.slice(-1)]
      : REPO_COLUMNS;
    deps.stdout.write(formatTable(columns, repos));
  }
}
