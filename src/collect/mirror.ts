import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CollectConfig } from '../config/index.js';
import { MetreError } from '../errors/index.js';
import type { GitRunner } from './git-runner.js';
import { mirrorFolderName, REMOTE_PROTOCOLS, type Source } from './source.js';

/** A git directory ready to read, and how to let go of it after the run. */
export interface GitDir {
  readonly path: string;
  release(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Finds or brings up to date the git directory a collection reads from. A local repository is
 * read in place, without copying its history. A remote one is kept as a bare mirror under
 * `mirrorsDir`: cloned once (into a temporary folder renamed when complete, so a killed clone
 * never leaves a half mirror), then fetched with `--prune`. The URL with its credentials is
 * passed to git for this run only; the mirror's config keeps the URL without them.
 *
 * @example const dir = await openGitDir(source, git, config.collect); ...; await dir.release();
 */
export async function openGitDir(
  source: Source,
  git: GitRunner,
  config: CollectConfig,
): Promise<GitDir> {
  if (source.kind === 'local')
    return { path: await localGitDir(source.path, git), release: async () => {} };
  const path = join(config.mirrorsDir, mirrorFolderName(source));
  if (await exists(path)) await fetchMirror(path, source.url, git);
  else await cloneMirror(path, source, git);
  const release = config.ephemeral
    ? () => rm(path, { recursive: true, force: true })
    : async () => {};
  return { path, release };
}

async function localGitDir(path: string, git: GitRunner): Promise<string> {
  if (!(await exists(path))) {
    throw new MetreError('METRE_REPO_NOT_FOUND', `No such file or directory: ${path}`);
  }
  const { stdout } = await git.run(['-C', path, 'rev-parse', '--absolute-git-dir']);
  return stdout.trim();
}

async function cloneMirror(path: string, source: Source & { kind: 'remote' }, git: GitRunner) {
  await mkdir(join(path, '..'), { recursive: true });
  const temporary = `${path}.partial-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  try {
    await git.run(['clone', '--mirror', '--quiet', '--', source.url, temporary], {
      protocols: REMOTE_PROTOCOLS,
    });
    await git.run(['remote', 'set-url', 'origin', source.display], { gitDir: temporary });
    await rename(temporary, path);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

async function fetchMirror(path: string, url: string, git: GitRunner) {
  const refspecs = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
  await git.run(['fetch', '--prune', '--quiet', '--no-write-fetch-head', '--', url, ...refspecs], {
    gitDir: path,
    protocols: REMOTE_PROTOCOLS,
  });
}
