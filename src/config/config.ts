import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { MetreError } from '../errors/index.js';
import type { AffiliationEntry } from '../core/index.js';
import { readAffiliations } from './affiliations.js';
import { roleEnv, roleSettings, type RoleOverrides, type RoleSettings } from './roles.js';

const boolFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

/** What the environment may set; every variable metre reads is listed here and nowhere else. */
const envSchema = z.object({
  METRE_HOME: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
  HOME: z.string().optional(),
  PATH: z.string().optional(),
  SSH_AUTH_SOCK: z.string().optional(),
  METRE_STORE: z.string().min(1).optional(),
  METRE_DEMO_REPO: z.string().min(1).optional(),
  METRE_ALLOW_LOCAL: boolFlag.optional(),
  METRE_GIT_TIMEOUT_MS: positiveInt.optional(),
  METRE_BATCH_SIZE: positiveInt.optional(),
  METRE_GIT_PROCESSES: positiveInt.max(64).optional(),
  METRE_GIT_SLICE_COMMITS: positiveInt.optional(),
  METRE_LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).optional(),
  METRE_BOT_PATTERNS: z.string().optional(),
  METRE_AFFILIATIONS: z.string().min(1).optional(),
  ...roleEnv,
  METRE_API_HOST: z.string().min(1).optional(),
  METRE_API_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  METRE_API_TOKEN: z.string().min(1).optional(),
  METRE_API_READ_TOKEN: z.string().min(1).optional(),
  METRE_API_BODY_LIMIT: positiveInt.optional(),
  METRE_API_RATE_LIMIT: z.coerce.number().int().min(0).optional(),
  METRE_API_CORS_ORIGINS: z.string().optional(),
  METRE_API_TRUST_PROXY: boolFlag.optional(),
  METRE_WEB_DIR: z.string().min(1).optional(),
  METRE_API_REVALIDATE_MS: z.coerce.number().int().min(0).optional(),
});

/** Flags the CLI passes; they win over the environment. */
export interface ConfigOverrides extends RoleOverrides {
  readonly store?: string | undefined;
  readonly home?: string | undefined;
  readonly ephemeral?: boolean | undefined;
  readonly allowLocal?: boolean | undefined;
  /** An affiliation file (YAML or JSON); wins over METRE_AFFILIATIONS. */
  readonly affiliations?: string | undefined;
  /** The API's port (`metre api --port`); wins over METRE_API_PORT. */
  readonly apiPort?: number | undefined;
}

/** The frozen, validated configuration, passed down to each role as a typed slice. */
export interface Config extends RoleSettings {
  /** Where mirrors and the default store live. */
  readonly home: string;
  /** The store URL: `duckdb:<file>` (default `<home>/metre.duckdb`). */
  readonly store: string;
  /** The repository `npm start` collects when set; else the one metre lives in. */
  readonly demoRepo: string | undefined;
  readonly logLevel: 'silent' | 'error' | 'info' | 'debug';
  readonly git: GitConfig;
  readonly collect: CollectConfig;
  readonly people: PeopleSettings;
  readonly api: ApiSettings;
}

/** The REST API's slice. */
export interface ApiSettings {
  /** Where `metre api` and `metre serve` listen (METRE_API_HOST, default 127.0.0.1). */
  readonly host: string;
  /** METRE_API_PORT (default 8080; 0 picks a free port). */
  readonly port: number;
  /** METRE_API_TOKEN: when set, every mutation needs `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
  /** METRE_API_READ_TOKEN: when set, reads need it too (the mutation token is accepted as well). */
  readonly readToken: string | undefined;
  /** Largest request body in bytes (METRE_API_BODY_LIMIT, default 1 MiB). */
  readonly bodyLimitBytes: number;
  /** Requests per minute per client (METRE_API_RATE_LIMIT, default 1200; 0 turns it off). */
  readonly rateLimitPerMinute: number;
  /** Origins allowed by CORS (METRE_API_CORS_ORIGINS, comma-separated); none: CORS off. */
  readonly corsOrigins: readonly string[];
  /** Rate-limit by the first X-Forwarded-For address (behind a proxy; METRE_API_TRUST_PROXY). */
  readonly trustProxy: boolean;
  /** The web dashboard's built files (METRE_WEB_DIR); undefined: `dist/web` of metre itself. */
  readonly webDir: string | undefined;
  /**
   * How long the API serves a memoised metric answer before reading the data version again
   * (METRE_API_REVALIDATE_MS, default 1000; finished collections and API writes clear it at once).
   */
  readonly revalidateMs: number;
}

/** How metrics recognise people: bots and organisations. */
export interface PeopleSettings {
  /**
   * SQL LIKE patterns for bot names and emails (METRE_BOT_PATTERNS, comma-separated); undefined
   * for the metrics role's defaults.
   */
  readonly botPatterns: readonly string[] | undefined;
  /** The affiliation map read from METRE_AFFILIATIONS; empty when none is configured. */
  readonly affiliations: readonly AffiliationEntry[];
}

