/**
 * Builds the dashboard (src/web/app) into dist/web, which `metre serve` and `metre api` serve at
 * `/`. Offline and self-contained: no CDN, every script and style a file (the server's CSP forbids
 * inline ones), and the JavaScript budget checked on every build.
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { bundleBudget, JS_BUDGET_BYTES } from './build/bundle-budget.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./app'),
  base: './',
  publicDir: here('./public'),
  logLevel: 'warn',
  plugins: [
    preact({ devToolsEnabled: false, prefreshEnabled: false }),
    bundleBudget(JS_BUDGET_BYTES),
  ],
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // One small app: a single chunk loads in one round trip on navigation.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev:web` proxies /api to a metre serving on the default port.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
