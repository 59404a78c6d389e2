import { createRoute } from '@hono/zod-openapi';
import { MetreError } from '../../errors/index.js';
import { HealthSchema, ReadySchema } from '../schemas.js';
import { ProblemWithExtras } from '../problem.js';
import { errors, type RouteContext } from './common.js';

const tags = ['health'];

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags,
  summary: 'The process is up',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: HealthSchema } } },
  },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags,
  summary: 'The store and the queue are reachable',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: ReadySchema } } },
    ...errors(503),
  },
});

/** How long a readiness check waits for each dependency. */
const CHECK_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((done) => {
    timer = setTimeout(() => done('timed out'), CHECK_TIMEOUT_MS);
  });
  const outcome = probe().then(
    () => 'ok',
    (error: unknown) => `failed (${(error as { code?: string }).code ?? 'error'})`,
  );
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness and readiness, for load balancers and orchestrators (never rate-limited). */
export function healthRoutes({ app, deps }: RouteContext): void {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(readyz, async (c) => {
    const [store, queue] = await Promise.all([
      check(() => deps.store.dataVersion([])),
      check(() => deps.queue.ping()),
    ]);
    const checks = { store, queue };
    if (store === 'ok' && queue === 'ok') return c.json({ status: 'ready' as const, checks }, 200);
    const code = store === 'ok' ? 'METRE_QUEUE_UNAVAILABLE' : 'METRE_STORE_UNAVAILABLE';
    const error = new MetreError(code, `Not ready: store ${store}, queue ${queue}`);
    throw new ProblemWithExtras(error, { checks });
  });
}
