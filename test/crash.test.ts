import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../bench/make-repo.js';
import { queryDuckDb } from './support/duckdb.js';
import { expectStoreMatchesGit } from './support/expect-store.js';
import { tempDir } from './support/git.js';
import { runMetre, startMetre } from './support/metre-process.js';

let ws: { path: string; remove: () => void };
let repo: string;

beforeAll(async () => {
  ws = tempDir();
  repo = join(ws.path, 'big');
  await makeRepo(repo, { commits: 6000, seed: 42 });
}, 120_000);
afterAll(() => ws.remove());

/**
 * Starts a collection, waits until it reports progress in the given pass, then SIGKILLs it
 * `delayMs` later. Returns whether it was still running when killed.
 */
async function collectAndKill(env: Record<string, string>, pass: RegExp, delayMs: number) {
  const child: ChildProcess = startMetre(['collect', repo, '--name', 'big'], env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pass.test(seen)) resolve();
    });
    void exited.then(resolve);
  });
  await Promise.race([sleep(delayMs), exited]);
  const killed = child.exitCode === null && child.kill('SIGKILL');
  await exited;
  return killed;
}

async function duplicates(storeFile: string): Promise<{ commits: number; files: number }> {
  const [row] = await queryDuckDb(
    storeFile,
    `SELECT (SELECT count(*) - count(DISTINCT sha) FROM commits)::INTEGER AS commits,
            (SELECT count(*) - count(DISTINCT (sha, path)) FROM file_changes)::INTEGER AS files`,
  );
  return row as { commits: number; files: number };
}

// One git process printing the file changes, then three side by side in slices of the walk (each
// resumed run slices what is left of it anew).
const GIT = {
  'one git process': { METRE_GIT_PROCESSES: '1' },
  'three git processes': { METRE_GIT_PROCESSES: '3', METRE_GIT_SLICE_COMMITS: '500' },
};

describe.each(Object.entries(GIT))(
  'a collection killed with SIGKILL at any point, %s',
  (name, git) => {
    it('resumes to exactly git’s data, with no duplicate and no missing commit', async () => {
      const home = (run: string) => join(ws.path, name.replaceAll(' ', '-'), run);
      const reference = { METRE_HOME: home('reference'), METRE_BATCH_SIZE: '150', ...git };
      const run = runMetre(['collect', repo, '--name', 'big', '--format', 'json'], reference);
      expect(run.code).toBe(0);
      const passMs = JSON.parse(run.stdout) as { commitsPassMs: number; filesPassMs: number };

      const env = { METRE_HOME: home('killed'), METRE_BATCH_SIZE: '150', ...git };
      const storeFile = join(home('killed'), 'metre.duckdb');
      // Kill points in both passes, at different depths: [pass, fraction of that pass' length].
      const plan: [RegExp, number][] = [
        [/commits [\d,]+/, 0.2],
        [/commits [\d,]+/, 0.5],
        [/file changes/, 0.1],
        [/file changes/, 0.3],
        [/file changes/, 0.2],
        [/file changes/, 0.5],
        [/file changes/, 0.4],
      ];
      let kills = 0;
      const interrupted = new Set<string>();
      for (const [pass, fraction] of plan) {
        const length = pass.source.startsWith('commits')
          ? passMs.commitsPassMs
          : passMs.filesPassMs;
        if (!(await collectAndKill(env, pass, fraction * length))) continue;
        kills += 1;
        expect(await duplicates(storeFile)).toEqual({ commits: 0, files: 0 });
        const [repoRow] = await queryDuckDb(storeFile, 'SELECT status FROM repositories');
        interrupted.add(String(repoRow?.status));
      }
      expect(kills).toBeGreaterThanOrEqual(5);
      expect(interrupted).toContain('collecting-commits');
      expect(interrupted).toContain('collecting-files');

      const final = runMetre(['collect', repo, '--name', 'big'], env);
      expect(final.code).toBe(0);
      await expectStoreMatchesGit(storeFile, repo, 'big');
    }, 300_000);
  },
);
