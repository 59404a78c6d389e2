import { commits } from './definitions/commits.js';
import { activityDatesTimes } from './definitions/activity-dates-times.js';
import { burstiness } from './definitions/burstiness.js';
import { commitSize } from './definitions/commit-size.js';
import { filesChanged } from './definitions/files-changed.js';
import { hotspots } from './definitions/hotspots.js';
import { languageDistribution } from './definitions/language-distribution.js';
import { linesChanged } from './definitions/lines-changed.js';
import { releaseFrequency } from './definitions/release-frequency.js';
import { contributors } from './definitions/contributors.js';
import { topContributors } from './definitions/top-contributors.js';
import { newContributors } from './definitions/new-contributors.js';
import { inactiveContributors } from './definitions/inactive-contributors.js';
import { occasionalContributors } from './definitions/occasional-contributors.js';
import { contributorAbsenceFactor } from './definitions/contributor-absence-factor.js';
import { elephantFactor } from './definitions/elephant-factor.js';
import { organizationalDiversity } from './definitions/organizational-diversity.js';
import { botActivity } from './definitions/bot-activity.js';
import type { AnyMetric } from './metric.js';

/**
 * The catalogue, in the order METRICS.md lists it. Adding a metric: one file in `definitions/`,
 * one line here.
 */
export const registry: readonly AnyMetric[] = [
  commits,
  linesChanged,
  filesChanged,
  activityDatesTimes,
  burstiness,
  commitSize,
  hotspots,
  releaseFrequency,
  languageDistribution,
  contributors,
  topContributors,
  newContributors,
  inactiveContributors,
  occasionalContributors,
  contributorAbsenceFactor,
  elephantFactor,
  organizationalDiversity,
  botActivity,
];