/** The git runner's slice. */
export interface GitConfig {
  /** Longest a single git process may run before it is killed. */
  readonly timeoutMs: number;
  /** At most this many bytes of a git process's stderr are kept for error messages. */
  readonly maxStderrBytes: number;
  /** The only variables git inherits: where to find programs and ssh keys, nothing else. */
  readonly env: Readonly<Record<string, string>>;
}

/** The collector's slice. */
export interface CollectConfig {
  readonly mirrorsDir: string;
  /** Commits per stored batch; progress markers move once per batch. */
  readonly batchSize: number;
  /** Delete the mirror after each run. */
  readonly ephemeral: boolean;
  /** Accept local paths and file:// URLs (the CLI does; the API only when METRE_ALLOW_LOCAL=1). */
  readonly allowLocal: boolean;
  /**
   * How many git processes may print one walk's file changes side by side (METRE_GIT_PROCESSES,
   * default the cores, at most 4): git's diffs are the slowest part of a collection.
   */
  readonly gitProcesses: number;
  /** The fewest commits each of them is given (METRE_GIT_SLICE_COMMITS, default 5000). */
  readonly gitSliceCommits: number;
  /** Where those processes' output waits, in unlinked files, until it is read. */
  readonly spoolDir: string;
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}

function pickDefined(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

/**
 * Reads and validates the configuration once. Only this function looks at the environment.
 *
 * @example const config = loadConfig(process.env, { store: 'duckdb:/tmp/m.duckdb' });
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: ConfigOverrides = {},
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new MetreError(
      'METRE_CONFIG_INVALID',
      `Invalid environment: ${describeIssues(parsed.error)}`,
    );
  }
  const e = parsed.data;
  const dataHome = e.XDG_DATA_HOME ?? join(e.HOME ?? homedir(), '.local', 'share');
  const home = overrides.home ?? e.METRE_HOME ?? join(dataHome, 'metre');
  return deepFreeze({
    home,
    store: overrides.store ?? e.METRE_STORE ?? `duckdb:${join(home, 'metre.duckdb')}`,
    demoRepo: e.METRE_DEMO_REPO,
    logLevel: e.METRE_LOG_LEVEL ?? 'info',
    git: {
      timeoutMs: e.METRE_GIT_TIMEOUT_MS ?? 6 * 60 * 60 * 1000,
      maxStderrBytes: 64 * 1024,
      env: pickDefined({ PATH: e.PATH, HOME: e.HOME, SSH_AUTH_SOCK: e.SSH_AUTH_SOCK }),
    },
    collect: {
      mirrorsDir: join(home, 'mirrors'),
      batchSize: e.METRE_BATCH_SIZE ?? 5_000,
      ephemeral: overrides.ephemeral ?? false,
      allowLocal: overrides.allowLocal ?? e.METRE_ALLOW_LOCAL ?? false,
      gitProcesses: e.METRE_GIT_PROCESSES ?? Math.min(4, availableParallelism()),
      gitSliceCommits: e.METRE_GIT_SLICE_COMMITS ?? 5_000,
      spoolDir: join(home, 'spool'),
    },
    people: {
      botPatterns: splitList(e.METRE_BOT_PATTERNS),
      affiliations: readAffiliationsFrom(overrides.affiliations ?? e.METRE_AFFILIATIONS),
    },
    ...roleSettings(e, overrides),
    api: {
      host: e.METRE_API_HOST ?? '127.0.0.1',
      port: overrides.apiPort ?? e.METRE_API_PORT ?? 8080,
      token: e.METRE_API_TOKEN,
      readToken: e.METRE_API_READ_TOKEN,
      bodyLimitBytes: e.METRE_API_BODY_LIMIT ?? 1024 * 1024,
      rateLimitPerMinute: e.METRE_API_RATE_LIMIT ?? 1200,
      corsOrigins: splitList(e.METRE_API_CORS_ORIGINS) ?? [],
      trustProxy: e.METRE_API_TRUST_PROXY ?? false,
      webDir: e.METRE_WEB_DIR,
      revalidateMs: e.METRE_API_REVALIDATE_MS ?? 1000,
    },
  });
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function readAffiliationsFrom(file: string | undefined): AffiliationEntry[] {
  return file === undefined ? [] : readAffiliations(file);
}

/** Connection URLs of the services tests may use, with whether their absence must fail the run. */
export interface TestServices {
  readonly postgresUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly cratedbUrl: string | undefined;
  readonly requireServices: boolean;
}

/** The test suites' view of the environment, read here so no test touches process.env. */
export function loadTestServices(env: Record<string, string | undefined>): TestServices {
  return Object.freeze({
    postgresUrl: env.METRE_TEST_POSTGRES_URL || undefined,
    redisUrl: env.METRE_TEST_REDIS_URL || undefined,
    cratedbUrl: env.METRE_TEST_CRATEDB_URL || undefined,
    requireServices: env.METRE_REQUIRE_SERVICES === '1',
  });
}
