import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>metre</title></head>
<body><h1>metre</h1>
<p>The web dashboard is not built yet: run <code>npm run build</code> in metre's folder (it writes
<code>dist/web/</code>), then reload this page.</p>
<p>The API works meanwhile: see <a href="/api/docs">/api/docs</a>.</p>
</body></html>
`;

/** A file to send: its bytes, type and whether it may be cached for long (hashed asset names). */
export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly immutable: boolean;
}

/**
 * Reads the file a URL path names inside `root`, or undefined. Paths that leave the folder, hidden
 * files and odd bytes are refused; a path without an extension falls back to `index.html`, so the
 * dashboard's client-side routes load.
 *
 * @example await readStatic('/srv/metre/dist/web', '/assets/app-1a2b.js')
 */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\\]|(^|\/)\./.test(decoded)) return undefined;
  const base = resolve(root);
  const wanted = decoded === '/' || decoded === '' ? '/index.html' : decoded;
  const file = resolve(base, `.${wanted}`);
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  const found =
    (await fileAt(file)) ??
    (extname(wanted) === '' ? await fileAt(join(base, 'index.html')) : undefined);
  return found;
}

async function fileAt(file: string): Promise<StaticFile | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    const body = await readFile(file);
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { body, type, immutable: file.includes(`${sep}assets${sep}`) };
  } catch {
    return undefined;
  }
}
