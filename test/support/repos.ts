import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, initRepo } from './git.js';

interface Person {
  readonly name: string;
  readonly email: string;
  readonly date: string;
}

const ada: Person = { name: 'Ada', email: 'ada@example.org', date: '2024-01-01T09:00:00+00:00' };
const bob: Person = { name: 'Bob', email: 'Bob@Example.org', date: '2024-01-07T23:30:00-08:00' };
const chen: Person = {
  name: 'Chen Wei',
  email: 'chen@example.in',
  date: '2024-01-08T10:00:00+05:30',
};
const bot: Person = {
  name: 'dependabot[bot]',
  email: 'bot@example.org',
  date: '2024-01-09T00:00:00+13:45',
};

function as(person: Person, at?: string): Record<string, string> {
  const date = at ?? person.date;
  return {
    GIT_AUTHOR_NAME: person.name,
    GIT_AUTHOR_EMAIL: person.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: person.name,
    GIT_COMMITTER_EMAIL: person.email,
    GIT_COMMITTER_DATE: date,
  };
}

function commitAll(dir: string, person: Person, message: string, at?: string): void {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', message], as(person, at));
}

const lines = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag} ${i}`).join('\n') + '\n';

/**
 * A small repository with every case the collector must get right: a root commit, a rename with
 * an edit, a binary file, file names with spaces, quotes, tabs, a newline and non-UTF-8 bytes, a
 * merge, an empty commit, an annotated and a light tag, an unmerged branch, four time zones.
 */
export function buildScriptedRepo(dir: string): string {
  initRepo(dir);
  writeFileSync(join(dir, 'a.txt'), lines(10, 'a'));
  writeFileSync(join(dir, 'sp ace.txt'), 'space\n');
  commitAll(dir, ada, 'root commit\n\nwith a body');
  git(dir, ['mv', 'a.txt', 'b.txt']);
  writeFileSync(join(dir, 'b.txt'), lines(10, 'a') + 'one more\n');
  writeFileSync(join(dir, 'bin.dat'), Buffer.from([0, 1, 2, 3, 0, 255]));
  commitAll(dir, bob, 'rename a to b, add a binary file');
  git(dir, ['checkout', '-q', '-b', 'feature']);
  writeFileSync(join(dir, 'quo"te.txt'), 'q\n');
  writeFileSync(join(dir, 'tab\there.txt'), 't\n');
  writeFileSync(join(dir, 'new\nline.txt'), 'n\n');
  mkdirSync(join(dir, 'dir with space'));
  writeFileSync(join(dir, 'dir with space', 'latin-\u00e9.txt'), 'utf8 name\n');
  writeFileSync(
    Buffer.concat([
      Buffer.from(join(dir, 'bytes-')),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('.txt'),
    ]),
    'x\n',
  );
  commitAll(dir, chen, 'odd names');
  git(dir, ['checkout', '-q', 'main']);
  writeFileSync(join(dir, 'b.txt'), lines(5, 'b'));
  commitAll(dir, ada, 'shrink b', '2024-01-08T12:00:00+00:00');
  git(
    dir,
    ['merge', '-q', '--no-ff', 'feature', '-m', 'Merge feature'],
    as(ada, '2024-01-08T13:00:00+00:00'),
  );
  commitAll(dir, bot, 'an empty commit');
  git(dir, ['tag', '-a', 'v1.0', '-m', 'release 1.0'], as(ada));
  git(dir, ['tag', 'light', 'HEAD~1']);
  git(dir, ['checkout', '-q', '-b', 'unmerged']);
  writeFileSync(join(dir, 'only-here.txt'), 'u\n');
  commitAll(dir, bob, 'unmerged work', '2024-01-10T08:00:00-08:00');
  git(dir, ['checkout', '-q', 'main']);
  return dir;
}

/** Adds `n` commits on the current branch of `dir`, each touching one file. */
export function addCommits(dir: string, n: number, tag: string): void {
  for (let i = 0; i < n; i++) {
    writeFileSync(join(dir, `${tag}.txt`), lines(i + 1, tag));
    commitAll(dir, ada, `${tag} ${i}`, `2024-02-0${1 + (i % 9)}T10:00:00+00:00`);
  }
}
