import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyzeReport } from '../src/cli/analyze.js';
import { renderHtmlReport } from '../src/cli/report-html.js';
import { renderTextReport } from '../src/cli/report-text.js';
import { git, gitTruth, tempDir } from './support/git.js';
import { runMetre } from './support/metre-process.js';
import { buildScriptedRepo } from './support/repos.js';

/**
 * Text from the repository no page may interpret. git drops `<` and `>` from author names, so the
 * markup comes in through the repository's path and name; the author name keeps the rest.
 */
const HOSTILE_AUTHOR = '<script>alert(1)</script>&"\'';
const HOSTILE_DIR = '<script>alert(1)</script>';
const NAME = '<img src=x onerror=alert(1)>';
/** What git stores of the hostile author's name. */
let hostileName = '';

let ws: { path: string; remove: () => void };
let repo: string;
let env: Record<string, string>;

function commitAs(name: string, email: string, date: string, file: string, text: string): void {
  writeFileSync(join(repo, file), text);
  git(repo, ['add', '-A']);
  const who = { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_AUTHOR_DATE: date };
  git(repo, ['commit', '-q', '-m', `work by ${name}`], { ...who, GIT_COMMITTER_DATE: date });
}

beforeAll(() => {
  ws = tempDir();
  repo = buildScriptedRepo(join(ws.path, HOSTILE_DIR));
  // A hostile author, in March: February stays empty, so the months must be zero-filled.
  commitAs(HOSTILE_AUTHOR, 'evil@example.net', '2024-03-05T16:20:00+02:00', 'evil.txt', 'x\ny\n');
  hostileName = git(repo, ['log', '-1', '--format=%an']).trim();
  env = { METRE_HOME: join(ws.path, 'home') };
});
afterAll(() => ws.remove());

/** What git says about the default branch, computed without metre. */
function truth() {
  const log = (format: string) =>
    git(repo, ['log', `--format=${format}`, 'HEAD'])
      .split('\n')
      .filter((line) => line !== '');
  const emails = log('%aE').map((e) => e.toLowerCase());
  const perPerson = new Map<string, number>();
  for (const email of emails) perPerson.set(email, (perPerson.get(email) ?? 0) + 1);
  const humans = log('%aN\t%aE')
    .filter((line) => !/\[bot\]\t/.test(line))
    .map((line) => line.split('\t')[1]!.toLowerCase());
  const days = log('%at').map((s) => new Date(Number(s) * 1000).toISOString().slice(0, 10));
  const lines = gitTruth(repo).lines;
  const shas = log('%H');
  const merges = Number(git(repo, ['rev-list', '--count', '--merges', 'HEAD']).trim());
  return {
    commits: Number(git(repo, ['rev-list', '--count', 'HEAD']).trim()),
    merges,
    people: perPerson.size,
    perPerson,
    absenceFactor: factor(humans),
    firstDay: days.reduce((a, b) => (a < b ? a : b)),
    lastDay: days.reduce((a, b) => (a > b ? a : b)),
    // git log shows no diff for a merge: merges count 0 lines, as in metre.
    added: shas.reduce((sum, sha) => sum + (lines.get(sha)?.added ?? 0), 0),
    deleted: shas.reduce((sum, sha) => sum + (lines.get(sha)?.deleted ?? 0), 0),
  };
}

/** The smallest number of people whose commits add up to more than half. */
function factor(authors: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const a of authors) counts.set(a, (counts.get(a) ?? 0) + 1);
  const sorted = [...counts.values()].sort((x, y) => y - x);
  let sum = 0;
  for (const [i, n] of sorted.entries()) {
    sum += n;
    if (sum * 2 > authors.length) return i + 1;
  }
  return sorted.length;
}

function analyzeJson(...extra: string[]): AnalyzeReport {
  const result = runMetre(['analyze', repo, '--name', NAME, '--format', 'json', ...extra], env);
  expect(result.stderr).not.toMatch(/\berror\b/i);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as AnalyzeReport;
}

/** A report fits under a screen: at most 40 lines of at most 100 columns. */
function expectOneScreen(text: string) {
  const lines = text.trimEnd().split('\n');
  expect(lines.length).toBeLessThanOrEqual(40);
  for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(100);
}

