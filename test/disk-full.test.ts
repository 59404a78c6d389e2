import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../bench/make-repo.js';
import { tempDir } from './support/git.js';
import { runMetre } from './support/metre-process.js';
import { buildScriptedRepo } from './support/repos.js';

let ws: { path: string; remove: () => void };
let home = '';
let spoolHome = '';
let mounted = false;

/** A small tmpfs makes the disk fill up for real; mounting needs root, else the test skips. */
function mountTinyDisk(dir: string, size: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  ws = tempDir();
  home = join(ws.path, 'home');
  mounted = mountTinyDisk(home, '4m');
  spoolHome = join(ws.path, 'spool-home');
  mounted &&= mountTinyDisk(spoolHome, '256k');
  if (!mounted) console.warn('disk-full test skipped: mounting a tmpfs needs root');
  buildScriptedRepo(join(ws.path, 'small'));
  await makeRepo(join(ws.path, 'large'), { commits: 6000, seed: 3 });
}, 120_000);

afterAll(() => {
  if (mounted) for (const dir of [home, spoolHome]) execFileSync('umount', [dir]);
  ws.remove();
});

describe('a full disk', () => {
  it('ends in one coded line and leaves what was stored intact', (context) => {
    if (!mounted) context.skip();
    const env = { METRE_HOME: home, METRE_BATCH_SIZE: '500' };
    expect(runMetre(['collect', join(ws.path, 'small'), '--name', 'small'], env).code).toBe(0);
    const before = runMetre(['repos', '--format', 'json'], env);

    const full = runMetre(['collect', join(ws.path, 'large'), '--name', 'large'], env);
    expect(full.code).toBe(4);
    expect(full.stderr.trim().split('\n').at(-1)).toMatch(/^metre: error METRE_DISK_FULL: /);
    expect(full.stderr).not.toMatch(/\n\s+at /);

    const after = runMetre(['repos', '--format', 'json'], env);
    expect(after.code).toBe(0);
    const small = (out: string) =>
      (JSON.parse(out) as { name: string }[]).find((repo) => repo.name === 'small');
    expect(small(after.stdout)).toEqual(small(before.stdout));
  }, 120_000);

  it('fills while git processes spool their output, with the same coded line', (context) => {
    if (!mounted) context.skip();
    // The store has room; the home, where three git processes spool the file changes, has not.
    const store = `duckdb:${join(ws.path, 'spool-store.duckdb')}`;
    const env = { METRE_HOME: spoolHome, METRE_GIT_PROCESSES: '3', METRE_GIT_SLICE_COMMITS: '500' };
    const full = runMetre(['collect', join(ws.path, 'large'), '--store', store], env);
    expect(full.code).toBe(4);
    expect(full.stderr.trim().split('\n').at(-1)).toMatch(/^metre: error METRE_DISK_FULL: /);
    expect(full.stderr).not.toMatch(/\n\s+at /);
    const repos = runMetre(['repos', '--store', store, '--format', 'json'], env);
    expect(JSON.parse(repos.stdout)).toMatchObject([{ name: 'large', status: 'failed' }]);
  }, 120_000);
});
