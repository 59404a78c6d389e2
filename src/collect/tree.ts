import { decodePath, type TreeFile } from '../core/index.js';
import { MetreError } from '../errors/index.js';
import type { GitRunner } from './git-runner.js';

/** Files per chunk handed to the store. */
const CHUNK_FILES = 10_000;

/**
 * Lists the files of a commit's tree with their sizes, streamed in chunks: blobs only (regular
 * files, executables and symlinks, a symlink counting the length of its target), not the commits
 * a submodule entry points to.
 *
 * @example for await (const files of readTree(git, gitDir, head)) await store(files);
 */
export function readTree(
  git: GitRunner,
  gitDir: string,
  commit: string,
): AsyncGenerator<TreeFile[]> {
  const output = git.stream(['ls-tree', '-r', '-l', '-z', '--full-tree', commit], { gitDir });
  return parseTree(output);
}

/**
 * Parses `git ls-tree -r -l -z` output, entries separated by NUL:
 *
 * ```
 * 100644 blob 3b18e512dba79e4c8300dd08aeb37f8e728b8dad      12\tREADME.md\0
 * 120000 blob 1de565933b05f74c75ff9a6520af5f9f8a5a2f1d       6\tlink\0
 * 160000 commit 8f3e0a5c6d2b1e4f7a9c0b3d5e8f1a2c4b6d8e0f       -\tvendor/lib\0
 * ```
 *
 * The path is raw bytes after the tab, decoded with `decodePath` as the log parser does.
 */
export async function* parseTree(
  output: AsyncIterable<Uint8Array>,
  size = CHUNK_FILES,
): AsyncGenerator<TreeFile[]> {
  let carry: Buffer = Buffer.alloc(0);
  let chunk: TreeFile[] = [];
  for await (const bytes of output) {
    const buffer = carry.length === 0 ? Buffer.from(bytes) : Buffer.concat([carry, bytes]);
    let start = 0;
    for (let end = buffer.indexOf(0); end >= 0; end = buffer.indexOf(0, start)) {
      const file = toTreeFile(buffer.subarray(start, end));
      if (file !== undefined) chunk.push(file);
      start = end + 1;
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    carry = Buffer.from(buffer.subarray(start));
  }
  if (carry.length > 0) throw unexpected('it ends in the middle of an entry');
  if (chunk.length > 0) yield chunk;
}

function toTreeFile(entry: Buffer): TreeFile | undefined {
  const tab = entry.indexOf(0x09);
  if (tab < 0) throw unexpected(`an entry has no tab: ${entry.toString('latin1').slice(0, 200)}`);
  const [, type, , bytes] = entry.subarray(0, tab).toString('latin1').split(/ +/);
  if (type !== 'blob') return undefined;
  return { path: decodePath(entry.subarray(tab + 1)), bytes: Number(bytes) };
}

function unexpected(detail: string): MetreError {
  return new MetreError('METRE_PARSE_ERROR', `Unexpected git ls-tree output: ${detail}`);
}
