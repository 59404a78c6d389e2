/**
 * The collector: mirrors a repository and streams its history into the store.
 *
 * @example
 * const summary = await collect({ location: 'https://host/org/repo.git' },
 *   { store, git: config.git, collect: config.collect, cwd: process.cwd() });
 */
export {
  checkName,
  collect,
  type CollectDeps,
  type CollectEvent,
  type CollectRequest,
  type CollectSummary,
  type PassEvent,
  summaryFigures,
} from './collector.js';
export { createGitRunner, type GitRunner } from './git-runner.js';
export { COMMITS_PASS_ARGS, FILES_PASS_ARGS } from './log-format.js';
export { ParseError, parseFileChanges, parseGitLog } from './log-parser.js';
export { defaultName, parseSource, redactCredentials, type Source } from './source.js';
