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
  type ConfigOverrides,
  type GitConfig,
  type PeopleSettings,
  type TestServices,
} from './config.js';
export { readAffiliations, type AffiliationEntry } from './affiliations.js';
