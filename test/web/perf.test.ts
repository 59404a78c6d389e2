import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../../bench/make-repo.js';
import { tempDir } from '../support/git.js';
import { browserAvailable, launchBrowser, screenshot, SHOTS, waitUntil } from './browser.js';
import { buildWeb, getJson, startServe, type Served } from './serve.js';

const COMMITS = 100_000;
const ROOT = join(import.meta.dirname, '..', '..');

/** The requests the dashboard's first view makes (no parameter: the precomputed defaults). */
const FIRST_VIEW = [
  'commits',
  'lines-changed',
  'contributors',
  'new-contributors',
  'inactive-contributors',
  'contributor-absence-factor',
  'elephant-factor',
  'activity-dates-times',
  'top-contributors',
  'hotspots',
  'language-distribution',
  'release-frequency',
];
/** The factors over time need a granularity: computed on demand, cached after. */
const OVER_TIME = ['contributor-absence-factor', 'elephant-factor'].map(
  (m) => `${m}&granularity=month`,
);

interface Measure {
  readonly interactiveMs: number;
  readonly completeMs: number;
  readonly domContentLoadedMs: number;
  /** When the last API answer of the first view had arrived. */
  readonly apiDoneMs: number;
  readonly requests: number;
  readonly cachedAnswers: number;
}

/**
 * The 100k-commit repository, generated once (a few minutes) under .metre/web/ and reused: a
 * folder of this test's own, so it never races the benchmarks' cache.
 */
async function bigRepo(): Promise<string> {
  const dir = join(ROOT, '.metre', 'web', `repo-${COMMITS}-seed1`);
  const marker = `${dir}.json`;
  if (existsSync(marker) && existsSync(dir)) return dir;
  const scratch = `${dir}.tmp-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  console.log(`generating a ${COMMITS.toLocaleString('en')}-commit repository in ${dir}`);
  const made = await makeRepo(scratch, { commits: COMMITS, seed: 1 });
  renameSync(scratch, dir);
  writeFileSync(marker, `${JSON.stringify({ commits: made.commits, head: made.head })}\n`);
  return dir;
}

const run = browserAvailable();

/**
 * The budget of issue 7: a 100k-commit repository's dashboard interactive within 1 s of
 * navigation on loopback, its metrics cached. Measured with the Performance API and reported
 * (test-output/web/perf.json and the log), not enforced: the machine is shared.
 */
describe.skipIf(!run)('dashboard load time of a 100k-commit repository', () => {
  const tmp = tempDir('metre-web-perf-');
  let served: Served;
  let browser: Browser;
  let repoId = '';

  beforeAll(async () => {
    const repoDir = await bigRepo();
    const webDir = join(tmp.path, 'web');
    buildWeb(webDir);
    served = await startServe({
      HOME: tmp.path,
      METRE_HOME: join(tmp.path, 'home'),
      METRE_STORE: `duckdb:${join(tmp.path, 'metre.duckdb')}`,
      METRE_WEB_DIR: webDir,
    });
    const added = await fetch(`${served.url}/api/repositories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: repoDir, name: 'big' }),
    });
    expect(added.status, await added.clone().text()).toBeLessThan(300);
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      const r = await getJson<{
        id: string;
        status: string;
        collection: unknown;
        lastError: string;
      }>(`${served.url}/api/repositories/big`);
      repoId = r.id;
      if (r.status === 'up-to-date' && r.collection === null) break;
      if (r.status === 'failed') throw new Error(`collection failed: ${r.lastError}`);
      if (Date.now() > deadline) throw new Error('the collection took over 20 minutes');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    // Every request of the dashboard answered once, so all are in the cache.
    for (const metric of [...FIRST_VIEW, ...OVER_TIME]) {
      const [id, extra = ''] = metric.split('&');
      const url = `${served.url}/api/metrics/${id}?repo=${repoId}${extra ? `&${extra}` : ''}`;
      for (let i = 0; i < 600 && (await fetch(url)).status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    browser = await launchBrowser();
  }, 40 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.remove();
  });

  async function measure(): Promise<Measure> {
    // A new context each time: no HTTP cache, no warm JavaScript.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    let requests = 0;
    let cachedAnswers = 0;
    page.on('response', async (response) => {
      if (!response.url().includes('/api/metrics/')) return;
      requests++;
      const body = (await response.json().catch(() => ({}))) as { cached?: boolean };
      if (body.cached === true) cachedAnswers++;
    });
    await page.goto(`${served.url}/#/repo/${repoId}`);
    await waitUntil(
      page,
      "performance.getEntriesByName('metre:dashboard-interactive').length > 0",
      60_000,
    );
    await page.waitForSelector('.dashboard[data-ready="true"]', { timeout: 60_000 });
    const completeMs = await page.evaluate('performance.now()');
    const timings = (await page.evaluate(`({
      interactive: performance.getEntriesByName('metre:dashboard-interactive')[0].startTime,
      domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      apiDone: Math.max(...performance.getEntriesByType('resource')
        .filter((r) => r.name.includes('/api/')).map((r) => r.responseEnd)),
    })`)) as { interactive: number; domContentLoaded: number; apiDone: number };
    await screenshot(page, 'dashboard-100k');
    await context.close();
    return {
      interactiveMs: Math.round(timings.interactive),
      completeMs: Math.round(completeMs as number),
      domContentLoadedMs: Math.round(timings.domContentLoaded),
      apiDoneMs: Math.round(timings.apiDone),
      requests,
      cachedAnswers,
    };
  }

  it(
    'becomes interactive from cached metrics, measured with the Performance API',
    async () => {
      const runs: Measure[] = [];
      const loadBefore = loadavg()[0] ?? 0;
      for (let i = 0; i < 3; i++) runs.push(await measure());
      // The machine is shared: its load says how much of the time was waiting for a core.
      const load = { cores: cpus().length, before: loadBefore, after: loadavg()[0] ?? 0 };
      const sorted = runs.map((r) => r.interactiveMs).sort((a, b) => a - b);
      const report = {
        commits: COMMITS,
        budgetMs: 1000,
        medianInteractiveMs: sorted[1],
        load,
        runs,
      };
      mkdirSync(SHOTS, { recursive: true });
      writeFileSync(join(SHOTS, 'perf.json'), `${JSON.stringify(report, null, 2)}\n`);
      console.log(
        `dashboard of a ${COMMITS.toLocaleString('en')}-commit repository: interactive after ` +
          `${runs.map((r) => r.interactiveMs).join(', ')} ms (median ${sorted[1]} ms, budget 1000 ms); ` +
          `every panel after ${runs.map((r) => r.completeMs).join(', ')} ms; load average ` +
          `${load.before.toFixed(1)} to ${load.after.toFixed(1)} on ${load.cores} cores`,
      );
      for (const r of runs) {
        // The first view is served from the cache: the measurement is of the page, not of SQL.
        expect(r.requests).toBeGreaterThanOrEqual(FIRST_VIEW.length + OVER_TIME.length);
        expect(r.cachedAnswers).toBe(r.requests);
        expect(r.interactiveMs).toBeGreaterThan(0);
      }
    },
    5 * 60_000,
  );
});
