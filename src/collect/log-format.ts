/**
 * The exact `git log` output metre asks for, shared by the collector, the parser's fixtures and
 * the benchmark's baseline (which must run git with the same flags).
 *
 * First pass (`COMMITS_PASS_ARGS`): each commit is printed as NUL-terminated fields (`-z` also
 * ends each record with NUL), records separated by an extra `\0`:
 *
 * ```text
 * @<sha>\0<parent sha> <parent sha>\0<author name>\0<author email>\0<epoch> <+hhmm>\0
 * <committer name>\0<committer email>\0<epoch> <+hhmm>\0<raw message>\0
 * ```
 *
 * Second pass (`FILES_PASS_ARGS`): the first pass already stored every header and message, so
 * git prints only `@<sha>\0` and the diff, `--raw --numstat -z`: first one raw entry per file,
 * `\n:<old mode> <new mode> <old blob> <new blob> <status>\0<path>\0` (the first entry of a
 * commit starts with the newline; renames and copies, status `R086` or `C100`, carry two paths
 * `<old>\0<new>\0`), then one numstat entry per file, `<added>\t<deleted>\t<path>\0`, or for a
 * rename or copy `<added>\t<deleted>\t\0<old>\0<new>\0`; binary files show `-\t-`. Merges and
 * commits touching no file print no diff: `@<sha>\0` alone. Records are separated by an extra
 * `\0`:
 *
 * ```text
 * @<sha>\0\n:100644 100644 6b751d8 658d08e M\0b.txt\0…1\t0\tb.txt\0…\0@<sha>\0\0@<sha>\0…
 * ```
 */
export const COMMIT_FORMAT =
  '--format=format:@%H%x00%P%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd%x00%B%x00';

/** The second pass's format: the sha alone, the diff follows. */
export const FILES_FORMAT = '--format=format:@%H%x00';

/** Flags common to both passes: raw dates, no decoration, nothing from user config. */
const COMMON = [
  '-z',
  '--date=raw',
  '--encoding=UTF-8',
  '--no-color',
  '--no-decorate',
  '--no-show-signature',
];

/** First pass: commit metadata only (git prints it about 15 times faster than with a diff). */
export const COMMITS_PASS_ARGS: readonly string[] = ['log', ...COMMON, COMMIT_FORMAT];

/** Second pass: the same walk with per-file status and line counts, renames detected. */
export const FILES_PASS_ARGS: readonly string[] = [
  'log',
  ...COMMON,
  FILES_FORMAT,
  '--raw',
  '--numstat',
  '-M',
  '--diff-algorithm=myers',
  '--no-ext-diff',
  '--no-textconv',
];
