/**
 * The only reader of the environment and flags: parse, validate, freeze.
 *
 * @example
 * const config = loadConfig(process.env, { store: flags.store });
 * collect(url, { git: config.git, collect: config.collect });
 */
export {
  loadConfig,
  loadTestServices,
  type CollectConfig,
  type Config,
  type ApiSettings,
  type ConfigOverrides,
  type GitConfig,
  type PeopleSettings,
  type TestServices,
} from './config.js';
export { readAffiliations } from './affiliations.js';
export type { QueueSettings, RoleOverrides, RoleSettings, WorkerQueue } from './roles.js';
export type { AffiliationEntry } from '../core/index.js';
