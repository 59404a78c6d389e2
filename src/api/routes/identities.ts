import { createRoute } from '@hono/zod-openapi';
import {
  IdentityListSchema,
  MergeBodySchema,
  MergedSchema,
  SplitBodySchema,
  SplitSchema,
} from '../schemas.js';
import { bearerSecurity, errors, json, type RouteContext } from './common.js';

const tags = ['identities'];

const list = createRoute({
  method: 'get',
  path: '/api/identities',
  tags,
  summary: 'The explicit identity merges (each email and the person it counts as)',
  security: bearerSecurity,
  responses: { 200: { description: 'The merges', content: json(IdentityListSchema) }, ...errors() },
});

const merge = createRoute({
  method: 'post',
  path: '/api/identities/merge',
  tags,
  summary: 'Count these emails as one person in every people metric, at once',
  security: bearerSecurity,
  request: { body: { required: true, content: json(MergeBodySchema) } },
  responses: {
    200: { description: 'Merged', content: json(MergedSchema) },
    ...errors(400, 413, 415),
  },
});

const split = createRoute({
  method: 'post',
  path: '/api/identities/split',
  tags,
  summary: 'Undo explicit merges: each email counts as its own person again',
  security: bearerSecurity,
  request: { body: { required: true, content: json(SplitBodySchema) } },
  responses: {
    200: { description: 'Unlinked', content: json(SplitSchema) },
    ...errors(400, 413, 415),
  },
});

const lower = (emails: readonly string[]) => [...new Set(emails.map((e) => e.toLowerCase()))];

/** Identities: list, merge, split. */
export function identityRoutes({ app, deps, memo }: RouteContext): void {
  const { store } = deps;

  app.openapi(list, async (c) => {
    const links = await store.listIdentityLinks();
    return c.json({ items: links.map((l) => ({ email: l.email, person: l.person })) }, 200);
  });

  app.openapi(merge, async (c) => {
    const body = c.req.valid('json');
    const emails = lower(body.emails);
    const person = (body.as ?? emails[0] ?? '').toLowerCase();
    await store.linkIdentities(emails, person);
    memo.clear();
    return c.json({ person, emails }, 200);
  });

  app.openapi(split, async (c) => {
    const emails = lower(c.req.valid('json').emails);
    await store.unlinkIdentities(emails);
    memo.clear();
    return c.json({ emails }, 200);
  });
}
