import { createRoute } from '@hono/zod-openapi';
import { AffiliationListSchema, AffiliationsBodySchema } from '../schemas.js';
import { bearerSecurity, errors, json, type RouteContext } from './common.js';

const tags = ['affiliations'];

const read = createRoute({
  method: 'get',
  path: '/api/affiliations',
  tags,
  summary: 'The affiliation map kept in the store: who worked for which organisation, when',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'The map, in the order it was written',
      content: json(AffiliationListSchema),
    },
    ...errors(),
  },
});

const replace = createRoute({
  method: 'put',
  path: '/api/affiliations',
  tags,
  summary: 'Replace the affiliation map (every metric recomputes with it)',
  security: bearerSecurity,
  request: { body: { required: true, content: json(AffiliationsBodySchema) } },
  responses: {
    200: { description: 'The map as stored', content: json(AffiliationListSchema) },
    ...errors(400, 413, 415),
  },
});

/** Affiliations: read and replace the map kept in the store. */
export function affiliationRoutes({ app, deps, memo }: RouteContext): void {
  const { store } = deps;
  const view = async () =>
    (await store.readAffiliations()).map((a) => ({
      email: a.email,
      organization: a.organization,
      from: a.from,
      to: a.to,
    }));

  app.openapi(read, async (c) => c.json({ items: await view() }, 200));

  app.openapi(replace, async (c) => {
    const { items } = c.req.valid('json');
    await store.replaceAffiliations(
      items.map((a) => ({
        email: a.email.toLowerCase(),
        organization: a.organization.trim(),
        from: a.from === null ? null : new Date(a.from).toISOString(),
        to: a.to === null ? null : new Date(a.to).toISOString(),
      })),
    );
    memo.clear();
    return c.json({ items: await view() }, 200);
  });
}
