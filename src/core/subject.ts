/**
 * git's subject line of a message: the first paragraph, each line trimmed at its end, joined by
 * single spaces (what `%s` prints), so it is derived here instead of asking git for it twice.
 *
 * @example subjectOf('fix the parser\nin two lines\n\nbody') === 'fix the parser in two lines'
 */
export function subjectOf(message: string): string {
  const lines: string[] = [];
  for (const line of message.replace(/^\n+/, '').split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === '') break;
    lines.push(trimmed);
  }
  return lines.join(' ');
}
