import type { MailmapEntry } from '../core/index.js';

// git's own isspace (ctype.c): space, tab, line feed and carriage return; not \v or \f.
const isSpace = (char: string | undefined) =>
  char === ' ' || char === '\t' || char === '\n' || char === '\r';

/** One `Name <email>` read from the start of `text`, and the text after its `>`. */
interface Contact {
  readonly name: string | null;
  readonly email: string;
  readonly rest: string;
}

/**
 * git's `parse_name_and_email`: the name is whatever precedes the first `<`, trimmed (null when
 * empty); the email is everything between it and the next `>`, kept as written.
 */
function readContact(text: string, allowEmptyEmail: boolean): Contact | undefined {
  const left = text.indexOf('<');
  const right = left < 0 ? -1 : text.indexOf('>', left + 1);
  if (right < 0 || (!allowEmptyEmail && right === left + 1)) return undefined;
  let start = 0;
  let end = left;
  while (start < end && isSpace(text[start])) start++;
  while (end > start && isSpace(text[end - 1])) end--;
  const name = start < end ? text.slice(start, end) : null;
  return { name, email: text.slice(left + 1, right), rest: text.slice(right + 1) };
}

/** git's `read_mailmap_line`: one entry, or undefined for a comment or a malformed line. */
function readLine(line: string): MailmapEntry | undefined {
  if (line.startsWith('#')) return undefined;
  const proper = readContact(line, false);
  if (proper === undefined) return undefined;
  // Anything after the last `>` that is not a second contact (a trailing comment) is ignored.
  const commit = proper.rest === '' ? undefined : readContact(proper.rest, true);
  if (commit === undefined) {
    const { name, email } = proper;
    return { properName: name, properEmail: null, commitName: null, commitEmail: email };
  }
  return {
    properName: proper.name,
    properEmail: proper.email,
    commitName: commit.name,
    commitEmail: commit.email,
  };
}

/** git compares mailmap names and emails with strcasecmp: ASCII letters only. */
const foldCase = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Parses a `.mailmap` (gitmailmap(5)) exactly as git reads it, into entries that need no order to
 * be applied. Each line is one of
 *
 * ```
 * Proper Name <commit@email>
 * <proper@email> <commit@email>
 * Proper Name <proper@email> <commit@email>
 * Proper Name <proper@email> Commit Name <commit@email>
 * ```
 *
 * A line starting with `#` is a comment, text after the last `>` is ignored, and a malformed
 * line is skipped, as git does. Lines are folded the way git folds them: the lines without a
 * commit name for one email (compared ASCII case-insensitively) become one entry, a later line
 * replacing only the parts it gives; of the lines with a commit name, the last for each email and
 * name wins. Entries that would change nothing are dropped.
 *
 * To apply the entries to a signature, as git does: use the entry whose commit email and commit
 * name both match (ASCII case-insensitively), else the entry for the email with no commit name;
 * its proper name and email replace the signed ones where they are not null.
 *
 * @example
 * parseMailmap('Jane Doe <jane@example.org> <jd@old.example>\n')
 * // [{ properName: 'Jane Doe', properEmail: 'jane@example.org', commitName: null,
 * //    commitEmail: 'jd@old.example' }]
 */
export function parseMailmap(text: string): MailmapEntry[] {
  const entries = new Map<string, MailmapEntry>();
  for (const line of text.split('\n')) {
    const entry = readLine(line);
    if (entry === undefined) continue;
    const key = JSON.stringify([
      foldCase(entry.commitEmail),
      entry.commitName && foldCase(entry.commitName),
    ]);
    entries.set(key, fold(entries.get(key), entry));
  }
  return [...entries.values()].filter(
    (entry) => entry.properName !== null || entry.properEmail !== null,
  );
}

/** git's `add_mapping`: what a line adds to the entry already read for the same key. */
function fold(earlier: MailmapEntry | undefined, entry: MailmapEntry): MailmapEntry {
  if (earlier === undefined) return entry;
  // git keeps the spelling of the first line's key and, for a line with a commit name, only the
  // last line's proper name and email; a line without one fills in the parts it gives.
  const keyed = { commitName: earlier.commitName, commitEmail: earlier.commitEmail };
  if (entry.commitName !== null) {
    return { properName: entry.properName, properEmail: entry.properEmail, ...keyed };
  }
  return {
    properName: entry.properName ?? earlier.properName,
    properEmail: entry.properEmail ?? earlier.properEmail,
    ...keyed,
  };
}
