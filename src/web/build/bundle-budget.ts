import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The production bundle's JavaScript, gzipped, may not exceed this (issue 7). */
export const JS_BUDGET_BYTES = 120 * 1024;

/** One emitted file and its gzipped size. */
export interface BundleFile {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** What the budget check found. */
export interface BundleReport {
  readonly files: readonly BundleFile[];
  readonly jsGzipBytes: number;
  readonly cssGzipBytes: number;
  readonly budgetBytes: number;
  readonly withinBudget: boolean;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Sizes emitted files gzipped (level 9, as a server would send them) and checks the JavaScript
 * against the budget.
 *
 * @example measureBundle([{ file: 'a.js', code: 'x' }], 120 * 1024).withinBudget // true
 */
export function measureBundle(
  outputs: readonly { readonly file: string; readonly code: string | Uint8Array }[],
  budgetBytes: number,
): BundleReport {
  const files = outputs.map(({ file, code }) => {
    const buffer = typeof code === 'string' ? Buffer.from(code) : Buffer.from(code);
    return { file, bytes: buffer.length, gzipBytes: gzipSync(buffer, { level: 9 }).length };
  });
  const sum = (ext: string) =>
    files.filter((f) => f.file.endsWith(ext)).reduce((s, f) => s + f.gzipBytes, 0);
  const jsGzipBytes = sum('.js');
  return {
    files,
    jsGzipBytes,
    cssGzipBytes: sum('.css'),
    budgetBytes,
    withinBudget: jsGzipBytes <= budgetBytes,
  };
}

/** The report as the lines the build prints. */
export function formatBundleReport(report: BundleReport): string {
  const lines = report.files.map(
    (f) =>
      `  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzipBytes).padStart(9)}`,
  );
  const verdict = report.withinBudget ? 'within' : 'OVER';
  return [
    'web bundle:',
    ...lines,
    `  JavaScript gzipped: ${kb(report.jsGzipBytes)} (${verdict} the ${kb(report.budgetBytes)} budget); CSS gzipped: ${kb(report.cssGzipBytes)}`,
  ].join('\n');
}

/**
 * A Vite plugin that prints the gzipped size of every emitted script and stylesheet after a
 * production build and fails the build when the JavaScript exceeds `budgetBytes`.
 *
 * @example plugins: [bundleBudget(120 * 1024)]
 */
export function bundleBudget(budgetBytes: number): Plugin {
  return {
    name: 'metre-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const outputs = Object.values(bundle)
        .filter((o) => /\.(js|css)$/.test(o.fileName))
        .map((o) => ({ file: o.fileName, code: o.type === 'chunk' ? o.code : o.source }));
      const report = measureBundle(outputs, budgetBytes);
      console.log(formatBundleReport(report));
      if (!report.withinBudget) {
        this.error(
          `web bundle: ${kb(report.jsGzipBytes)} of JavaScript gzipped exceeds ${kb(budgetBytes)}`,
        );
      }
    },
  };
}
