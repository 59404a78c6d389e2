import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePath } from '../../src/core/index.js';

/** git with no user or system config, a fixed identity and fixed dates unless the caller sets them. */
export function git(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): string {
  return gitBytes(cwd, args, env).toString('utf8');
}

export function gitBytes(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Buffer {
  return execFileSync('git', args, {
    cwd,
    maxBuffer: 1 << 30,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Ada',
      GIT_AUTHOR_EMAIL: 'ada@example.org',
      GIT_COMMITTER_NAME: 'Ada',
      GIT_COMMITTER_EMAIL: 'ada@example.org',
      GIT_AUTHOR_DATE: '2024-01-01T12:00:00Z',
      GIT_COMMITTER_DATE: '2024-01-01T12:00:00Z',
      ...env,
    },
  });
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'metre-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A new repository with `main` as its first branch. */
export function initRepo(dir: string, bare = false): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main', ...(bare ? ['--bare'] : []), '.']);
  return dir;
}

/** What git itself says about a repository, computed independently of metre's parser. */
export interface GitTruth {
  readonly commitsAll: number;
  readonly commitsDefault: number;
  readonly merges: number;
  readonly head: string | null;
  readonly authorEmails: ReadonlySet<string>;
  /** Per commit: files touched and the sums of lines added and deleted (binary files count 0). */
  readonly lines: ReadonlyMap<string, { files: number; added: number; deleted: number }>;
  /** Per commit: the paths it touched (new paths for renames). */
  readonly paths: ReadonlyMap<string, ReadonlySet<string>>;
}

function parseNumstat(output: Buffer) {
  const lines = new Map<string, { files: number; added: number; deleted: number }>();
  const paths = new Map<string, Set<string>>();
  let sha = '';
  const tokens = output.toString('latin1').split('\0');
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i] ?? '';
    if (token.startsWith('\n')) token = token.slice(1);
    if (token.startsWith('@')) {
      sha = token.slice(1);
      lines.set(sha, { files: 0, added: 0, deleted: 0 });
      paths.set(sha, new Set());
      continue;
    }
    const match = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
    if (!match) continue;
    let path = match[3] ?? '';
    if (path === '') {
      i += 2; // a rename: old path, then new path
      path = tokens[i] ?? '';
    }
    const entry = lines.get(sha)!;
    entry.files += 1;
    entry.added += match[1] === '-' ? 0 : Number(match[1]);
    entry.deleted += match[2] === '-' ? 0 : Number(match[2]);
    paths.get(sha)!.add(decodePath(Buffer.from(path, 'latin1')));
  }
  return { lines, paths };
}

/** Reads the truth about `dir` from git's own porcelain output. */
export function gitTruth(dir: string): GitTruth {
  const count = (args: string[]) => Number(git(dir, ['rev-list', '--count', ...args]).trim());
  let head: string | null = null;
  try {
    head = git(dir, ['rev-parse', '-q', '--verify', 'HEAD^{commit}']).trim();
  } catch {
    head = null; // a repository with no commit yet
  }
  const emails = git(dir, ['log', '--all', '--format=%ae'])
    .split('\n')
    .filter((e) => e !== '');
  const numstat = gitBytes(dir, ['log', '--all', '-z', '--numstat', '-M', '--format=@%H']);
  return {
    commitsAll: count(['--all']),
    commitsDefault: head === null ? 0 : count(['HEAD']),
    merges: count(['--all', '--merges']),
    head,
    authorEmails: new Set(emails),
    ...parseNumstat(numstat),
  };
}
