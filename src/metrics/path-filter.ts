import { z } from 'zod';
import type { MetricContext } from './metric.js';
import type { SqlBuilder } from './sql-builder.js';

/**
 * The `path` parameter of file metrics: which files count. One rule:
 *
 * - a pattern without `*` or `?` is a path: it matches that file and every file under it as a
 *   directory (`src` matches `src` and `src/a.ts`, not `srcx/a.ts`); a trailing `/` is ignored;
 * - a pattern with `*` or `?` is a glob matched against the whole path: `*` matches any run of
 *   characters within one segment (no `/`), `?` one character other than `/`, `**` any run of
 *   characters across segments, and `**` as a whole segment matches zero or more segments
 *   (`src/**\/*.ts` matches `src/a.ts` and `src/x/y/a.ts`; `**\/test` matches `test` and
 *   `a/test`). Every other character, `[` included, matches itself.
 *
 * Paths are relative to the repository root (a leading `/` is ignored) and compared exactly,
 * case-sensitively; a renamed file is matched by its new path.
 */
export const PATH_RULE =
  'A path filter without * or ? matches that path and everything under it as a directory; with ' +
  'them it is a glob on the whole path, where * matches within one segment, ? one character ' +
  'other than /, ** across segments (as a whole segment, zero or more segments); a renamed file ' +
  'is matched by its new path.';

/** The `path` parameter: optional, a non-empty pattern. */
export const pathParam = z
  .string()
  .transform((value) => value.replace(/^\/+/, '').replace(/\/+$/, ''))
  .refine((value) => value !== '', 'expected a path or a glob')
  .optional();

/** Whether a pattern is a glob (else a path or directory). */
export const isGlob = (pattern: string): boolean => /[*?]/.test(pattern);

/** Escapes LIKE's `%`, `_` and the escape character `\` itself. */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Escapes ASCII punctuation for the regular expressions of `SqlFragments.fullMatch`. */
const regexLiteral = (char: string): string => (/[!-/:-@[-`{-~]/.test(char) ? `\\${char}` : char);

/**
 * A LIKE pattern (escape character `\`) every path the glob matches also matches: a cheap
 * pre-filter, exact for globs whose wildcards never meet a `/`.
 */
export function globToLike(glob: string): string {
  let like = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (char === '*') {
      while (glob[i + 1] === '*') i++;
      if (glob.slice(i - 1, i + 1) === '**' && glob[i + 1] === '/') i++; // `**/`: zero segments
      like += '%';
    } else if (char === '?') like += '_';
    else like += likeLiteral(char);
  }
  return like;
}

/** The glob as a full-match regular expression in the subset `SqlFragments.fullMatch` reads. */
export function globToRegex(glob: string): string {
  const ANY = '([^/]|/)*';
  let regex = '';
  let i = 0;
  while (i < glob.length) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      let end = i;
      while (glob[end] === '*') end++;
      const wholeSegment =
        (i === 0 || glob[i - 1] === '/') && (end === glob.length || glob[end] === '/');
      if (wholeSegment && glob[end] === '/') {
        regex += `(${ANY}/)?`; // zero or more whole segments, each ending in `/`
        i = end + 1;
      } else {
        regex += ANY;
        i = end;
      }
    } else {
      regex += char === '*' ? '[^/]*' : char === '?' ? '[^/]' : regexLiteral(char);
      i++;
    }
  }
  return regex;
}

/**
 * A SQL condition on the path expression `column` (bound, never spliced), or `TRUE` without a
 * filter.
 *
 * @example `WHERE ${pathCondition(b, context, 'fc.path', p.path)}`
 */
export function pathCondition(
  b: SqlBuilder,
  context: MetricContext,
  column: string,
  pattern: string | undefined,
): string {
  if (pattern === undefined) return 'TRUE';
  if (!isGlob(pattern)) {
    return `(${column} = ${b.bind(pattern)} OR ${column} LIKE ${b.bind(`${likeLiteral(pattern)}/%`)} ESCAPE '\\')`;
  }
  const like = `${column} LIKE ${b.bind(globToLike(pattern))} ESCAPE '\\'`;
  return `(${like} AND ${context.sql.fullMatch(column, b.bind(globToRegex(pattern)))})`;
}