describe('metre analyze', () => {
  let htmlPath = '';

  it('collects, then prints a one-screen report of git’s own numbers', () => {
    const result = runMetre(['analyze', repo, '--name', NAME, '--open'], env);
    expect(result.stderr).not.toMatch(/\berror\b/i);
    expect(result.code).toBe(0);
    const t = truth();
    const out = result.stdout;
    const [report, htmlLine = ''] = splitHtmlLine(out);
    expectOneScreen(report);
    expect(out.startsWith(`metre analyze: ${NAME} (${repo})\n`)).toBe(true);
    expect(out).toMatch(/this run collected [1-9]\d* new commits/);
    expect(out).toMatch(
      new RegExp(`Commits +${t.commits} \\(${t.merges} merges?\\) +People +${t.people}\n`),
    );
    expect(out).toMatch(new RegExp(`First commit +${t.firstDay} +Last commit +${t.lastDay}\n`));
    expect(out).toMatch(new RegExp(`\nLines +\\+${t.added} / -${t.deleted}\n`));
    expect(out).toMatch(new RegExp(`\nAbsence factor +${t.absenceFactor}: Ada \\d+%, `));
    expect(out).toMatch(/Top contributors\n +# +NAME +EMAIL +COMMITS +SHARE +LINES\n +1 +Ada /);
    expect(out).toContain(`  ${hostileName}  `); // as plain text in a terminal
    expect(out).toMatch(/Commits per month \(UTC\) +Punch card/);
    expect(out).toMatch(/\n2024-01 █+ +6 /);
    expect(out).toMatch(/\n2024-02 +0 /);
    expect(out).toMatch(/\n2024-03 █* ?[▏▎▍▌▋▊▉]? +1 /);
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) {
      expect(out).toMatch(new RegExp(`\\s${day}( [ ░▒▓█]+)?\n`));
    }

    expect(htmlLine).toMatch(
      /^HTML report: .*[/\\]reports[/\\]_img_src_x_onerror_alert_1__-\d{8}-\d{6}\.html$/,
    );
    htmlPath = htmlLine.slice('HTML report: '.length);
    expect(htmlPath.startsWith(join(ws.path, 'home', 'reports'))).toBe(true);
  });

  it('writes a self-contained HTML report where repository text stays text', () => {
    expect(existsSync(htmlPath)).toBe(true);
    const html = readFileSync(htmlPath, 'utf8');
    const t = truth();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(hostileName).toContain('&');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;'); // the path
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;'); // the name
    expect(html).toContain(
      `<td>${hostileName.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</td>`,
    );
    expect(html).not.toMatch(/<(script|img)/i);
    expect(html).not.toMatch(/<[^>]*\b(src|href)=|@import|url\(/i); // nothing fetched
    expect(html).toContain(`<dt>Commits</dt><dd>${t.commits} (${t.merges} merge`);
    expect(html).toContain(`<dt>People</dt><dd>${t.people}</dd>`);
    expect(html).toContain(`<dd>${t.firstDay}</dd>`);
    expect(html).toContain(`<dd>${t.lastDay}</dd>`);
    expect(html).toContain(`<dd>+${t.added}</dd>`);
    expect(html).toContain('<svg');
  });

  it('prints the same numbers as JSON, incrementally and from the cache on a second run', () => {
    const report = analyzeJson();
    const t = truth();
    expect(report).toMatchObject({
      repository: NAME,
      source: repo,
      defaultBranch: 'main',
      head: git(repo, ['rev-parse', 'HEAD']).trim(),
      collected: { commits: 0, fileChanges: 0, removed: 0 },
      commits: t.commits,
      merges: t.merges,
      people: t.people,
      firstCommit: t.firstDay,
      lastCommit: t.lastDay,
      lines: { added: t.added, deleted: t.deleted, commitsWithoutLines: 0 },
      absenceFactor: { value: t.absenceFactor, threshold: 0.5 },
    });
    expect(report.htmlReport).toBeUndefined();
    expect(Object.values(report.cached).length).toBeGreaterThanOrEqual(6);
    expect(Object.values(report.cached).every((c) => c)).toBe(true);

    const counted = report.absenceFactor.people;
    expect(counted).toHaveLength(t.absenceFactor);
    expect(counted[0]).toMatchObject({ name: 'Ada', commits: t.perPerson.get('ada@example.org') });
    const top = report.topContributors;
    expect(top.map((p) => p.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(top[0]).toMatchObject({ name: 'Ada', commits: t.perPerson.get('ada@example.org') });
    expect(top.find((p) => p.name === hostileName)).toMatchObject({
      email: 'evil@example.net',
      commits: 1,
    });
    expect(top.reduce((sum, p) => sum + p.commits, 0)).toBe(t.commits);

    expect(report.commitsPerMonth).toEqual([
      { month: '2024-01', commits: t.commits - 1 },
      { month: '2024-02', commits: 0 },
      { month: '2024-03', commits: 1 },
    ]);
    expect(report.punchCard).toHaveLength(7);
    for (const row of report.punchCard) expect(row).toHaveLength(24);
    expect(report.punchCard.flat().reduce((a, b) => a + b, 0)).toBe(t.commits);
    expect(report.punchCard[1]?.[16]).toBe(1); // Tuesday 16:20 on the hostile author's clock
    expect(report.punchCard[6]?.[23]).toBe(1); // Bob: Sunday 23:30 at -08:00
  });

  it('collects only what is new and recomputes what it changes', () => {
    commitAs('Ada', 'ada@example.org', '2024-04-02T08:00:00+00:00', 'late.txt', 'late\n');
    const report = analyzeJson('--open');
    const t = truth();
    expect(report.collected.commits).toBe(1);
    expect(report).toMatchObject({ commits: t.commits, lastCommit: '2024-04-02' });
    expect(report.cached.commits).toBe(false);
    expect(report.commitsPerMonth.at(-1)).toEqual({ month: '2024-04', commits: 1 });
    expect(report.htmlReport).toMatch(
      /[/\\]reports[/\\]_img_src_x_onerror_alert_1__-\d{8}-\d{6}\.html$/,
    );
    expect(readFileSync(report.htmlReport!, 'utf8')).toContain(
      `<dt>Commits</dt><dd>${t.commits} (`,
    );
  });

  it('ends in one coded line for a missing path', () => {
    const result = runMetre(['analyze', join(ws.path, 'nowhere')], env);
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => /error/i.test(line))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^metre: error METRE_REPO_NOT_FOUND: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });
});

describe('the report renderers', () => {
  /** Twenty years of history, long names, and text no terminal or page should interpret. */
  function longReport(): AnalyzeReport {
    const months = Array.from({ length: 240 }, (_, i) => ({
      month: `${2001 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
      commits: (i * 37) % 500,
    }));
    const commits = months.reduce((sum, m) => sum + m.commits, 0);
    const people = Array.from({ length: 5 }, (_, i) => ({
      person: `p${i}@example.org`,
      name: `${i === 0 ? '\u001b[31mred\u001b]0;title\u0007' : 'A very long name'} ${'x'.repeat(40)}`,
      commits: 1000 - i,
      share: 0.1,
    }));
    return {
      repository: 'big',
      source: `https://example.org/${'deep/'.repeat(30)}big.git`,
      defaultBranch: 'main',
      head: 'a'.repeat(40),
      dataVersion: '12',
      collected: { commits: 0, fileChanges: 0, removed: 0, durationMs: 1234 },
      commits,
      merges: 1234,
      people: 4321,
      firstCommit: '2001-01-03',
      lastCommit: '2020-12-30',
      lines: { added: 123_456_789, deleted: 98_765_432, commitsWithoutLines: 12 },
      absenceFactor: { value: 12, threshold: 0.5, people: [...people, ...people, ...people] },
      topContributors: people.map((p, i) => ({
        ...p,
        rank: i + 1,
        email: `${'long'.repeat(12)}@example.org`,
        added: 1_234_567,
        deleted: 765_432,
      })),
      commitsPerMonth: months,
      punchCard: Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => d * h)),
      cached: {},
    };
  }

  it('keeps a long history under a screen, grouping months', () => {
    const text = renderTextReport(longReport());
    expectOneScreen(text);
    expect(text).toContain('Commits per year (UTC)');
    expect(text).toMatch(/\n2001 /);
    expect(text).toMatch(/\n2020 /);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('(12 commits not counted yet)');
    expect(text).toMatch(/Sun .*█/);
  });

  it('groups into quarters when months do not fit, and into runs of years beyond', () => {
    const report = longReport();
    const quarters = renderTextReport({
      ...report,
      commitsPerMonth: report.commitsPerMonth.slice(0, 48),
    });
    expect(quarters).toContain('Commits per quarter (UTC)');
    expect(quarters).toMatch(/\n2001-Q1 /);
    expect(quarters).toMatch(/\n2004-Q4 /);
    const months = Array.from({ length: 600 }, (_, i) => ({
      month: `${1975 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
      commits: 1,
    }));
    const decades = renderTextReport({ ...report, commitsPerMonth: months });
    expectOneScreen(decades);
    expect(decades).toContain('Commits per 3 years (UTC)');
    expect(decades).toMatch(/\n1974–1976 [█▏▎▍▌▋▊▉]+ +24 /); // 1975 and 1976 only
  });

  it('says so when there is no commit yet', () => {
    const empty: AnalyzeReport = {
      ...longReport(),
      head: null,
      commits: 0,
      merges: 0,
      people: 0,
      firstCommit: null,
      lastCommit: null,
      absenceFactor: { value: null, threshold: 0.5, people: [] },
      topContributors: [],
      commitsPerMonth: [],
      punchCard: Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0)),
    };
    const text = renderTextReport(empty);
    expectOneScreen(text);
    expect(text).toContain('No commits on the default branch yet.');
    expect(renderHtmlReport(empty, new Date())).toContain('No commits on the default branch yet.');
  });

  it('escapes every repository string in HTML', () => {
    const report = longReport();
    const html = renderHtmlReport(
      {
        ...report,
        repository: '"><img src=x onerror=alert(1)>',
        source: "<iframe src='x'>",
        topContributors: report.topContributors.map((p) => ({ ...p, email: '<b>@x' })),
      },
      new Date(),
    );
    expect(html).not.toMatch(/<(img|iframe|b)\b/);
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;iframe src=&#39;x&#39;&gt;');
    expect(html).toContain('&lt;b&gt;@x');
  });
});

/** The text report, and the `HTML report: <path>` line `--open` adds after it. */
function splitHtmlLine(out: string): [string, string | undefined] {
  const lines = out.trimEnd().split('\n');
  const last = lines.at(-1) ?? '';
  if (!last.startsWith('HTML report: ')) return [out, undefined];
  return [lines.slice(0, -1).join('\n'), last];
}
