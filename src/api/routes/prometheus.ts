import { createRoute, z } from '@hono/zod-openapi';
import { errors, type RouteContext } from './common.js';

const route = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['health'],
  summary:
    'Prometheus metrics: HTTP latencies, jobs by state, collection lag, cache hits and misses',
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: 'The Prometheus text format',
      content: { 'text/plain': { schema: z.string() } },
    },
    ...errors(),
  },
});

/** `/metrics` at the root, for Prometheus (behind the read token when one is set). */
export function prometheusRoutes({ app, metrics }: RouteContext): void {
  app.openapi(
    route,
    async (c) =>
      c.body(await metrics.render(), 200, {
        'content-type': metrics.registry.contentType,
      }) as never,
  );
}
