import { createRoute, z } from '@hono/zod-openapi';
import { MetreError } from '../../errors/index.js';
import { JobSchema } from '../schemas.js';
import { jobJson } from '../views.js';
import { bearerSecurity, errors, type RouteContext } from './common.js';

const getJob = createRoute({
  method: 'get',
  path: '/api/jobs/{id}',
  tags: ['jobs'],
  summary: 'A job: its state, progress and error',
  security: bearerSecurity,
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[A-Za-z0-9._-]+$/, 'a job id is letters, digits, ".", "_" and "-"')
        .openapi({ param: { name: 'id', in: 'path' }, example: 'collect-1' }),
    }),
  },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    ...errors(400, 404),
  },
});

/** Jobs: status and progress. */
export function jobRoutes({ app, deps }: RouteContext): void {
  app.openapi(getJob, async (c) => {
    const { id } = c.req.valid('param');
    const job = await deps.queue.getJob(id);
    if (job === undefined) {
      throw new MetreError(
        'METRE_JOB_NOT_FOUND',
        `No job "${id}" (finished jobs are kept a while)`,
      );
    }
    return c.json(jobJson(job), 200);
  });
}
