import { createHash } from 'node:crypto';
import type { Commit, FileChange, Signature } from '../../core/index.js';
import type { CommitFiles } from '../port.js';

/** A deterministic 40-hex sha for a label, so tests can name commits. */
export function sha(label: string | number): string {
  return createHash('sha1').update(String(label)).digest('hex');
}

const ALICE: Signature = {
  name: 'Alice',
  email: 'alice@example.org',
  time: 1_700_000_000,
  tzOffset: 60,
};

/**
 * A commit labelled `label`: by default a root commit by Alice, one hour after `index` hours.
 *
 * @example makeCommit(2, { parents: [sha(0), sha(1)] }) // a merge
 */
export function makeCommit(label: string | number, overrides: Partial<Commit> = {}): Commit {
  const offset = typeof label === 'number' ? label * 3600 : 0;
  const author = { ...ALICE, time: ALICE.time + offset };
  return {
    sha: sha(label),
    parents: [],
    author,
    committer: author,
    subject: `Commit ${label}`,
    message: `Commit ${label}\n`,
    ...overrides,
  };
}

/** `count` commits labelled `from`…, each the child of the one before. */
export function makeHistory(count: number, from = 0): Commit[] {
  return Array.from({ length: count }, (_, i) =>
    makeCommit(from + i, { parents: from + i === 0 ? [] : [sha(from + i - 1)] }),
  );
}

/** A modified file with the given line counts. */
export function makeFile(path: string, added = 1, deleted = 0): FileChange {
  return { path, oldPath: null, changeType: 'M', added, deleted, binary: false };
}

/** A files-pass batch entry. */
export function commitFiles(commit: Commit | string, files: readonly FileChange[]): CommitFiles {
  return { sha: typeof commit === 'string' ? commit : commit.sha, files };
}

/** Yields the given chunks, as a `git rev-list` reader would. */
export async function* chunks<T>(...items: readonly T[][]): AsyncIterable<readonly T[]> {
  for (const item of items) yield item;
}
