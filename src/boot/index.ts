/**
 * The composition root: the only module that reads the process (environment, streams, argv)
 * and wires the roles together.
 *
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export { main } from './main.js';
