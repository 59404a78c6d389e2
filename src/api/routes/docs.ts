import { createRoute, z } from '@hono/zod-openapi';
import { DOCS_CSS, DOCS_HTML, DOCS_JS } from '../docs-page.js';
import type { RouteContext } from './common.js';

const tags = ['documentation'];

const openapiRoute = createRoute({
  method: 'get',
  path: '/api/openapi.json',
  tags,
  summary: 'This document (OpenAPI 3.1)',
  responses: {
    200: {
      description: 'The OpenAPI document',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

const docsRoute = createRoute({
  method: 'get',
  path: '/api/docs',
  tags,
  summary: 'A page rendering this document, served locally',
  responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
});

/** The OpenAPI document and the page that renders it (open to all: it holds no data). */
export function docsRoutes({ app, deps }: RouteContext): void {
  let document: string | undefined;
  app.openapi(openapiRoute, (c) => {
    document ??= JSON.stringify(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'metre',
          version: deps.version,
          description:
            'Software and community metrics from git history: repositories, metrics, jobs, identities, affiliations.',
        },
      }),
    );
    return c.body(document, 200, { 'content-type': 'application/json; charset=utf-8' }) as never;
  });
  app.openapi(docsRoute, (c) => c.html(DOCS_HTML, 200) as never);
  app.get('/api/docs.js', (c) =>
    c.body(DOCS_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/api/docs.css', (c) =>
    c.body(DOCS_CSS, 200, { 'content-type': 'text/css; charset=utf-8' }),
  );
}
