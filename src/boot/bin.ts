// Runs the CLI from source (tests spawn this with tsx); the installed bin uses the built copy.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
