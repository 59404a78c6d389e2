import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../../bench/make-repo.js';
import { DEFAULT_BOT_PATTERNS } from '../../src/metrics/index.js';
import { git, initRepo, tempDir } from '../support/git.js';
import { botKeys, countBy, readHistory, type HistoryCommit } from '../support/history.js';
import { browserAvailable, launchBrowser, readCanvases, screenshot, waitUntil } from './browser.js';
import { buildWeb, getJson, startServe, type Served } from './serve.js';

interface MetricJson {
  readonly definition: string;
  readonly result: {
    readonly kind: string;
    readonly value?: number | null;
    readonly total?: Record<string, number>;
    readonly rows?: Record<string, string | number | null>[];
  };
}

interface RepoJson {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly lastError: string | null;
  readonly commits: number;
}

/** The digits of a formatted number (`1,500` → 1500). */
const digits = (text: string | null): number => Number((text ?? '').replace(/[^\d]/g, ''));

/** The contributor absence factor from counts: fewest people with more than half the commits. */
function absenceFactor(counts: readonly number[], threshold = 0.5): number {
  const sorted = [...counts].sort((a, b) => b - a);
  const all = sorted.reduce((s, n) => s + n, 0);
  let sum = 0;
  for (const [i, n] of sorted.entries()) {
    sum += n;
    if (sum > all * threshold) return i + 1;
  }
  return sorted.length;
}

/** A git repository whose root commit object is gone: `git log` fails, so collecting it does. */
function brokenRepo(dir: string): string {
  initRepo(dir);
  for (const n of [1, 2, 3]) {
    writeFileSync(join(dir, 'f.txt'), `${n}\n`);
    git(dir, ['add', 'f.txt']);
    git(dir, ['commit', '-q', '-m', `commit ${n}`]);
  }
  const root = git(dir, ['rev-list', '--max-parents=0', 'HEAD']).trim();
  rmSync(join(dir, '.git', 'objects', root.slice(0, 2), root.slice(2)));
  return dir;
}

const run = browserAvailable();

