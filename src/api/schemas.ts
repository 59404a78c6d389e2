import { z } from '@hono/zod-openapi';

/**
 * The zod schemas of the API's bodies and answers: they validate requests, type the handlers and
 * generate the OpenAPI document, so the three cannot drift apart.
 */

/** An RFC 9457 problem: every error the API answers with. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:metre:error:METRE_REPO_NOT_FOUND' }),
    title: z.string().openapi({ example: 'Repository not found' }),
    status: z.number().int(),
    detail: z.string().openapi({ example: 'No repository named "linux"' }),
    code: z
      .string()
      .regex(/^METRE_[A-Z_]+$/)
      .openapi({ example: 'METRE_REPO_NOT_FOUND' }),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Each invalid field, for a validation failure' }),
    checks: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: 'Each dependency and its state, for a failed readiness check' }),
  })
  .openapi('Problem');

export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

export const JobSchema = z
  .object({
    id: z.string(),
    name: z.enum(['collect', 'compute']),
    state: z.enum(JOB_STATES),
    data: z.record(z.string(), z.unknown()),
    progress: z
      .object({ phase: z.string(), done: z.number(), total: z.number().nullable() })
      .nullable(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    result: z.unknown().optional(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('Job');

export const COLLECTION_STATUSES = [
  'new',
  'collecting-commits',
  'commits-done',
  'collecting-files',
  'up-to-date',
  'failed',
] as const;

export const RepositorySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    source: z.string().openapi({ description: 'The URL (credentials never stored) or local path' }),
    schedule: z.string().openapi({ example: 'daily' }),
    status: z.enum(COLLECTION_STATUSES),
    lastError: z.string().nullable(),
    defaultBranch: z.string().nullable(),
    head: z.string().nullable(),
    dataVersion: z.number().int(),
    lastCollectedAt: z.string().nullable().openapi({ format: 'date-time' }),
    commits: z.number().int().openapi({ description: 'Commits reachable from the default branch' }),
    commitsAllRefs: z.number().int(),
    mergeCommits: z.number().int(),
    fileChanges: z.number().int(),
    collection: z
      .object({
        jobId: z.string(),
        state: z.enum(JOB_STATES),
        progress: JobSchema.shape.progress,
      })
      .nullable()
      .openapi({ description: 'The collection waiting or under way, with its progress' }),
  })
  .openapi('Repository');

export const RepositoryListSchema = z
  .object({
    items: z.array(RepositorySchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi('RepositoryList');

export const RepositoryCreatedSchema = z
  .object({ repository: RepositorySchema, job: JobSchema })
  .openapi('RepositoryCreated');

export const JobAcceptedSchema = z
  .object({
    job: JobSchema,
    poll: z.string().openapi({ description: 'Where to follow the job', example: '/api/jobs/x' }),
  })
  .openapi('JobAccepted');

/** A time series bucket: its start, `t` (`YYYY-MM-DD`, UTC), and the metric's numeric fields. */
const point = z.object({ t: z.string() }).catchall(z.number());
const detail = z.record(z.string(), z.unknown()).optional();

export const MetricResultSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('timeseries'),
      points: z.array(point),
      total: z.record(z.string(), z.number()),
      detail,
    }),
    z.object({
      kind: z.literal('table'),
      columns: z.array(z.string()),
      rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
      detail,
    }),
    z.object({ kind: z.literal('scalar'), value: z.number().nullable(), detail }),
    z.object({
      kind: z.literal('heatmap'),
      cells: z.array(z.object({ weekday: z.number(), hour: z.number(), value: z.number() })),
      detail,
    }),
  ])
  .openapi('MetricResult');

export const MetricResponseSchema = z
  .object({
    metric: z.string(),
    version: z.number().int(),
    definition: z.string(),
    params: z.record(z.string(), z.unknown()),
    repositories: z.array(z.string()),
    dataVersion: z.string(),
    computedAt: z.string().openapi({ format: 'date-time' }),
    cached: z.boolean(),
    stale: z
      .boolean()
      .openapi({ description: 'Computed from older data; a fresh result is on its way' }),
    result: MetricResultSchema,
  })
  .openapi('MetricResponse');

