import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, gitTruth, tempDir } from './support/git.js';
import { runMetre } from './support/metre-process.js';
import { buildScriptedRepo } from './support/repos.js';

let ws: { path: string; remove: () => void };
let repo: string;
let env: Record<string, string>;

beforeAll(() => {
  ws = tempDir();
  repo = buildScriptedRepo(join(ws.path, 'project'));
  env = { METRE_HOME: join(ws.path, 'home') };
  mkdirSync(join(ws.path, 'plain'));
});
afterAll(() => ws.remove());

/**
 * The error contract: after any progress lines, one coded line, no stack trace, the given exit
 * code.
 */
function expectOneLineError(result: ReturnType<typeof runMetre>, code: string, exit: number) {
  expect(result.code).toBe(exit);
  const lines = result.stderr.trim().split('\n');
  expect(lines.filter((line) => /error/i.test(line))).toHaveLength(1);
  expect(lines.at(-1)).toMatch(new RegExp(`^metre: error ${code}: `));
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

function reposJson() {
  const result = runMetre(['repos', '--format', 'json'], env);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>[];
}

describe('metre collect and metre repos', () => {
  it('collects a local path and lists it with git’s own counts', () => {
    const result = runMetre(['collect', repo, '--name', 'project'], env);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^project: \d+ new commits, \d+ file changes in [\d.]+ s/);

    const truth = gitTruth(repo);
    const [listed] = reposJson();
    expect(listed).toMatchObject({
      name: 'project',
      source: repo,
      defaultBranch: 'main',
      head: truth.head,
      commits: truth.commitsDefault,
      commitsAllRefs: truth.commitsAll,
      mergeCommits: truth.merges,
      status: 'up-to-date',
      lastError: null,
    });
    expect(typeof listed?.fileChanges).toBe('number');
    expect(Date.parse(String(listed?.lastCollectedAt))).toBeGreaterThan(Date.now() - 600_000);
  });

  it('prints a machine-readable summary with --format json', () => {
    const result = runMetre(['collect', repo, '--name', 'project', '--format', 'json'], env);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      repository: 'project',
      commits: 0,
      fileChanges: 0,
      status: 'up-to-date',
    });
    expect(summary.peakRssMb).toBeGreaterThan(0);
  });

  it('shows the repository table', () => {
    const result = runMetre(['repos'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+BRANCH\s+HEAD\s+COMMITS/);
    expect(result.stdout).toContain('project');
  });
});

describe('errors a user can make end in one clear line and leave the store intact', () => {
  it.each([
    ['a missing path', () => [join(ws.path, 'nowhere')], 'METRE_REPO_NOT_FOUND', 3],
    [
      'a folder that is not a repository',
      () => [join(ws.path, 'plain')],
      'METRE_NOT_A_GIT_REPO',
      3,
    ],
    ['an unreachable URL', () => ['git://127.0.0.1:9/nothing.git'], 'METRE_REPO_UNREACHABLE', 3],
    ['a disallowed scheme', () => ['http://example.org/r.git'], 'METRE_URL_SCHEME_NOT_ALLOWED', 2],
    [
      'an ext:: transport',
      () => ['ext::sh -c touch% /tmp/metre-pwned'],
      'METRE_URL_SCHEME_NOT_ALLOWED',
      2,
    ],
    [
      'a leading dash',
      () => ['--', '--upload-pack=touch /tmp/metre-pwned'],
      'METRE_URL_INVALID',
      2,
    ],
    ['a bad store URL', () => [repo, '--store', 'mysql://x'], 'METRE_STORE_URL_INVALID', 2],
  ] as const)('%s', (_label, args, code, exit) => {
    const before = reposJson();
    expectOneLineError(runMetre(['collect', ...args()], env), code, exit);
    const after = reposJson().filter((r) => r.name === 'project');
    expect(after).toEqual(before.filter((r) => r.name === 'project'));
  });

  it('a store held by another process', async () => {
    const store = join(ws.path, 'home', 'metre.duckdb');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const db = await DuckDBInstance.create(${JSON.stringify(store)});
         await db.connect(); console.log('ready'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const result = runMetre(['collect', repo, '--name', 'project'], env);
      expectOneLineError(result, 'METRE_STORE_LOCKED', 4);
      expect(result.stderr).toContain(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(reposJson().find((r) => r.name === 'project')).toMatchObject({ status: 'up-to-date' });
  });

  it('credentials in a URL are neither printed nor stored', () => {
    const result = runMetre(
      ['collect', 'https://ada:s3cret@127.0.0.1:9/r.git', '--name', 'secret'],
      env,
    );
    expectOneLineError(result, 'METRE_REPO_UNREACHABLE', 3);
    expect(result.stderr).not.toContain('s3cret');
    const stored = reposJson().find((r) => r.name === 'secret');
    expect(stored).toMatchObject({ source: 'https://127.0.0.1:9/r.git', status: 'failed' });
    expect(JSON.stringify(stored)).not.toContain('s3cret');
  });

  it('an unknown command or option', () => {
    const result = runMetre(['colect', repo], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'colect'/);
  });
});

describe('metre start (collect, then the terminal report)', () => {
  it('collects the demo repository and prints its report, incrementally the second time', () => {
    const home = { METRE_HOME: join(ws.path, 'start-home'), METRE_DEMO_REPO: repo };
    const first = runMetre(['start'], home);
    expect(first.code).toBe(0);
    const commits = Number(git(repo, ['rev-list', '--count', 'HEAD']).trim());
    expect(first.stdout).toMatch(/^metre analyze: project /);
    expect(first.stdout).toMatch(new RegExp(`\\nCommits\\s+${commits} \\(`));
    expect(first.stdout.split('\n').length).toBeLessThanOrEqual(41);
    const second = runMetre(['start'], home);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('this run collected 0 new commits');
  });
});
