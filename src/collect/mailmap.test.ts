import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MailmapEntry } from '../core/index.js';
import { parseMailmap } from './mailmap.js';

const entry = (commitEmail: string, more: Partial<MailmapEntry> = {}): MailmapEntry => ({
  properName: null,
  properEmail: null,
  commitName: null,
  commitEmail,
  ...more,
});

describe('parseMailmap', () => {
  it('reads the four forms of gitmailmap(5)', () => {
    const text = [
      'Proper Name <commit@a>',
      '<proper@b> <commit@b>',
      'Proper Name <proper@c> <commit@c>',
      'Proper Name <proper@d> Commit Name <commit@d>',
    ].join('\n');
    expect(parseMailmap(text)).toEqual([
      entry('commit@a', { properName: 'Proper Name' }),
      entry('commit@b', { properEmail: 'proper@b' }),
      entry('commit@c', { properName: 'Proper Name', properEmail: 'proper@c' }),
      entry('commit@d', {
        properName: 'Proper Name',
        properEmail: 'proper@d',
        commitName: 'Commit Name',
      }),
    ]);
  });

  it('skips comments, blank lines and malformed lines, and trims names', () => {
    const text = [
      '# a comment <not@an.entry>',
      '',
      '   ',
      'Trailing <t@x> # a trailing comment',
      '\t Spaced  Name \t<s@x>\t',
      'Windows <w@x>\r',
      'no email at all',
      'Unterminated <u@x',
      'Empty <>',
      '<>',
      '> backwards <',
    ].join('\n');
    expect(parseMailmap(text)).toEqual([
      entry('t@x', { properName: 'Trailing' }),
      entry('s@x', { properName: 'Spaced  Name' }),
      entry('w@x', { properName: 'Windows' }),
    ]);
  });

  it('keeps emails as written and reads only the first two contacts of a line', () => {
    const text = 'A <a@x> B < b@x > C <c@x>\n <only@x>\nName <p@x> <>\n';
    expect(parseMailmap(text)).toEqual([
      entry(' b@x ', { properName: 'A', properEmail: 'a@x', commitName: 'B' }),
      entry('', { properName: 'Name', properEmail: 'p@x' }),
    ]);
  });

  it('is a comment only when `#` starts the line, as in git', () => {
    expect(parseMailmap(' # Name <n@x>')).toEqual([entry('n@x', { properName: '# Name' })]);
  });

  it('folds lines as git does: per email, later parts replace earlier ones', () => {
    const text = [
      'First <same@x>',
      '<proper@x> <SAME@x>',
      'Second <same@X>',
      'Old <o@x> Jo <j@x>',
      'New <n@x> JO <J@X>',
    ].join('\n');
    expect(parseMailmap(text)).toEqual([
      entry('same@x', { properName: 'Second', properEmail: 'proper@x' }),
      entry('j@x', { properName: 'New', properEmail: 'n@x', commitName: 'Jo' }),
    ]);
  });

  it('drops lines that change nothing', () => {
    expect(parseMailmap('<nothing@x>\n<p@x> <>\n')).toEqual([entry('', { properEmail: 'p@x' })]);
  });
});

/** git's case folding for mailmap keys (strcasecmp): ASCII letters only. */
const fold = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Applies parsed entries to a contact the way the entries' documentation says git does. */
function resolve(entries: readonly MailmapEntry[], name: string, email: string): string {
  const sameEmail = (e: MailmapEntry) => fold(e.commitEmail) === fold(email);
  const byName = entries.find(
    (e) => sameEmail(e) && e.commitName !== null && fold(e.commitName) === fold(name),
  );
  const hit = byName ?? entries.find((e) => sameEmail(e) && e.commitName === null);
  const mappedName = hit?.properName ?? name;
  const mappedEmail = hit?.properEmail ?? email;
  return mappedName === '' ? `<${mappedEmail}>` : `${mappedName} <${mappedEmail}>`;
}

describe('parseMailmap against git check-mailmap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metre-mailmap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const git = (args: readonly string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
    }).toString('utf8');

  const mailmap = [
    '# The team',
    'Jane Doe <jane@example.org> <jd@old.example>',
    'Jane Doe <jane@example.org> J. D. <JANE@home.example>',
    '<bob@new.example> <bob@example.org>',
    'Robert <bob@example.org>',
    'Chen Wei <chen@example.in> chen <Chen@Example.IN>',
    'Chen W. <chen2@example.in> CHEN wei <chen@example.in> # trailing comment',
    'Only Name <name-only@x>',
    '  Indented   <indented@x>  ',
    ' # not a comment <hash@x>',
    'Windows Line <crlf@x>\r',
    'Broken <broken@x',
    'Twice <twice@x>',
    'Twice Again <twice@x>',
    'Ghost <ghost@x> Someone <ghost-only@x>',
    '<proper-only@x> Named <proper-only-commit@x>',
    'Zoë <zoe@x> ZOË <zoe@x>',
  ].join('\n');

  const names = [
    'Someone',
    'J. D.',
    'j. d.',
    'chen',
    'Chen Wei',
    'CHEN WEI',
    'Named',
    'ZOË',
    'zoë',
  ];
  const emails = [
    'jd@old.example',
    'JD@OLD.EXAMPLE',
    'jane@home.example',
    'bob@example.org',
    'Bob@Example.Org',
    'chen@example.in',
    'name-only@x',
    'indented@x',
    'hash@x',
    'crlf@x',
    'broken@x',
    'twice@x',
    'ghost-only@x',
    'proper-only-commit@x',
    'zoe@x',
    'unknown@x',
  ];
  const contacts = emails.flatMap((email) => names.map((name) => ({ name, email })));

  it('maps every contact to what git maps it to', () => {
    git(['init', '-q', '.']);
    writeFileSync(join(dir, '.mailmap'), mailmap);
    const args = contacts.map(({ name, email }) => `${name} <${email}>`);
    const fromGit = git(['check-mailmap', ...args])
      .split('\n')
      .slice(0, -1);
    const entries = parseMailmap(mailmap);
    const ours = contacts.map(({ name, email }) => resolve(entries, name, email));
    expect(ours).toEqual(fromGit);
    // The check is only worth something if most contacts were mapped to something else.
    const changed = fromGit.filter((line, i) => line !== args[i]).length;
    expect(changed).toBeGreaterThan(contacts.length / 3);
  });
});