export const MetricDescriptionSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    title: z.string(),
    definition: z.string(),
    kind: z.enum(['timeseries', 'table', 'scalar', 'heatmap']),
    kindWithGranularity: z
      .enum(['timeseries', 'table', 'scalar', 'heatmap'])
      .optional()
      .openapi({ description: 'The shape when a granularity is given, if it differs' }),
    params: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The parameters as JSON Schema, with defaults and choices' }),
  })
  .openapi('MetricDescription');

export const CatalogueSchema = z
  .object({ items: z.array(MetricDescriptionSchema) })
  .openapi('MetricCatalogue');

const EMAIL = /^[^\s<>@]+@[^\s<>@]+$|^[^\s<>@]+$/;
// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]*$/;

/** A person's email as git records it (lower-cased when stored). */
export const EmailSchema = z
  .string()
  .min(1)
  .max(320)
  .regex(EMAIL, 'expected an email')
  .regex(PRINTABLE, 'control and invisible characters are not allowed')
  .openapi({ example: 'ada@example.org' });

export const IdentityLinkSchema = z
  .object({ email: z.string(), person: z.string() })
  .openapi('IdentityLink');

export const IdentityListSchema = z
  .object({ items: z.array(IdentityLinkSchema) })
  .openapi('IdentityList');

export const MergeBodySchema = z
  .strictObject({
    emails: z.array(EmailSchema).min(1).max(1000),
    as: EmailSchema.optional().openapi({
      description: 'The person key (default: the first email)',
    }),
  })
  .refine((body) => body.emails.length >= 2 || body.as !== undefined, {
    message: 'merge needs two emails or more, or "as"',
    path: ['emails'],
  })
  .openapi('IdentityMerge');

export const SplitBodySchema = z
  .strictObject({ emails: z.array(EmailSchema).min(1).max(1000) })
  .openapi('IdentitySplit');

export const MergedSchema = z
  .object({ person: z.string(), emails: z.array(z.string()) })
  .openapi('IdentityMerged');

export const SplitSchema = z.object({ emails: z.array(z.string()) }).openapi('IdentitySplitDone');

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const isoDate = z
  .string()
  .regex(DATE, 'expected a date YYYY-MM-DD or an ISO instant')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'not a real date');

export const AffiliationSchema = z
  .strictObject({
    email: EmailSchema,
    organization: z.string().min(1).max(200).regex(PRINTABLE, 'control characters not allowed'),
    from: isoDate.nullable().default(null).openapi({ description: 'Inclusive; null: always' }),
    to: isoDate.nullable().default(null).openapi({ description: 'Exclusive; null: still' }),
  })
  .refine((a) => a.from === null || a.to === null || Date.parse(a.from) < Date.parse(a.to), {
    message: 'from must be before to',
    path: ['to'],
  })
  .openapi('Affiliation');

export const AffiliationsBodySchema = z
  .strictObject({ items: z.array(AffiliationSchema).max(100_000) })
  .openapi('AffiliationsReplace');

export const AffiliationListSchema = z
  .object({
    items: z.array(
      z.object({
        email: z.string(),
        organization: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
      }),
    ),
  })
  .openapi('AffiliationList');

/** When a repository is collected: hourly, daily, weekly or a 5-field cron expression (UTC). */
export const ScheduleSchema = z
  .string()
  .min(1)
  .max(100)
  .openapi({ example: 'daily', description: 'hourly, daily, weekly or a 5-field cron (UTC)' });

/** A repository's name: what URLs, the CLI and groups use. */
export const NameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'letters, digits, ".", "_" and "-", starting with a letter or digit',
  )
  .openapi({ example: 'linux' });

export const CreateRepositorySchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(2048)
      .openapi({ example: 'https://github.com/chaoss/grimoirelab-perceval.git' }),
    name: NameSchema.optional(),
    schedule: ScheduleSchema.optional(),
  })
  .openapi('RepositoryCreate');

export const PatchRepositorySchema = z
  .strictObject({ name: NameSchema.optional(), schedule: ScheduleSchema.optional() })
  .refine((patch) => patch.name !== undefined || patch.schedule !== undefined, {
    message: 'give a name or a schedule',
  })
  .openapi('RepositoryPatch');

/** A repository id or name in a path. */
export const RepositoryIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'linux' }),
});

export const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
export const ReadySchema = z
  .object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) })
  .openapi('Ready');
