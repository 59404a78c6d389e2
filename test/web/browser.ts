import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadTestServices } from '../../src/config/index.js';

/** Debian's Chromium, which the browser tests drive (`.ci/run` installs it). */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where the screenshots go for review (gitignored). */
export const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'web');

/**
 * Whether the browser tests run: with Chromium installed; without it they are skipped with a
 * message, unless METRE_REQUIRE_SERVICES=1, where a missing browser fails them.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (loadTestServices(process.env).requireServices) {
    throw new Error(
      `${CHROMIUM} is missing and METRE_REQUIRE_SERVICES=1: apt-get install chromium`,
    );
  }
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
  return false;
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** Saves a full-page screenshot under test-output/web/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** What a canvas holds, read back from its pixels. */
export interface CanvasPixels {
  /** The panel the canvas is in (`data-panel`). */
  readonly panel: string;
  readonly width: number;
  readonly height: number;
  /** Pixels that are not fully transparent. */
  readonly painted: number;
  /** Pixels within a small distance of the first series colour (`--series-1`). */
  readonly seriesPixels: number;
  /** Distinct colours (quantised to 4 bits a channel). */
  readonly colours: number;
}

/**
 * Reads every canvas of the page back (getImageData) and counts what is painted: runs in the
 * page, as a string so the Node-side type check needs no DOM types.
 */
export function readCanvases(page: Page): Promise<CanvasPixels[]> {
  return page.evaluate(`(() => {
    const hex = getComputedStyle(document.documentElement).getPropertyValue('--series-1').trim();
    const target = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return [...document.querySelectorAll('canvas')].map((canvas) => {
      const ctx = canvas.getContext('2d');
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0, seriesPixels = 0;
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        painted++;
        colours.add((data[i] >> 4) << 8 | (data[i + 1] >> 4) << 4 | (data[i + 2] >> 4));
        const d = Math.abs(data[i] - target[0]) + Math.abs(data[i + 1] - target[1]) + Math.abs(data[i + 2] - target[2]);
        if (d < 40 && data[i + 3] > 200) seriesPixels++;
      }
      const panel = canvas.closest('[data-panel]')?.getAttribute('data-panel') ?? '';
      return { panel, width: canvas.width, height: canvas.height, painted, seriesPixels, colours: colours.size };
    });
  })()`);
}

/**
 * Waits until an expression is true in the page, polling from Node: the dashboard's CSP forbids
 * eval, which Playwright's in-page polling of a string predicate needs.
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
