/**
 * The command line: thin commands over the roles' indexes.
 *
 * @example
 * const code = await runCli(['collect', '.', '--format', 'json'], deps);
 */
export { runCli } from './cli.js';
export type { CliDeps, RoleRunners } from './commands.js';
