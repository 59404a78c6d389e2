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

/** Starts a collection and SIGKILLs it `delayMs` after it reported its first step. */
async function collectAndKill(args: readonly string[], env: Record<string, string>, delayMs: number) {
  const child: ChildProcess = startMetre(args, env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    child.stderr?.once('data', () => resolve()); // "fetching": past start-up, into the collection
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

describe('a collection killed with SIGKILL at any point', () => {
  it('resumes to exactly git’s data, with no duplicate and no missing commit', async () => {
    const reference = { METRE_HOME: join(ws.path, 'reference'), METRE_BATCH_SIZE: '150' };
    const started = performance.now();
    expect(runMetre(['collect', repo, '--name', 'big'], reference).code).toBe(0);
    const fullMs = performance.now() - started;

    const env = { METRE_HOME: join(ws.path, 'killed'), METRE_BATCH_SIZE: '150' };
    const storeFile = join(ws.path, 'killed', 'metre.duckdb');
    // Kill points spread over the length of a whole run, so they land in both passes.
    const fractions = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.3, 0.6];
    let kills = 0;
    for (const fraction of fractions) {
      if (await collectAndKill(['collect', repo, '--name', 'big'], env, fraction * fullMs)) kills += 1;
      expect(await duplicates(storeFile)).toEqual({ commits: 0, files: 0 });
    }
    expect(kills).toBeGreaterThanOrEqual(5);

    const final = runMetre(['collect', repo, '--name', 'big'], env);
    expect(final.code).toBe(0);
    await expectStoreMatchesGit(storeFile, repo, 'big');
  }, 300_000);
});