describe.skipIf(!run)('the web dashboard in Chromium, against metre serve', () => {
  const tmp = tempDir('metre-web-');
  const repoDir = join(tmp.path, 'synthetic');
  let served: Served;
  let browser: Browser;
  let page: Page;
  let history: HistoryCommit[];
  let repo: RepoJson;
  const pageErrors: string[] = [];
  const api = (path: string) => `${served.url}/api${path}`;

  beforeAll(async () => {
    const webDir = join(tmp.path, 'web');
    buildWeb(webDir);
    await makeRepo(repoDir, { commits: 1500, seed: 11, authors: 15, years: 3, tagEvery: 150 });
    history = readHistory(repoDir);
    served = await startServe({
      HOME: tmp.path,
      METRE_HOME: join(tmp.path, 'home'),
      METRE_STORE: `duckdb:${join(tmp.path, 'metre.duckdb')}`,
      METRE_WEB_DIR: webDir,
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // A refused request is logged by the browser; those are expected here (bad input).
      const text = message.text();
      if (message.type() === 'error' && !text.startsWith('Failed to load resource'))
        pageErrors.push(text);
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.remove();
  });

  it('adds a generated repository through the form and shows its status until up to date', async () => {
    await page.goto(`${served.url}/`);
    await waitUntil(page, "document.title === 'Repositories · metre'");
    await page.fill('#add-url', repoDir);
    await page.fill('#add-name', 'synthetic');
    await page.click('button[type=submit]');
    const status = page.locator('tr[data-repo="synthetic"] [data-testid=repo-status]');
    const seen = new Set<string>();
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const text = (await status.textContent({ timeout: 10_000 })) ?? '';
      seen.add(text.replace(/[\d,]+/g, 'N'));
      if (text === 'up to date') break;
      expect(text).not.toBe('failed');
      await page.waitForTimeout(100);
    }
    expect([...seen]).toContain('up to date');
    for (const text of seen)
      expect(text).toMatch(/^(queued|collecting( \w+)?( N( of N)?)?|up to date)$/);
    const list = await getJson<{ items: RepoJson[] }>(api('/repositories'));
    repo = list.items.find((r) => r.name === 'synthetic')!;
    expect(repo.status).toBe('up-to-date');
    const commits = page.locator('tr[data-repo="synthetic"] [data-testid=repo-commits]');
    expect(digits(await commits.textContent())).toBe(history.length);
    expect(repo.commits).toBe(history.length);
    await screenshot(page, 'repositories');
  }, 240_000);

  it('draws every chart of the dashboard, with the numbers of the API and of git', async () => {
    await page.goto(`${served.url}/#/repo/${repo.id}`);
    await page.waitForSelector('.dashboard[data-ready="true"]', { timeout: 120_000 });

    // Every canvas painted: the time charts in their first series' colour, the punch card in many.
    const canvases = await readCanvases(page);
    const panels = [
      'commits',
      'lines',
      'contributors',
      'factors',
      'punch-card',
      'languages',
      'releases',
    ];
    for (const panel of panels) {
      const drawn = canvases.filter((c) => c.panel === panel);
      expect(drawn.length, `a canvas in ${panel}`).toBeGreaterThan(0);
      for (const canvas of drawn) {
        expect(canvas.painted, `${panel} painted`).toBeGreaterThan(
          canvas.width * canvas.height * 0.01,
        );
        if (panel === 'punch-card') continue; // a heatmap: checked by its colours below
        expect(canvas.seriesPixels, `${panel} drew its first series`).toBeGreaterThan(20);
      }
    }
    const punch = canvases.find((c) => c.panel === 'punch-card')!;
    expect(punch.colours).toBeGreaterThan(5);
    const states = await page
      .locator('[data-panel]')
      .evaluateAll((els) =>
        els.map((el) => `${el.getAttribute('data-panel')}:${el.getAttribute('data-state')}`),
      );
    expect(states.length).toBeGreaterThanOrEqual(9);
    for (const state of states) expect(state).toMatch(/:fresh$/);

    // The headline numbers: the API's for the same (default) parameters, and git's own.
    const metric = (id: string) => getJson<MetricJson>(api(`/metrics/${id}?repo=${repo.id}`));
    const [commits, contributors, absence, top] = await Promise.all([
      metric('commits'),
      metric('contributors'),
      metric('contributor-absence-factor'),
      metric('top-contributors'),
    ]);
    const stat = async (id: string) =>
      page.locator(`[data-testid=stat-${id}]`).first().textContent();
    const person = (c: HistoryCommit) => c.mappedEmail.toLowerCase();
    const perPerson = countBy(history, person);
    const bots = botKeys(history, person, DEFAULT_BOT_PATTERNS);
    const humans = [...perPerson].filter(([key]) => !bots.has(key)).map(([, n]) => n);

    expect(digits(await stat('commits'))).toBe(commits.result.total?.commits);
    expect(commits.result.total?.commits).toBe(history.length);
    expect(digits(await stat('people'))).toBe(contributors.result.total?.contributors);
    expect(contributors.result.total?.contributors).toBe(perPerson.size);
    expect(digits(await stat('absence'))).toBe(absence.result.value);
    expect(absence.result.value).toBe(absenceFactor(humans));
    const first = top.result.rows?.[0];
    expect(await stat('top')).toBe(first?.name);
    expect(first?.commits).toBe(Math.max(...perPerson.values()));
    const topNames = new Set(
      history.filter((c) => person(c) === first?.person).map((c) => c.mappedName),
    );
    expect(topNames).toContain(first?.name);

    // A definition on demand: the metric's own paragraph.
    const commitsPanel = page.locator('[data-panel=commits]');
    await commitsPanel.locator('summary', { hasText: 'Definition' }).click();
    await expect(commitsPanel.locator('details.definition').textContent()).resolves.toContain(
      commits.definition,
    );

    // The CSV download is what the chart shows: the API's own CSV for the same parameters.
    const csv = async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        commitsPanel.locator('button', { hasText: 'CSV' }).click(),
      ]);
      const path = await download.path();
      const { readFileSync } = await import('node:fs');
      return readFileSync(path, 'utf8');
    };
    const apiCsv = await (await fetch(api(`/metrics/commits?repo=${repo.id}&format=csv`))).text();
    const whole = await csv();
    expect(whole).toBe(apiCsv);

    // Keyboard: the chart takes focus, `+` zooms in, and the download follows the zoom.
    await commitsPanel.locator('.chart').focus();
    await page.keyboard.press('+');
    await page.waitForSelector('button:has-text("Reset zoom")');
    const zoomed = await csv();
    const rows = (text: string) => text.trim().split('\n').length - 1;
    expect(rows(zoomed)).toBeGreaterThan(0);
    expect(rows(zoomed)).toBeLessThan(rows(whole));
    expect(apiCsv).toContain(zoomed.split('\n').slice(1, 3).join('\n'));
    await page.click('button:has-text("Reset zoom")');

    await screenshot(page, 'dashboard');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await screenshot(page, 'dashboard-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await screenshot(page, 'dashboard-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 240_000);

  it('shows the API’s message next to the URL field for a bad URL', async () => {
    const bad = 'ext::sh -c touch% /tmp/pwned';
    const response = await fetch(api('/repositories'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: bad }),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as {
      detail: string;
      errors?: { path: string; message: string }[];
    };
    // The message the API gives for the field, else its detail.
    const expected = problem.errors?.find((e) => /url/.test(e.path))?.message ?? problem.detail;
    await page.goto(`${served.url}/#/`);
    await page.fill('#add-url', bad);
    await page.click('button[type=submit]');
    const error = page.locator('#add-url-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(expected);
    await expect(page.getAttribute('#add-url', 'aria-invalid')).resolves.toBe('true');
    await screenshot(page, 'repositories-bad-url');
  }, 60_000);

  it('shows the reason of a failed collection', async () => {
    const dir = brokenRepo(join(tmp.path, 'broken'));
    await page.goto(`${served.url}/#/`);
    await page.fill('#add-url', dir);
    await page.fill('#add-name', 'broken');
    await page.click('button[type=submit]');
    const row = page.locator('tr[data-repo="broken"]');
    await row
      .locator('[data-testid=repo-status]', { hasText: 'failed' })
      .waitFor({ timeout: 120_000 });
    const list = await getJson<{ items: RepoJson[] }>(api('/repositories'));
    const broken = list.items.find((r) => r.name === 'broken')!;
    expect(broken.status).toBe('failed');
    expect(broken.lastError).toBeTruthy();
    await expect(row.locator('[data-testid=repo-error]').textContent()).resolves.toBe(
      broken.lastError,
    );
    await screenshot(page, 'repositories-failed');

    // Its schedule changes from the list, and it is deleted after a confirmation.
    await row.locator('select').first().selectOption('weekly');
    const scheduled = async () =>
      (await getJson<RepoJson & { schedule: string }>(api(`/repositories/${broken.id}`))).schedule;
    for (let i = 0; i < 50 && (await scheduled()) !== 'weekly'; i++) await page.waitForTimeout(100);
    expect(await scheduled()).toBe('weekly');
    await row.locator('button', { hasText: 'Delete…' }).click();
    await row.locator('button', { hasText: 'Delete broken' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await fetch(api(`/repositories/${broken.id}`))).status).toBe(404);
  }, 180_000);

  it('compares repositories, explores any metric with its generated form, and lists people', async () => {
    await page.goto(`${served.url}/#/compare?repos=${repo.id}&metric=commits`);
    await page.waitForSelector('[data-panel=compare][data-state=fresh] canvas');
    const compared = (await readCanvases(page)).filter((c) => c.panel === 'compare');
    expect(compared[0]?.seriesPixels).toBeGreaterThan(20);
    expect(await page.locator('[data-panel=compare] tbody tr').count()).toBeGreaterThan(1);
    await screenshot(page, 'compare');

    await page.goto(`${served.url}/#/explorer?repos=${repo.id}`);
    await page.selectOption('#explorer-metric', 'contributor-absence-factor');
    await page.fill('#param-threshold', '2');
    await page.click('button:has-text("Compute")');
    const thresholdError = page.locator('#param-threshold-error');
    await thresholdError.waitFor();
    const refused = await fetch(
      api(`/metrics/contributor-absence-factor?repo=${repo.id}&threshold=2`),
    );
    const problem = (await refused.json()) as { detail: string };
    await expect(thresholdError.textContent()).resolves.toBe(problem.detail);
    await page.fill('#param-threshold', '0.8');
    await page.selectOption('#param-granularity', 'year');
    await page.click('button:has-text("Compute")');
    await page.waitForSelector('[data-panel=explorer-result][data-state=fresh] canvas');
    const explored = (await readCanvases(page)).filter((c) => c.panel === 'explorer-result');
    expect(explored[0]?.seriesPixels).toBeGreaterThan(20);
    await screenshot(page, 'explorer');

    await page.goto(`${served.url}/#/people`);
    await page.waitForSelector('tr[data-email]');
    // Every author email of the repository is listed (serve may have registered its demo
    // repository too, whose people are listed as well).
    const emails = [...new Set(history.map((c) => c.authorEmail.toLowerCase()))];
    const listed = await page
      .locator('tr[data-email]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-email')));
    expect(listed.length).toBeGreaterThanOrEqual(emails.length);
    expect(listed).toEqual(expect.arrayContaining(emails));
    await screenshot(page, 'people');

    // Merge two emails of one name into one person, then split them again, through the page.
    const byName = new Map<string, Set<string>>();
    for (const c of history) {
      byName.set(
        c.authorName,
        (byName.get(c.authorName) ?? new Set()).add(c.authorEmail.toLowerCase()),
      );
    }
    const [first, second] = [...byName.values()].find((set) => set.size >= 2) ?? [];
    expect(first && second).toBeTruthy();
    const select = (email: string) => page.check(`tr[data-email="${email}"] input[type=checkbox]`);
    await select(first!);
    await select(second!);
    await page.click('button:has-text("Merge selected")');
    await page.locator('.note', { hasText: 'Merged' }).waitFor();
    const links = await getJson<{ items: { email: string; person: string }[] }>(api('/identities'));
    expect(links.items).toEqual(
      expect.arrayContaining([
        { email: first, person: first },
        { email: second, person: first },
      ]),
    );
    await expect(
      page.locator(`tr[data-email="${second}"] td`).nth(3).textContent(),
    ).resolves.toContain(first);
    await select(first!);
    await select(second!);
    await page.click('button:has-text("Split selected")');
    await page.locator('.note', { hasText: 'Split' }).waitFor();
    expect((await getJson<{ items: unknown[] }>(api('/identities'))).items).toEqual([]);

    // An affiliation saved through the form is the API's.
    await page.click('button:has-text("Add an entry")');
    await page.fill('input[aria-label="email 1"]', first!);
    await page.fill('input[aria-label="organisation 1"]', 'Analytical Engines');
    await page.click('button:has-text("Save affiliations")');
    await page.locator('.note', { hasText: 'Saved' }).waitFor();
    const affiliations = await getJson<{ items: { email: string; organization: string }[] }>(
      api('/affiliations'),
    );
    expect(affiliations.items).toEqual([
      { email: first, organization: 'Analytical Engines', from: null, to: null },
    ]);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
