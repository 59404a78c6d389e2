import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatBundleReport,
  JS_BUDGET_BYTES,
  measureBundle,
} from '../../src/web/build/bundle-budget.js';
import { tempDir } from '../support/git.js';
import { buildWeb } from './serve.js';

describe('the web bundle budget', () => {
  it('sizes files gzipped and flags JavaScript over the budget', () => {
    const random = randomBytes(4000); // does not compress
    const report = measureBundle(
      [
        { file: 'a.js', code: random },
        { file: 'b.css', code: 'body{}'.repeat(100) },
      ],
      1000,
    );
    expect(report.files.map((f) => f.file)).toEqual(['a.js', 'b.css']);
    expect(report.jsGzipBytes).toBe(report.files[0]?.gzipBytes);
    expect(report.jsGzipBytes).toBeGreaterThan(1000);
    expect(report.cssGzipBytes).toBeLessThan(report.files[1]?.bytes ?? 0);
    expect(report.withinBudget).toBe(false);
    expect(formatBundleReport(report)).toContain('OVER');
    expect(measureBundle([{ file: 'a.js', code: 'x' }], 1000).withinBudget).toBe(true);
  });
});

describe('the production build of the dashboard', () => {
  const tmp = tempDir('metre-web-build-');
  afterAll(() => tmp.remove());
  const out = join(tmp.path, 'web');
  let log = '';
  let html = '';
  let assets: string[] = [];
  beforeAll(() => {
    log = buildWeb(out);
    html = readFileSync(join(out, 'index.html'), 'utf8');
    assets = readdirSync(join(out, 'assets'));
  }, 120_000);

  it('prints its gzipped JavaScript size, within 120 KB', () => {
    const printed = /JavaScript gzipped: ([\d.]+) KB \(within/.exec(log);
    expect(printed, log).not.toBeNull();
    const files = assets.map((file) => ({
      file,
      code: readFileSync(join(out, 'assets', file)),
    }));
    const report = measureBundle(files, JS_BUDGET_BYTES);
    expect(report.jsGzipBytes).toBeLessThanOrEqual(120 * 1024);
    expect(Number(printed?.[1])).toBeCloseTo(report.jsGzipBytes / 1024, 1);
  });

  it('loads only its own files: no inline script or style, no CDN (the CSP allows none)', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', body = ''] of scripts) {
      expect(attributes).toMatch(/src="\.\/assets\/[^"]+\.js"/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style|style="/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const [, path] of html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)) {
      expect(readFileSync(join(out, path ?? '')).length).toBeGreaterThan(0);
    }
    expect(assets.some((file) => file.endsWith('.css'))).toBe(true);
  });
});
