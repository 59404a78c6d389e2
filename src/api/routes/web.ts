import type { RouteContext } from './common.js';
import { NOT_BUILT_PAGE, readStatic } from '../static-files.js';
import { MetreError } from '../../errors/index.js';

/**
 * The web dashboard's built files at `/`, from `deps.webDir` (whatever is there when asked);
 * without them a plain page says how to build them. Unknown `/api/…` paths are 404 problems.
 */
export function webRoutes({ app, deps }: RouteContext): void {
  app.get('*', async (c) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/')) {
      throw new MetreError('METRE_NOT_FOUND', `No API route ${c.req.method} ${path.slice(0, 200)}`);
    }
    const file = await readStatic(deps.webDir, path);
    if (file !== undefined) {
      return c.body(new Uint8Array(file.body), 200, {
        'content-type': file.type,
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    const index = await readStatic(deps.webDir, '/index.html');
    if (index === undefined) return c.html(NOT_BUILT_PAGE, 200);
    throw new MetreError('METRE_NOT_FOUND', `No file ${path.slice(0, 200)}`);
  });
}
