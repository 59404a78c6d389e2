/**
 * The dashboard keeps its own copy of the API's shapes (`src/web/app/api/types.ts`: it shares no
 * code with the server). This file holds the copy to the server's zod schemas: every response
 * the API may send must be assignable to the type the dashboard reads it as, or `tsc --noEmit`
 * (run in CI) fails here, naming the field that drifted.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type * as Server from '../../src/api/schemas.js';
import type * as Web from '../../src/web/app/api/types.js';

/** `true` when every value of `From` is a `To`; the annotations below fail to compile otherwise. */
type Fits<From, To> = [From] extends [To] ? true : false;
type Sent<Schema extends z.ZodType> = z.infer<Schema>;
type Item<List> = List extends readonly (infer T)[] ? T : never;

const contract = {
  metricResponse: true satisfies Fits<Sent<typeof Server.MetricResponseSchema>, Web.MetricResponse>,
  metricResult: true satisfies Fits<Sent<typeof Server.MetricResultSchema>, Web.MetricResult>,
  metricDescription: true satisfies Fits<
    Sent<typeof Server.MetricDescriptionSchema>,
    Web.MetricDescription
  >,
  repository: true satisfies Fits<Sent<typeof Server.RepositorySchema>, Web.Repository>,
  job: true satisfies Fits<Sent<typeof Server.JobSchema>, Web.Job>,
  identity: true satisfies Fits<
    Item<Sent<typeof Server.IdentityListSchema>['items']>,
    Web.Identity
  >,
  affiliation: true satisfies Fits<Sent<typeof Server.AffiliationSchema>, Web.Affiliation>,
  problem: true satisfies Fits<Sent<typeof Server.ProblemSchema>, Web.Problem>,
};

describe('the dashboard’s copy of the API’s shapes', () => {
  it('is checked against the server’s schemas by the type checker', () => {
    expect(Object.values(contract).every((fits) => fits)).toBe(true);
  });
});
