import type { Ref } from '../core/index.js';
import type { GitRunner } from './git-runner.js';

/** The refs of a repository and which branch is its default. */
export interface RefSnapshot {
  readonly refs: readonly Ref[];
  /** The branch HEAD names (`main`), `HEAD` when detached, null in a repository with no commit. */
  readonly defaultBranch: string | null;
  /** The commit the default branch points to, null while it has none. */
  readonly head: string | null;
  /** Every commit a ref points to, once: the tips of the history to collect. */
  readonly tips: readonly string[];
}

const FORMAT =
  '%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(creatordate:unix)';

function toRef(line: string): Ref | undefined {
  const [refname = '', type, sha = '', peeledType, peeled = '', created = ''] = line.split('\0');
  const isTag = refname.startsWith('refs/tags/');
  const name = refname.replace(/^refs\/(heads|tags)\//, '');
  // Empty for a tag object without a tagger line.
  const createdAt = created === '' ? null : Number(created);
  if (type === 'commit') return { name, kind: isTag ? 'tag' : 'branch', sha, createdAt };
  // Annotated tags point at a tag object; keep them when it peels to a commit.
  if (type === 'tag' && peeledType === 'commit') {
    return { name, kind: 'tag', sha: peeled, createdAt };
  }
  return undefined;
}

/**
 * Reads every branch and tag (tags peeled to their commit, each with its creation date) and the
 * default branch.
 *
 * @example const { refs, defaultBranch, tips } = await readRefs(git, gitDir);
 */
export async function readRefs(git: GitRunner, gitDir: string): Promise<RefSnapshot> {
  const listed = await git.run(['for-each-ref', `--format=${FORMAT}`, 'refs/heads', 'refs/tags'], {
    gitDir,
  });
  const refs = listed.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map(toRef)
    .filter((ref): ref is Ref => ref !== undefined);
  const symbolic = await git.run(['symbolic-ref', '-q', 'HEAD'], { gitDir, okCodes: [1] });
  const headRef = symbolic.stdout.trim();
  const head = await git.run(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], {
    gitDir,
    okCodes: [1],
  });
  const headSha = head.stdout.trim() || null;
  const defaultBranch =
    headRef !== '' ? headRef.replace(/^refs\/heads\//, '') : headSha ? 'HEAD' : null;
  const tips = [...new Set([...refs.map((ref) => ref.sha), ...(headSha ? [headSha] : [])])].sort();
  return { refs, defaultBranch, head: headSha, tips };
}
