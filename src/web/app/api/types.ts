/**
 * The shapes the REST API answers with (see the API's OpenAPI document). The browser keeps its
 * own copy: it shares no code with the server, only this contract.
 */

export type ResultKind = 'timeseries' | 'table' | 'scalar' | 'heatmap';

/** One bucket of a time series: its start (`YYYY-MM-DD`, UTC) and numeric fields. */
export interface TimePoint {
  readonly t: string;
  readonly [field: string]: string | number;
}

export type Detail = Readonly<Record<string, unknown>>;

export interface TimeseriesResult {
  readonly kind: 'timeseries';
  readonly points: readonly TimePoint[];
  readonly total: Readonly<Record<string, number>>;
  readonly detail?: Detail;
}

export type Cell = string | number | null;

export interface TableResult {
  readonly kind: 'table';
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, Cell>>[];
  readonly detail?: Detail;
}

export interface ScalarResult {
  readonly kind: 'scalar';
  readonly value: number | null;
  readonly detail?: Detail;
}

/** Monday = 1 … Sunday = 7, hours 0–23. */
export interface HeatmapCell {
  readonly weekday: number;
  readonly hour: number;
  readonly value: number;
}

export interface HeatmapResult {
  readonly kind: 'heatmap';
  readonly cells: readonly HeatmapCell[];
  readonly detail?: Detail;
}

export type MetricResult = TimeseriesResult | TableResult | ScalarResult | HeatmapResult;

/** `GET /api/metrics/{id}`: a computed (or cached) result. */
export interface MetricResponse {
  readonly metric: string;
  readonly version: number;
  readonly definition: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly repositories: readonly string[];
  readonly dataVersion: string;
  readonly computedAt: string;
  readonly cached: boolean;
  /** Computed from older data; a fresh result is being computed. */
  readonly stale: boolean;
  readonly result: MetricResult;
}

/** A JSON Schema, as far as the parameter forms read it. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly (string | number)[];
  readonly default?: unknown;
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
}

/** One entry of `GET /api/metrics`. */
export interface MetricDescription {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly definition: string;
  readonly kind: ResultKind;
  readonly params: JsonSchema;
}

export type CollectionStatus =
  'new' | 'collecting-commits' | 'commits-done' | 'collecting-files' | 'up-to-date' | 'failed';

/** Where a running job stands: its phase (e.g. `commits`, `files`), done out of total. */
export interface JobProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number | null;
}

/** The collection waiting or under way for a repository. */
export interface Collection {
  readonly jobId: string;
  readonly state: JobState;
  readonly progress: JobProgress | null;
}

/** `GET /api/repositories` items. */
export interface Repository {
  readonly id: string;
  readonly name: string;
  /** The URL (credentials never stored) or local path. */
  readonly source: string;
  readonly defaultBranch: string | null;
  readonly head: string | null;
  readonly status: CollectionStatus;
  readonly lastError: string | null;
  readonly lastCollectedAt: string | null;
  readonly schedule: string;
  readonly dataVersion: number;
  /** Commits reachable from the default branch. */
  readonly commits: number;
  readonly commitsAllRefs: number;
  readonly mergeCommits: number;
  readonly fileChanges: number;
  readonly collection: Collection | null;
}

export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

/** `GET /api/jobs/{id}`. */
export interface Job {
  readonly id: string;
  readonly name: 'collect' | 'compute';
  readonly state: JobState;
  readonly progress: JobProgress | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** One identity: a raw email and the person it counts as. */
export interface Identity {
  readonly person: string;
  readonly email: string;
  readonly names?: readonly string[];
  readonly commits?: number;
  /** Merged explicitly in metre (rather than by .mailmap or email alone). */
  readonly merged?: boolean;
}

/** One period of one email's organisation, `[from, to)`. */
export interface Affiliation {
  readonly email: string;
  readonly organization: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** An RFC 9457 problem, as every API error is sent. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly code?: string;
  readonly requestId?: string;
  /** Per-field messages of a validation error. */
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}
