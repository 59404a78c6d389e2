import { createRoute, z } from '@hono/zod-openapi';
import { MetreError } from '../../errors/index.js';
import type { Repository } from '../../store/index.js';
import { checkLocation, nameFor } from '../repository-location.js';
import { checkSchedule } from '../schedule.js';
import {
  CreateRepositorySchema,
  JobAcceptedSchema,
  PatchRepositorySchema,
  RepositoryCreatedSchema,
  RepositoryIdParam,
  RepositoryListSchema,
  RepositorySchema,
} from '../schemas.js';
import { collectJobId } from '../../worker/index.js';
import { collectionsById, jobJson, repositoryJson } from '../views.js';
import { bearerSecurity, errors, json, type RouteContext } from './common.js';

const tags = ['repositories'];

const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ example: 50 }),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0).openapi({ example: 0 }),
});

const list = createRoute({
  method: 'get',
  path: '/api/repositories',
  tags,
  summary: 'List repositories with their status, progress, last collection and counts',
  security: bearerSecurity,
  request: { query: PageQuery },
  responses: {
    200: { description: 'A page of repositories, by name', content: json(RepositoryListSchema) },
    ...errors(400),
  },
});

const get = createRoute({
  method: 'get',
  path: '/api/repositories/{id}',
  tags,
  summary: 'One repository, by id or name',
  security: bearerSecurity,
  request: { params: RepositoryIdParam },
  responses: {
    200: { description: 'The repository', content: json(RepositorySchema) },
    ...errors(400, 404),
  },
});

const create = createRoute({
  method: 'post',
  path: '/api/repositories',
  tags,
  summary: 'Add a repository and start its first collection',
  security: bearerSecurity,
  request: { body: { required: true, content: json(CreateRepositorySchema) } },
  responses: {
    201: {
      description: 'Added; its first collect job is queued',
      headers: { Location: { schema: { type: 'string' } } },
      content: json(RepositoryCreatedSchema),
    },
    200: {
      description: 'Already there with this URL: the repository and its collect job',
      content: json(RepositoryCreatedSchema),
    },
    ...errors(400, 409, 413, 415),
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/api/repositories/{id}',
  tags,
  summary: 'Rename a repository or change when it is collected',
  security: bearerSecurity,
  request: {
    params: RepositoryIdParam,
    body: { required: true, content: json(PatchRepositorySchema) },
  },
  responses: {
    200: { description: 'The updated repository', content: json(RepositorySchema) },
    ...errors(400, 404, 409, 413, 415),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/repositories/{id}',
  tags,
  summary: 'Remove a repository and everything stored of it',
  security: bearerSecurity,
  request: { params: RepositoryIdParam },
  responses: { 204: { description: 'Removed' }, ...errors(400, 404) },
});

const collectNow = createRoute({
  method: 'post',
  path: '/api/repositories/{id}/collect',
  tags,
  summary: 'Collect a repository now',
  security: bearerSecurity,
  request: { params: RepositoryIdParam },
  responses: {
    202: {
      description: 'The collect job (the one already queued or running, if any)',
      headers: { Location: { schema: { type: 'string' } } },
      content: json(JobAcceptedSchema),
    },
    ...errors(400, 404),
  },
});

/** Repositories: list, get, add, update, delete, collect now. */
export function repositoryRoutes({ app, deps, memo }: RouteContext): void {
  const { store, queue } = deps;

  async function find(idOrName: string): Promise<Repository> {
    const repository = await store.findRepository(idOrName);
    if (repository === undefined) {
      throw new MetreError('METRE_REPO_NOT_FOUND', `No repository with id or name "${idOrName}"`);
    }
    return repository;
  }

  async function collections() {
    return collectionsById(await queue.listJobs(['active', 'waiting', 'delayed']));
  }

  async function view(repository: Repository) {
    const summary = await store.summarizeRepository(repository.id);
    return repositoryJson(summary ?? repository, (await collections()).get(repository.id) ?? null);
  }

  const enqueueCollect = (repository: Repository) =>
    queue.enqueue(
      'collect',
      { repositoryId: repository.id },
      { jobId: collectJobId(repository.id) },
    );

  app.openapi(list, async (c) => {
    const { limit, offset } = c.req.valid('query');
    const [all, running] = await Promise.all([store.listRepositories(), collections()]);
    const page = [...all].sort((a, b) => (a.name < b.name ? -1 : 1)).slice(offset, offset + limit);
    const items = page.map((r) => repositoryJson(r, running.get(r.id) ?? null));
    return c.json({ items, total: all.length, limit, offset }, 200);
  });

  app.openapi(get, async (c) => c.json(await view(await find(c.req.valid('param').id)), 200));

  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const source = checkLocation(body.url, { allowLocal: deps.allowLocal, cwd: deps.cwd });
    const schedule = body.schedule === undefined ? undefined : checkSchedule(body.schedule);
    const name = body.name ?? nameFor(source);
    const existing = await store.findRepository(name);
    if (existing !== undefined && existing.source !== source.display) {
      throw new MetreError(
        'METRE_REPO_NAME_TAKEN',
        `A repository named "${name}" already collects another URL; choose another name`,
      );
    }
    const repository = await store.saveRepository({ name, source: source.display, schedule });
    const job = await enqueueCollect(repository);
    const answer = { repository: await view(repository), job: jobJson(job) };
    if (existing !== undefined) return c.json(answer, 200);
    c.header('location', `/api/repositories/${encodeURIComponent(repository.id)}`);
    return c.json(answer, 201);
  });

  app.openapi(patch, async (c) => {
    const repository = await find(c.req.valid('param').id);
    const body = c.req.valid('json');
    const schedule = body.schedule === undefined ? undefined : checkSchedule(body.schedule);
    if (body.name !== undefined && body.name !== repository.name) {
      const other = await store.findRepository(body.name);
      if (other !== undefined && other.id !== repository.id) {
        throw new MetreError('METRE_REPO_NAME_TAKEN', `A repository named "${body.name}" exists`);
      }
    }
    await store.updateRepository(repository.id, {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(schedule === undefined ? {} : { schedule }),
    });
    memo.clear();
    return c.json(await view(await find(repository.id)), 200);
  });

  app.openapi(remove, async (c) => {
    const repository = await find(c.req.valid('param').id);
    await store.deleteRepository(repository.id);
    memo.clear();
    return c.body(null, 204);
  });

  app.openapi(collectNow, async (c) => {
    const job = await enqueueCollect(await find(c.req.valid('param').id));
    const poll = `/api/jobs/${encodeURIComponent(job.id)}`;
    c.header('location', poll);
    return c.json({ job: jobJson(job), poll }, 202);
  });
}
